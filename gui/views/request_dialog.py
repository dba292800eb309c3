"""The request options dialog: extra headers, and the body of an SSE POST stream."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

__all__ = ["RequestDialog", "format_headers", "parse_headers"]


def parse_headers(text: str) -> dict[str, str]:
    """Parse ``Name: value`` lines; blank lines and ``#`` comments are skipped.

    Raises:
        ValueError: a line without a colon or with an empty or invalid name.
    """
    headers: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon or not name or any(c.isspace() or ord(c) < 33 for c in name):
            raise ValueError(f"line {number}: expected 'Name: value'")
        headers[name] = value.strip()
    return headers


def format_headers(headers: dict[str, str]) -> str:
    return "".join(f"{name}: {value}\n" for name, value in headers.items())


class RequestDialog(QDialog):
    """Edits headers (both protocols) and the request body (SSE)."""

    def __init__(
        self, headers: dict[str, str], body: str, *, sse: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Request options")
        self.resize(520, 420)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Headers, one <b>Name: value</b> per line:"))
        self.headers_edit = QPlainTextEdit(format_headers(headers))
        self.headers_edit.setFont(mono)
        self.headers_edit.setPlaceholderText("Authorization: Bearer …")
        layout.addWidget(self.headers_edit)
        self.body_edit = QPlainTextEdit(body)
        self.body_edit.setFont(mono)
        self.body_edit.setPlaceholderText('{"prompt": "…"}  (sent with POST)')
        if sse:
            layout.addWidget(QLabel("Request body (SSE POST streams):"))
            layout.addWidget(self.body_edit)
        else:
            self.body_edit.hide()
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b3261e")
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.headers: dict[str, str] = dict(headers)
        self.body = body

    def accept(self) -> None:
        try:
            self.headers = parse_headers(self.headers_edit.toPlainText())
        except ValueError as exc:
            self.error_label.setText(str(exc))
            return
        self.body = self.body_edit.toPlainText()
        super().accept()
