"""The request options dialog: headers, body, subprotocols, TLS, proxy, close code,
and automation (messages sent on every open, a message repeated on a timer, pings).

Secret header values (``is_secret_header``) are shown masked until "Show secrets"
is ticked; a masked line left as it is keeps its value.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..connection.clients import ConnectOptions
from ..formats.headers import format_headers, is_secret_header, parse_headers

__all__ = ["MASK", "RequestDialog"]

#: What a secret header value looks like in the editor until "Show secrets".
MASK = "••••••"
_PEM_FILES = "PEM (*.pem *.crt *.key);;All files (*)"


def _masked(headers: dict[str, str]) -> dict[str, str]:
    return {k: MASK if is_secret_header(k) and v else v for k, v in headers.items()}


def _file_field(edit: QLineEdit, parent: QWidget, title: str) -> QWidget:
    """A path field with a Browse… button."""
    browse = QPushButton("Browse…")

    def pick() -> None:
        path, _ = QFileDialog.getOpenFileName(
            parent, title, edit.text(), "PEM (*.pem *.crt *.key);;All files (*)"
        )
        if path:
            edit.setText(path)

    browse.clicked.connect(pick)
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    layout.addWidget(browse)
    return row


def _seconds(value: float, zero: str) -> QDoubleSpinBox:
    """A seconds field where 0 reads as ``zero``."""
    spin = QDoubleSpinBox()
    spin.setRange(0.0, 3600.0)
    spin.setDecimals(1)
    spin.setSuffix(" s")
    spin.setSpecialValueText(zero)
    spin.setValue(value)
    return spin


class RequestDialog(QDialog):
    """Edits a ConnectOptions; after ``exec()`` the result is ``options``."""

    def __init__(
        self, options: ConnectOptions, *, sse: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Request options")
        self.resize(600, 640)
        self.options = options
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Headers, one <b>Name: value</b> per line:"))
        self.headers_edit = QPlainTextEdit(format_headers(_masked(options.headers)))
        self.headers_edit.setFont(mono)
        self.headers_edit.setPlaceholderText("Authorization: Bearer …")
        layout.addWidget(self.headers_edit, 2)
        self.show_secrets = QCheckBox("Show secrets")
        self.show_secrets.setToolTip("Authorization, cookies, tokens and keys are masked")
        self.show_secrets.toggled.connect(self._reveal)
        layout.addWidget(self.show_secrets)
        self.body_edit = QPlainTextEdit(options.body)
        self.body_edit.setFont(mono)
        self.body_edit.setPlaceholderText('{"prompt": "…"}  (sent with POST)')
        if sse:
            layout.addWidget(QLabel("Request body (SSE POST streams):"))
            layout.addWidget(self.body_edit, 1)
        else:
            self.body_edit.hide()

        form = QFormLayout()
        self.subprotocols_edit = QLineEdit(", ".join(options.subprotocols))
        self.subprotocols_edit.setPlaceholderText("graphql-transport-ws, mqtt")
        self.verify_check = QCheckBox("Skip TLS certificate verification (insecure)")
        self.verify_check.setChecked(not options.verify)
        self.ca_edit = QLineEdit(options.ca_file)
        self.ca_edit.setPlaceholderText("the system's trust store")
        self.cert_edit = QLineEdit(options.client_cert)
        self.key_edit = QLineEdit(options.client_key)
        self.key_edit.setPlaceholderText("in the certificate file")
        self.proxy_edit = QLineEdit(options.proxy)
        self.proxy_edit.setPlaceholderText("http://host:port")
        self.close_code_spin = QSpinBox()
        self.close_code_spin.setRange(1000, 4999)
        self.close_code_spin.setValue(options.close_code)
        self.close_code_spin.setToolTip("1000, or an application code 3000-4999")
        self.close_reason_edit = QLineEdit(options.close_reason)
        form.addRow("Subprotocols:", self.subprotocols_edit)
        form.addRow("TLS:", self.verify_check)
        form.addRow("CA file:", _file_field(self.ca_edit, self, "CA bundle"))
        form.addRow("Client certificate:", _file_field(self.cert_edit, self, "Client certificate"))
        form.addRow("Client key:", _file_field(self.key_edit, self, "Client key"))
        form.addRow("Proxy:", self.proxy_edit)
        self.ping_spin = _seconds(options.ping_interval, "SDK default (20 s)")
        self.on_open_edit = QPlainTextEdit("\n".join(options.on_open))
        self.on_open_edit.setFont(mono)
        self.on_open_edit.setPlaceholderText('{"op": "subscribe", "channel": "trades"}')
        self.on_open_edit.setToolTip("One message per line, sent after every open and reconnect")
        self.on_open_edit.setMaximumHeight(64)
        for edit in (self.headers_edit, self.body_edit, self.on_open_edit):
            edit.setTabChangesFocus(True)  # Tab moves on, as in every other field
        self.repeat_edit = QLineEdit(options.repeat_message)
        self.repeat_edit.setFont(mono)
        self.repeat_edit.setPlaceholderText('{"op": "ping"}')
        self.repeat_spin = _seconds(options.repeat_seconds, "off")
        repeat = QWidget()
        repeat_row = QHBoxLayout(repeat)
        repeat_row.setContentsMargins(0, 0, 0, 0)
        repeat_row.addWidget(self.repeat_edit, 1)
        repeat_row.addWidget(QLabel("every"))
        repeat_row.addWidget(self.repeat_spin)
        form.addRow("Close code:", self.close_code_spin)
        form.addRow("Close reason:", self.close_reason_edit)
        form.addRow("Ping after silence:", self.ping_spin)
        form.addRow("Send on open:", self.on_open_edit)
        form.addRow("Send repeatedly:", repeat)
        websocket_only = (
            self.subprotocols_edit,
            self.close_code_spin,
            self.close_reason_edit,
            self.ping_spin,
            self.on_open_edit,
            repeat,
        )
        for widget in websocket_only:
            form.setRowVisible(widget, not sse)
        layout.addLayout(form)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b3261e")
        self.error_label.setWordWrap(True)
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @property
    def headers(self) -> dict[str, str]:
        return self.options.headers

    @property
    def body(self) -> str:
        return self.options.body

    def _typed_headers(self) -> dict[str, str]:
        """The headers in the editor; a masked value left alone keeps the old one."""
        headers = parse_headers(self.headers_edit.toPlainText())
        old = self.options.headers
        return {k: old.get(k, v) if v == MASK else v for k, v in headers.items()}

    def _reveal(self, show: bool) -> None:
        try:
            headers = self._typed_headers()
        except ValueError as exc:
            self.error_label.setText(str(exc))
            return
        self.headers_edit.setPlainText(format_headers(headers if show else _masked(headers)))

    def accept(self) -> None:
        try:
            options = dataclasses.replace(
                self.options,
                headers=self._typed_headers(),
                body=self.body_edit.toPlainText(),
                subprotocols=tuple(
                    p.strip() for p in self.subprotocols_edit.text().split(",") if p.strip()
                ),
                verify=not self.verify_check.isChecked(),
                ca_file=self.ca_edit.text().strip(),
                client_cert=self.cert_edit.text().strip(),
                client_key=self.key_edit.text().strip(),
                proxy=self.proxy_edit.text().strip(),
                close_code=self.close_code_spin.value(),
                close_reason=self.close_reason_edit.text(),
                ping_interval=self.ping_spin.value(),
                on_open=tuple(
                    line for line in self.on_open_edit.toPlainText().splitlines() if line.strip()
                ),
                repeat_message=self.repeat_edit.text(),
                repeat_seconds=self.repeat_spin.value() if self.repeat_edit.text() else 0.0,
            )
            options.check()
        except ValueError as exc:
            self.error_label.setText(str(exc))
            return
        self.options = options
        super().accept()
