"""The connection bar: URL with history, protocol, options, Connect/Disconnect."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from .clients import ConnectOptions, Transport, transport_for_url
from .request_dialog import RequestDialog

__all__ = ["ConnectionBar"]


class ConnectionBar(QWidget):
    """Collects a URL and ConnectOptions; emits what the user asks for.

    Signals:
        connect_requested(url, ConnectOptions)
        disconnect_requested()
    """

    connect_requested = Signal(str, object)
    disconnect_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._headers: dict[str, str] = {}
        self._body = ""
        self._connected = False

        self.url_combo = QComboBox()
        self.url_combo.setEditable(True)
        self.url_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.url_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.url_combo.setMinimumContentsLength(30)
        # Disabled while connected, but the URL must stay readable.
        self.url_combo.setStyleSheet("QComboBox:disabled { color: palette(text); }")
        url_edit = self.url_combo.lineEdit()
        assert url_edit is not None  # the combo is editable
        url_edit.setPlaceholderText("ws://host/path  or  https://host/stream")
        url_edit.returnPressed.connect(self._on_connect_clicked)
        self.url_combo.currentTextChanged.connect(self._update_transport)

        self.transport_label = QLabel()
        self.transport_label.setMinimumWidth(90)
        self.transport_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.method_combo = QComboBox()
        self.method_combo.addItems(["GET", "POST"])
        self.method_combo.setToolTip("HTTP method of the SSE request (POST for LLM-style streams)")

        self.event_key_edit = QLineEdit()
        self.event_key_edit.setPlaceholderText("event_key")
        self.event_key_edit.setToolTip(
            'JSON key naming the event of a text message, e.g. "type" (WebSocket)'
        )
        self.event_key_edit.setMaximumWidth(110)

        self.reconnect_check = QCheckBox("Auto-reconnect")
        self.reconnect_check.setChecked(True)

        self.request_button = QPushButton("Headers…")
        self.request_button.setToolTip("Request headers (and the body of an SSE POST)")
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
        layout.addWidget(self.connect_button)
        self._update_transport(self.url)

    # -- state ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.url_combo.currentText().strip()

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
        return ConnectOptions(
            headers=dict(self._headers),
            reconnect=self.reconnect_check.isChecked(),
            event_key=self.event_key_edit.text().strip(),
            method=self.method_combo.currentText(),
            body=self._body,
        )

    def set_options(self, headers: dict[str, str], body: str = "") -> None:
        self._headers, self._body = dict(headers), body
        self._update_request_button()

    def set_connected(self, connected: bool) -> None:
        """Show Disconnect while a client runs; lock the inputs that need a reconnect."""
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
            transport: Transport | None = transport_for_url(text)
        except ValueError:
            transport = None
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

    def _update_request_button(self) -> None:
        count = len(self._headers)
        self.request_button.setText(f"Headers ({count})…" if count else "Headers…")

    def _edit_request(self) -> None:
        try:
            sse = transport_for_url(self.url) is Transport.SSE
        except ValueError:
            sse = False
        dialog = RequestDialog(self._headers, self._body, sse=sse, parent=self)
        if dialog.exec():
            self.set_options(dialog.headers, dialog.body)
