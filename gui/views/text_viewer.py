"""The read-only monospace text views of the detail pane, and how they take a payload.

Qt lays out a long run of characters with no space to break at in time growing with
its square: a 1 MiB token (base64, hex, a minified blob) kept the window frozen for a
minute. Such text wraps anywhere instead; text made of words still wraps at words.
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase, QTextOption
from PySide6.QtWidgets import QPlainTextEdit

__all__ = ["LONG_WORD", "set_payload_text", "text_viewer"]

#: Characters without a space from which a text is wrapped anywhere.
LONG_WORD = 1_000


def text_viewer() -> QPlainTextEdit:
    """A read-only, monospace, wrapping text view."""
    view = QPlainTextEdit()
    view.setReadOnly(True)
    view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    return view


def set_payload_text(view: QPlainTextEdit, text: str) -> None:
    """Show ``text`` in ``view``, wrapping anywhere if it holds a very long word."""
    long_word = any(len(word) >= LONG_WORD for word in text.split())
    mode = (
        QTextOption.WrapMode.WrapAnywhere
        if long_word
        else QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere
    )
    if view.wordWrapMode() != mode:
        view.clear()  # else the text shown now is laid out again in the new mode first
        view.setWordWrapMode(mode)
    view.setPlainText(text)
