"""The state badge, the counters and the rate chart of a tab."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..connection.controller import Counters, Status
from ..models.rate import RateSeries
from .elided_label import ElidedLabel
from .rate_chart import RateChart

__all__ = ["StatusPanel", "format_bytes"]

_BADGE_COLOURS = {
    "open": "#2b8a3e",
    "connecting": "#1971c2",
    "reconnecting": "#e67700",
    "closed": "#868e96",
}
_ERROR_STYLE = "color: #b3261e"
_NOTE_STYLE = "color: #555b63"


def format_bytes(count: int) -> str:
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


class StatusPanel(QWidget):
    """Shows a Status and Counters; updates a label only when its text changes."""

    def __init__(self, series: RateSeries, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.badge = QLabel()
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.badge.setMinimumWidth(150)
        self.counters_label = QLabel()
        self.counters_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Big numbers wrap onto a second line rather than widen the window.
        self.counters_label.setWordWrap(True)
        self.error_label = ElidedLabel()
        self.error_label.setStyleSheet(_ERROR_STYLE)
        self.note_label = ElidedLabel()
        self.note_label.setStyleSheet(_NOTE_STYLE)
        self.note_label.hide()
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.timeout.connect(lambda: self.show_note(""))
        self.outgoing = True  #: whether to count sent messages (SSE tabs send none)
        self.chart = RateChart(series)

        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.counters_label)
        text.addWidget(self.error_label)
        text.addWidget(self.note_label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(text, 1)
        layout.addWidget(self.chart, 1)
        self._kind = ""
        self.status = Status("Closed", "closed")  #: the status shown
        self.show_status(Status("Closed", "closed"))
        self.show_counters(Counters())

    def show_status(self, status: Status) -> None:
        self.status = status
        label = f"●  {status.label}"
        if self.badge.text() != label:
            self.badge.setText(label)
        if status.kind != self._kind:
            self._kind = status.kind
            self.badge.setStyleSheet(
                f"QLabel {{ color: white; background: {_BADGE_COLOURS[status.kind]};"
                " border-radius: 10px; padding: 4px 12px; font-weight: bold; }"
            )
        error = f"Last error: {status.last_error}" if status.last_error else ""
        if self.error_label.full_text != error:
            self.error_label.set_full_text(error)
        self.error_label.setVisible(bool(error))

    def show_note(self, text: str, *, error: bool = False, timeout_ms: int = 0) -> None:
        """A line for what the user just did (export done, bad URL); "" hides it.

        ``error`` shows it in red; ``timeout_ms`` hides it after that long.
        """
        self._note_timer.stop()
        self.note_label.setStyleSheet(_ERROR_STYLE if error else _NOTE_STYLE)
        self.note_label.set_full_text(text)
        self.note_label.setVisible(bool(text))
        if text and timeout_ms:
            self._note_timer.start(timeout_ms)

    def show_counters(self, counters: Counters) -> None:
        out = (
            f"<b>{counters.messages_out:,}</b> out ({format_bytes(counters.bytes_out)}) · "
            if self.outgoing
            else ""
        )
        attempt = f", attempt {counters.attempt}" if counters.attempt else ""
        text = (
            f"<b>{counters.messages_in:,}</b> in ({format_bytes(counters.bytes_in)}) · {out}"
            f"<b>{counters.rate:,}</b> msg/s · "
            f"<b>{counters.reconnects}</b> reconnects{attempt}"
        )
        if counters.compression:
            text += f" · {counters.compression}"
        if self.counters_label.text() != text:
            self.counters_label.setText(text)
