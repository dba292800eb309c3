"""The LLM view: an SSE tab's stream assembled into the answer, live.

It watches the log model: every received event is fed to an
:class:`~pushsdk_monitor.decoders.LlmAssembler`, each ``open`` (a new request)
starts a new answer, each ``close`` ends it (cut off if the stream had not said
so), and the widgets are refreshed at most every REFRESH_MS.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSplitter, QVBoxLayout, QWidget

from ..decoders import LlmAssembler, LlmState, ToolCall
from ..models.log_model import LogModel
from ..models.records import Direction

__all__ = ["LlmView", "describe", "format_tool_calls"]

#: Milliseconds between refreshes while the stream runs.
REFRESH_MS = 100

_API_NAMES = {
    "openai-chat": "OpenAI chat",
    "openai-responses": "OpenAI Responses",
    "anthropic": "Anthropic",
}


def describe(state: LlmState) -> str:
    """One status line: API, model, tokens, tokens/s, first token, end."""
    if not state.api:
        if state.done:
            return "Stream ended; no LLM events in it."
        if state.closed:
            return "Connection closed; no LLM events came."
        ignored = f" ({state.ignored:,} other events)" if state.ignored else ""
        return f"Waiting for an LLM stream{ignored}…"
    parts = [_API_NAMES.get(state.api, state.api)]
    if state.model:
        parts.append(state.model)
    counted = "" if state.tokens_exact else " (counted deltas)"
    parts.append(f"{state.tokens:,} tokens{counted}")
    parts.append(f"{state.tokens_per_second:,.1f} tokens/s")
    if state.time_to_first_token is not None:
        parts.append(f"first token {state.time_to_first_token:.2f} s after open")
    if state.done:
        parts.append(f"done ({state.finish_reason})" if state.finish_reason else "done")
    elif state.finish_reason:
        parts.append(f"finished ({state.finish_reason})")
    elif state.closed:
        parts.append("cut off: the connection closed before the stream's end")
    else:
        parts.append("streaming…")
    return "  ·  ".join(parts)


def format_tool_calls(calls: tuple[ToolCall, ...]) -> str:
    """Each call as ``name (id)`` and its arguments, pretty once they are whole JSON."""
    blocks = []
    for call in calls:
        try:
            arguments = json.dumps(json.loads(call.arguments), indent=2, ensure_ascii=False)
        except ValueError:
            arguments = call.arguments  # still streaming: partial JSON as it came
        head = f"{call.name or '(unnamed)'}" + (f"  ({call.id})" if call.id else "")
        blocks.append(f"#{call.index} {head}\n{arguments}")
    return "\n\n".join(blocks)


class LlmView(QWidget):
    """Running text, tool calls and a status line for the stream in ``model``."""

    def __init__(self, model: LogModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._assembler = LlmAssembler()
        self._shown: LlmState | None = None
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b3261e")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.text_view = QPlainTextEdit()
        self.text_view.setReadOnly(True)
        self.text_view.setPlaceholderText("The assistant's text appears here as it streams.")
        self.tools_view = QPlainTextEdit()
        self.tools_view.setReadOnly(True)
        self.tools_view.setFont(fixed)
        self.tools_view.hide()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.text_view)
        splitter.addWidget(self.tools_view)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_label)
        layout.addWidget(splitter, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._active = True
        model.rowsInserted.connect(self._rows_inserted)
        model.modelReset.connect(self.reset)
        self._feed_rows(0, model.rowCount() - 1)
        self.refresh()

    def set_active(self, active: bool) -> None:
        """Follow the stream (an SSE tab) or not: a WebSocket tab hides the view, and
        parsing each of its messages as JSON would only cost the window time."""
        if active == self._active:
            return
        self._active = active
        if active:  # catch up with the rows that came meanwhile
            self.reset()
            self._feed_rows(0, self._model.rowCount() - 1)

    @property
    def state(self) -> LlmState:
        return self._assembler.state

    def reset(self, started: float | None = None) -> None:
        """Start a new answer: a new request opened at ``started``, or the log was cleared."""
        self._assembler = LlmAssembler(started)
        self._shown = None
        self.text_view.clear()
        self.tools_view.clear()
        self._timer.start()

    def _rows_inserted(
        self, parent: QModelIndex | QPersistentModelIndex, first: int, last: int
    ) -> None:
        if self._active:
            self._feed_rows(first, last)

    def _feed_rows(self, first: int, last: int) -> None:
        model = self._model
        fed = False
        for row in range(first, last + 1):
            record = model.record(row)
            if record.direction is Direction.SYSTEM:
                if record.event == "open":
                    self.reset(record.timestamp)
                elif record.event == "close":  # no more "streaming…" once it is gone
                    self._assembler.close()
                    fed = True
            elif record.direction is Direction.IN and isinstance(record.payload, str):
                self._assembler.feed(record.payload, record.timestamp)
                fed = True
        if fed and not self._timer.isActive():
            self._timer.start()

    def refresh(self) -> None:
        """Show the assembled state (appending to the text, so its scroll position stays)."""
        state = self._assembler.state
        shown = self._shown
        if shown is not None and state == shown:
            return
        old_text = shown.text if shown is not None else ""
        if state.text != old_text:
            bar = self.text_view.verticalScrollBar()
            at_end = bar.value() >= bar.maximum()
            if state.text.startswith(old_text) and old_text:
                cursor = QTextCursor(self.text_view.document())
                cursor.movePosition(QTextCursor.MoveOperation.End)
                cursor.insertText(state.text[len(old_text) :])
            else:
                self.text_view.setPlainText(state.text)
            if at_end:  # follow the answer as it grows, unless the user scrolled up
                bar.setValue(bar.maximum())
        if shown is None or state.tool_calls != shown.tool_calls:
            self.tools_view.setPlainText(format_tool_calls(state.tool_calls))
            self.tools_view.setVisible(bool(state.tool_calls))
        self.status_label.setText(describe(state))
        error = f"The stream reported an error: {state.error}" if state.error else ""
        self.error_label.setText(error)
        self.error_label.setVisible(bool(state.error))
        self._shown = state
