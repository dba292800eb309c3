"""The right-click menu of a log row: copy it (text, JSON, a shell command), send it
again from the composer, filter by its event."""

from __future__ import annotations

import json

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from ..formats.export import record_to_dict
from ..models.records import Direction, LogRecord

__all__ = ["RowMenu", "copy_text", "row_text"]


def row_text(record: LogRecord) -> str:
    """The payload as text; binary that is not UTF-8 as hex pairs."""
    payload = record.payload
    if isinstance(payload, str):
        return payload
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.hex(" ")


def copy_text(text: str) -> None:
    clipboard = QApplication.clipboard()
    clipboard.setText(text)


class RowMenu(QMenu):
    """Actions on one row. Copies go to the clipboard; the rest are signals.

    Signals:
        resend_requested(LogRecord): put the message in the composer.
        only_event(str) / hide_event(str): filter the log by the row's event.
    """

    resend_requested = Signal(object)
    only_event = Signal(str)
    hide_event = Signal(str)

    def __init__(
        self,
        record: LogRecord,
        *,
        command: tuple[str, str] | None,
        can_resend: bool,
        parent: QWidget | None = None,
    ) -> None:
        """``command``: (its name, e.g. "curl", and the command text), or None."""
        super().__init__(parent)
        self.record = record
        self.copy_action = self.addAction("Copy text")
        self.copy_action.triggered.connect(lambda: copy_text(row_text(record)))
        self.copy_json_action = self.addAction("Copy as JSON")
        self.copy_json_action.triggered.connect(
            lambda: copy_text(json.dumps(record_to_dict(record), ensure_ascii=False))
        )
        self.copy_command_action = None
        if command is not None:
            name, text = command
            self.copy_command_action = self.addAction(f"Copy as {name} command")
            self.copy_command_action.triggered.connect(lambda: copy_text(text))
        self.addSeparator()
        self.resend_action = self.addAction("Send again…")
        self.resend_action.setToolTip("Put this message in the composer")
        self.resend_action.setEnabled(can_resend and record.direction is not Direction.SYSTEM)
        self.resend_action.triggered.connect(lambda: self.resend_requested.emit(record))
        self.addSeparator()
        event = record.event
        self.only_action = self.addAction(f"Show only “{event}”")
        self.only_action.triggered.connect(lambda: self.only_event.emit(event))
        self.hide_action = self.addAction(f"Hide “{event}”")
        self.hide_action.triggered.connect(lambda: self.hide_event.emit(event))
