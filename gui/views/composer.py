"""The composer of a WebSocket tab: write a message, check it, send it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..formats.payload_format import ENCODINGS, encode_payload

__all__ = ["Composer"]

#: Sent messages remembered per URL.
HISTORY_SIZE = 20
#: Why a message typed while the tab is not connected was not sent.
NOT_CONNECTED = "Not connected: Connect first, then send"


class _Editor(QPlainTextEdit):
    """A plain text editor that reports Ctrl+Enter instead of inserting a newline."""

    submit = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.submit.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class Composer(QWidget):
    """Emits ``send_requested(payload)`` with a validated str (text) or bytes (binary)."""

    send_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = _Editor()
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setPlaceholderText("Message to send…   (Ctrl+Enter sends)")
        self.editor.setTabChangesFocus(True)
        self.editor.setMinimumHeight(48)
        self.encoding_combo = QComboBox()
        self.encoding_combo.addItems(ENCODINGS)
        self.encoding_combo.setToolTip("Text / JSON go as text frames, Hex / Base64 as binary")
        self.history_button = QToolButton()
        self.history_button.setText("History")
        self.history_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.history_menu = QMenu(self.history_button)
        self.history_button.setMenu(self.history_menu)
        self.history_menu.triggered.connect(lambda action: self.editor.setPlainText(action.data()))
        self.send_button = QPushButton("Send")
        self.send_button.setToolTip("Send (Ctrl+Enter)")
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b3261e")

        self.editor.submit.connect(self.submit)
        self.send_button.clicked.connect(self.submit)
        self.editor.textChanged.connect(self.validate)
        self.encoding_combo.currentTextChanged.connect(self.validate)

        controls = QVBoxLayout()
        controls.addWidget(self.encoding_combo)
        controls.addWidget(self.history_button)
        controls.addStretch(1)
        controls.addWidget(self.send_button)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.editor, 1)
        row.addLayout(controls)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row, 1)
        layout.addWidget(self.error_label)
        self._history: list[str] = []
        self._enabled = True
        self.set_history([])  # no History menu to open until something was sent
        self.validate()

    @property
    def history(self) -> list[str]:
        """Sent texts, newest first."""
        return list(self._history)

    def set_history(self, texts: list[str]) -> None:
        self._history = list(texts)[:HISTORY_SIZE]
        self.history_menu.clear()
        for text in self._history:
            label = text if len(text) <= 60 else text[:57] + "…"
            action = self.history_menu.addAction(label.replace("\n", " ⏎ "))
            action.setData(text)
        self.history_button.setEnabled(bool(self._history))

    def edit(self, payload: str | bytes) -> None:
        """Put ``payload`` in the editor (binary as hex), ready to change and send."""
        binary = isinstance(payload, bytes)
        self.encoding_combo.setCurrentText("Hex" if binary else "Text")
        self.editor.setPlainText(payload.hex(" ") if isinstance(payload, bytes) else payload)
        self.editor.setFocus()

    def set_send_enabled(self, enabled: bool) -> None:
        if enabled != self._enabled:
            self._enabled = enabled
            self.validate()

    def payload(self) -> str | bytes:
        """The message the editor holds.

        Raises:
            ValueError: the text is not valid for the chosen encoding.
        """
        return encode_payload(self.editor.toPlainText(), self.encoding_combo.currentText())

    def validate(self) -> bool:
        """Show why the text cannot be sent, if it cannot; return whether it can."""
        error = ""
        if self.editor.toPlainText():
            try:
                self.payload()
            except ValueError as exc:
                error = str(exc)
        if self.error_label.text() != error:
            self.error_label.setText(error)
        ok = not error and bool(self.editor.toPlainText())
        self.send_button.setEnabled(ok and self._enabled)
        return ok

    def submit(self) -> None:
        if not self.validate():
            return
        if not self._enabled:  # Ctrl+Enter with nowhere to send: say why nothing happened
            self.error_label.setText(NOT_CONNECTED)
            return
        text = self.editor.toPlainText()
        payload = self.payload()
        self.set_history([text, *(t for t in self._history if t != text)])
        self.send_requested.emit(payload)
