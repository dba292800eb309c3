"""The connection bar: URL with history, protocol, options, Connect/Disconnect."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from ..connection.clients import (
    ConnectOptions,
    Transport,
    reconnects_by_default,
    transport_for_url,
    with_default_scheme,
)
from ..formats.headers import is_secret_header, mask
from .request_dialog import RequestDialog

__all__ = ["ConnectionBar"]

_URL_STYLE = "QComboBox:disabled { color: palette(text); }"
_URL_ERROR_STYLE = _URL_STYLE + " QComboBox { border: 1px solid #b3261e; }"


class ConnectionBar(QWidget):
    """Collects a URL and ConnectOptions; emits what the user asks for.

    A URL typed without a scheme (``localhost:8080/feed``) speaks the tab's kind:
    the transport of the last URL with a scheme shown in this bar (typed, picked
    from the history, restored), WebSocket in a new tab. ``complete`` adds
    ``ws://`` or ``http://`` accordingly.

    Signals:
        connect_requested(url, ConnectOptions)
        disconnect_requested()
    """

    connect_requested = Signal(str, object)
    disconnect_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._extra = ConnectOptions()  # what the options dialog holds
        self._connected = False
        self._reconnect_for: tuple[Transport, str] | None = None  # what the default was set for
        self._risky_reconnect = False  # a reconnect would repeat a request (SSE POST)
        self._kind = Transport.WEBSOCKET  # what a URL without a scheme speaks

        self.url_combo = QComboBox()
        self.url_combo.setEditable(True)
        self.url_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.url_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.url_combo.setMinimumContentsLength(30)
        # A long recent URL must not widen the window.
        self.url_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        # Disabled while connected, but the URL must stay readable.
        self.url_combo.setStyleSheet(_URL_STYLE)
        url_edit = self.url_combo.lineEdit()
        assert url_edit is not None  # the combo is editable
        url_edit.setPlaceholderText("host:port/path  or  wss://host/path  or  https://host/stream")
        url_edit.returnPressed.connect(self._on_connect_clicked)
        # Suggest recent URLs in a pop-up, never by completing the text in place:
        # "ws://" + Enter must not connect to whichever recent URL starts so.
        completer = QCompleter(self.url_combo.model(), self.url_combo)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.url_combo.setCompleter(completer)
        self.url_combo.currentTextChanged.connect(self._update_transport)
        self.url_combo.currentTextChanged.connect(lambda _: self.set_url_error(False))

        self.transport_label = QLabel()
        self.transport_label.setMinimumWidth(90)
        self.transport_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.method_combo = QComboBox()
        self.method_combo.addItems(["GET", "POST"])
        self.method_combo.setToolTip("HTTP method of the SSE request (POST for LLM-style streams)")
        self.method_combo.currentTextChanged.connect(self._update_reconnect_default)

        self.event_key_edit = QLineEdit()
        self.event_key_edit.setPlaceholderText("event_key")
        self.event_key_edit.setToolTip(
            'JSON key naming the event of a text message, e.g. "type" (WebSocket)'
        )
        self.event_key_edit.setMaximumWidth(110)
        self.event_key_edit.returnPressed.connect(self._on_connect_clicked)

        self.reconnect_check = QCheckBox("Auto-reconnect")
        self.reconnect_check.setChecked(True)
        self.reconnect_check.toggled.connect(lambda _: self._update_reconnect_note())
        self.reconnect_note = QLabel("off for POST")
        self.reconnect_note.setToolTip(
            "A stream requested with POST (an LLM answer) is not sent again when it ends:\n"
            "re-sending repeats the request, its credentials and its bill.\n"
            "Turn Auto-reconnect on only for a server that expects it."
        )

        self.request_button = QPushButton("Options…")
        self.request_button.clicked.connect(self._edit_request)

        self.connect_button = QPushButton("Connect")
        self.connect_button.setDefault(True)
        self.connect_button.setMinimumWidth(100)
        self.connect_button.clicked.connect(self._on_connect_clicked)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.transport_label)
        layout.addWidget(self.url_combo, 1)
        layout.addWidget(self.method_combo)
        layout.addWidget(self.event_key_edit)
        layout.addWidget(self.request_button)
        layout.addWidget(self.reconnect_check)
        layout.addWidget(self.reconnect_note)
        layout.addWidget(self.connect_button)
        self._update_transport(self.url)

    # -- state ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.url_combo.currentText().strip()

    def complete(self, url: str) -> str:
        """``url`` with the scheme of the tab's kind if it has none."""
        return with_default_scheme(url, self._kind)

    @property
    def transport(self) -> Transport | None:
        """What the URL in the field speaks (None: it is not a usable URL)."""
        try:
            return transport_for_url(self.complete(self.url))
        except ValueError:
            return None

    def set_url(self, url: str) -> None:
        self.url_combo.setEditText(url)

    def set_recent(self, urls: list[str]) -> None:
        """Offer ``urls`` in the drop-down, keeping the text being edited."""
        text = self.url_combo.currentText()
        self.url_combo.blockSignals(True)
        self.url_combo.clear()
        self.url_combo.addItems(urls)
        self.url_combo.setEditText(text)
        self.url_combo.blockSignals(False)

    def options(self) -> ConnectOptions:
        return dataclasses.replace(
            self._extra,
            headers=dict(self._extra.headers),
            reconnect=self.reconnect_check.isChecked(),
            event_key=self.event_key_edit.text().strip(),
            method=self.method_combo.currentText(),
        )

    def set_options(self, headers: dict[str, str], body: str = "") -> None:
        self._extra = dataclasses.replace(self._extra, headers=dict(headers), body=body)
        self._update_request_button()

    def apply_options(self, options: ConnectOptions) -> None:
        """Show ``options`` (a recent URL's, a saved request's): every field."""
        self.method_combo.setCurrentText(options.method.upper())
        self.event_key_edit.setText(options.event_key)
        self._extra = options
        self._update_request_button()
        if options.reconnect is not None:
            self.reconnect_check.setChecked(options.reconnect)

    def set_url_error(self, error: bool) -> None:
        """Outline the URL in red (it was refused), or not."""
        style = _URL_ERROR_STYLE if error else _URL_STYLE
        if self.url_combo.styleSheet() != style:
            self.url_combo.setStyleSheet(style)

    @property
    def connected(self) -> bool:
        return self._connected

    def set_connected(self, connected: bool) -> None:
        """Show Disconnect while a client runs; lock the inputs that need a reconnect."""
        if connected == self._connected:
            return
        self._connected = connected
        self.connect_button.setText("Disconnect" if connected else "Connect")
        for widget in (
            self.url_combo,
            self.method_combo,
            self.event_key_edit,
            self.reconnect_check,
            self.request_button,
        ):
            widget.setEnabled(not connected)

    # -- slots ----------------------------------------------------------------------

    def _on_connect_clicked(self) -> None:
        if self._connected:
            self.disconnect_requested.emit()
        elif self.url:
            self.connect_requested.emit(self.url, self.options())

    def _update_transport(self, text: str) -> None:
        try:
            transport: Transport | None = transport_for_url(self.complete(text))
        except ValueError:
            transport = None
        assumed = transport is not None and "://" not in text
        if transport is not None and not assumed:
            self._kind = transport  # the tab's kind follows the last scheme given
        self.transport_label.setToolTip(
            f"No scheme: {'ws' if transport is Transport.WEBSOCKET else 'http'}:// is assumed"
            " (this tab's kind); type wss://, https://, ws:// or http:// to choose"
            if assumed
            else "The protocol the URL's scheme selects: ws:// and wss:// WebSocket,"
            " http:// and https:// SSE"
        )
        names = {Transport.WEBSOCKET: "WebSocket", Transport.SSE: "SSE", None: "—"}
        colours = {Transport.WEBSOCKET: "#5b3cc4", Transport.SSE: "#0b7285", None: "#888"}
        self.transport_label.setText(names[transport])
        self.transport_label.setStyleSheet(
            f"QLabel {{ color: white; background: {colours[transport]}; border-radius: 4px;"
            " padding: 3px 8px; font-weight: bold; }"
        )
        self.method_combo.setVisible(transport is Transport.SSE)
        self.event_key_edit.setVisible(transport is not Transport.SSE)
        self._update_request_button()
        self._update_reconnect_default()

    def _update_reconnect_default(self) -> None:
        """Auto-reconnect follows the protocol and method: off for SSE POST (say why)."""
        transport = self.transport or Transport.WEBSOCKET
        method = self.method_combo.currentText()
        if self._reconnect_for == (transport, method):
            return  # typing in the URL keeps the user's choice
        self._reconnect_for = (transport, method)
        self._risky_reconnect = not reconnects_by_default(transport, method)
        self.reconnect_check.setChecked(not self._risky_reconnect)
        self._update_reconnect_note()

    def _update_reconnect_note(self) -> None:
        """Beside the toggle, for a non-GET stream: off by default, or that it will re-send."""
        method = self.method_combo.currentText()
        on = self.reconnect_check.isChecked()
        self.reconnect_note.setText(f"re-sends the {method}" if on else f"off for {method}")
        self.reconnect_note.setStyleSheet(f"color: {'#b3261e' if on else '#8a5a00'}")
        self.reconnect_note.setVisible(self._risky_reconnect)

    def _update_request_button(self) -> None:
        extra = self._extra
        count = len(extra.headers)
        headers = f"{count} header" + ("s" if count > 1 else "")
        self.request_button.setText(f"Options ({headers})…" if count else "Options…")
        lines = [f"{k}: {mask(v) if is_secret_header(k) else v}" for k, v in extra.headers.items()]
        if extra.subprotocols:
            lines.append("Subprotocols: " + ", ".join(extra.subprotocols))
        if not extra.verify:
            lines.append("TLS: not verified")
        lines += [f"{name}: {value}" for name, value in (
            ("CA file", extra.ca_file), ("Client certificate", extra.client_cert),
            ("Proxy", extra.proxy)) if value]  # fmt: skip
        if extra.close_code != 1000 or extra.close_reason:
            lines.append(f"Close: {extra.close_code} {extra.close_reason}".rstrip())
        self.request_button.setToolTip(
            "\n".join(lines) if lines else "Headers, body, subprotocols, TLS, proxy, close code"
        )

    def _edit_request(self) -> None:
        dialog = RequestDialog(self._extra, sse=self.transport is Transport.SSE, parent=self)
        if dialog.exec():
            self._extra = dialog.options
            self._update_request_button()
