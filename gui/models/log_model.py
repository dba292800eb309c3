"""The message log model: a bounded list of records behind a QAbstractTableModel.

Rows are appended in batches (one ``beginInsertRows`` per flush) and the oldest
are evicted in one ``beginRemoveRows``, so the view and the filter proxy do one
unit of work per timer tick, not one per message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from .records import Delivery, Direction, LogRecord

__all__ = [
    "COLUMNS",
    "DEFAULT_CAPACITY",
    "DEFAULT_MAX_BYTES",
    "DISPLAY_ROLE",
    "RECORD_ROLE",
    "LogModel",
    "newest_within",
    "record_data",
    "size_text",
]

#: Rows a tab keeps: 5 s of a 20,000 msg/s stream. Per 100,000 rows it costs 42 MiB
#: with 50-byte messages, 148 MiB with 1 KB ones (scripts/monitor_memory.py).
DEFAULT_CAPACITY = 100_000
#: Payload bytes a tab keeps in its log (and as much again while paused or behind):
#: rows alone bound nothing when each message is 1 MiB (100,000 rows: 100 GiB).
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
COLUMNS = ("Time", "Dir", "Event", "Id", "Size", "Preview")
COL_TIME, COL_DIRECTION, COL_EVENT, COL_ID, COL_SIZE, COL_PREVIEW = range(len(COLUMNS))
#: Item data role returning the row's LogRecord.
RECORD_ROLE = Qt.ItemDataRole.UserRole.value + 1

_DIRECTION_TEXT = {Direction.IN: "▼ in", Direction.OUT: "▲ out", Direction.SYSTEM: "● sys"}
#: A binary frame says so where a text frame says in / out, and its preview is teal.
_BINARY_TEXT = {Direction.IN: "▼ bin", Direction.OUT: "▲ bin"}
_BINARY_COLOUR = QBrush(QColor("#0b7285"))
_DELIVERY_TEXT = {Delivery.QUEUED: "◷ queued", Delivery.DROPPED: "✕ dropped"}
_QUEUED_COLOUR = QBrush(QColor("#6c757d"))
_DIRECTION_COLOUR = {
    Direction.IN: QBrush(QColor("#1f5fbf")),
    Direction.OUT: QBrush(QColor("#1d7a35")),
    Direction.SYSTEM: QBrush(QColor("#8a5a00")),
}
_ERROR_COLOUR = QBrush(QColor("#b3261e"))
_EVENT_COLOUR = QBrush(QColor("#7b2cbf"))
_BACKGROUND = {
    Direction.OUT: QBrush(QColor("#eef8f0")),
    Direction.SYSTEM: QBrush(QColor("#fdf6e3")),
}
_ERROR_BACKGROUND = QBrush(QColor("#fdecea"))
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
# data() runs for every role of every visible cell on each repaint: compare plain ints.
_DISPLAY = DISPLAY_ROLE = Qt.ItemDataRole.DisplayRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_BACKGROUND_ROLE = Qt.ItemDataRole.BackgroundRole.value
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value
_RECORD = Qt.ItemDataRole.UserRole.value + 1
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_ROLES = frozenset({_DISPLAY, _FOREGROUND, _BACKGROUND_ROLE, _ALIGNMENT, _RECORD})

Index = QModelIndex | QPersistentModelIndex


def size_text(size: int) -> str:
    """A size short enough for the Size column to show whole (never "1,048,5…").

    Exact bytes below 100,000, then KiB, then MiB; the detail pane gives the exact count.
    """
    if size < 100_000:
        return f"{size:,}"
    if size < 1000 * 1024:
        return f"{size // 1024} KiB"
    mib = size / (1024 * 1024)
    return f"{mib:.1f} MiB" if mib < 9.95 else f"{mib:.0f} MiB"


def _cell(record: LogRecord, column: int) -> str:
    if column == COL_PREVIEW:
        return record.preview
    if column == COL_TIME:
        return record.time_text
    if column == COL_DIRECTION:
        if record.delivery is not Delivery.SENT:
            return _DELIVERY_TEXT[record.delivery]
        if record.is_binary:
            return _BINARY_TEXT.get(record.direction, "● sys")
        return _DIRECTION_TEXT[record.direction]
    if column == COL_EVENT:
        return record.event
    if column == COL_ID:
        return record.id
    return "" if record.direction is Direction.SYSTEM else size_text(record.size)


def record_data(record: LogRecord, column: int, role: int) -> Any:
    """What a cell of ``record``'s row shows for ``role`` (shared with the filter proxy)."""
    if role not in _ROLES:
        return None
    if role == _DISPLAY:
        return _cell(record, column)
    if role == _FOREGROUND:
        if record.direction is Direction.SYSTEM and record.event == "error":
            return _ERROR_COLOUR
        if record.delivery is not Delivery.SENT:
            return _QUEUED_COLOUR if record.delivery is Delivery.QUEUED else _ERROR_COLOUR
        if column == COL_DIRECTION:
            return _DIRECTION_COLOUR[record.direction]
        if column == COL_PREVIEW and record.is_binary:
            return _BINARY_COLOUR
        if column == COL_EVENT and record.event != "message":
            return _EVENT_COLOUR  # custom events (SSE event:, WS event_key) stand out
        return None
    if role == _BACKGROUND_ROLE:
        if record.direction is Direction.SYSTEM and record.event == "error":
            return _ERROR_BACKGROUND
        return _BACKGROUND.get(record.direction)
    if role == _ALIGNMENT:
        return _RIGHT if column == COL_SIZE else None
    return record


class RecordTable(QAbstractTableModel):
    """A flat table of ``_rows`` (LogRecords) in the log's columns: what the log and
    the filter's view of it share."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[LogRecord] = []

    def record(self, row: int) -> LogRecord:
        """The record of row ``row``."""
        return self._rows[row]

    def records(self) -> list[LogRecord]:
        """A copy of every record shown, oldest first."""
        return list(self._rows)

    def row_of(self, record: LogRecord) -> int | None:
        """The row holding ``record`` itself, or None (hidden, evicted, never added)."""
        rows = self._rows
        for row in range(len(rows) - 1, -1, -1):  # the rows asked about are recent ones
            if rows[row] is record:
                return row
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        row = index.row()
        if not (0 <= row < len(self._rows)) or not index.isValid():
            return None
        return record_data(self._rows[row], index.column(), role)


def newest_within(records: Sequence[LogRecord], rows: int, max_bytes: int) -> int:
    """The index of the first of ``records`` to keep: the newest ones that fit in ``rows``
    and ``max_bytes`` of payload (always the newest one, however big)."""
    start = len(records)
    oldest = max(start - rows, 0)
    total = 0
    while start > oldest:
        total += records[start - 1].size
        if total > max_bytes and start < len(records):
            break
        start -= 1
    return start


class LogModel(RecordTable):
    """At most ``capacity`` records and ``max_bytes`` of payload, oldest first; the
    oldest are evicted when full."""

    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        parent: Any = None,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        super().__init__(parent)
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be at least 1, got {max_bytes}")
        self._capacity = capacity
        self._max_bytes = max_bytes
        self._bytes = 0  # payload bytes of the rows
        self.appended = 0  #: records ever appended
        self.evicted = 0  #: records dropped to stay within capacity
        self.cleared = 0  #: records removed by clear()

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def max_bytes(self) -> int:
        return self._max_bytes

    @property
    def payload_bytes(self) -> int:
        """Payload bytes of the rows held."""
        return self._bytes

    def rows(self, start: int, stop: int) -> list[LogRecord]:
        """The records of rows ``start`` to ``stop - 1``."""
        return self._rows[start:stop]

    def append(self, records: Sequence[LogRecord]) -> None:
        """Append a batch, evicting the oldest rows beyond capacity or ``max_bytes``."""
        if not records:
            return
        self.appended += len(records)
        added = sum(record.size for record in records)
        if len(records) > self._capacity or added > self._max_bytes:  # rare: a loop in Python
            start = newest_within(records, self._capacity, self._max_bytes)
            self.evicted += start
            records = records[start:]
            added = sum(record.size for record in records)
        rows = self._rows
        overflow = max(len(rows) + len(records) - self._capacity, 0)
        removed = sum(rows[row].size for row in range(overflow))
        while overflow < len(rows) and self._bytes - removed + added > self._max_bytes:
            removed += rows[overflow].size
            overflow += 1
        self._bytes += added - removed
        if overflow > 0:
            self.beginRemoveRows(QModelIndex(), 0, overflow - 1)
            del rows[:overflow]
            self.evicted += overflow
            self.endRemoveRows()
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(records) - 1)
        self._rows.extend(records)
        self.endInsertRows()

    def replace(self, old: LogRecord, new: LogRecord) -> bool:
        """Put ``new`` in ``old``'s row; False if ``old`` is not (or no longer) there."""
        row = self.row_of(old)
        if row is None:
            return False
        self._rows[row] = new
        self._bytes += new.size - old.size
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        return True

    def clear(self) -> None:
        if not self._rows:
            return
        self.beginResetModel()
        self.cleared += len(self._rows)
        self._rows.clear()
        self._bytes = 0
        self.endResetModel()

    # -- QAbstractTableModel ------------------------------------------------------------

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags
