"""Log records: what the GUI shows for one message or connection event.

Records are built on SDK threads, so this module never touches Qt. Every string
a table cell shows is computed once here, not on each paint.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from enum import Enum

__all__ = [
    "PREVIEW_CHARS",
    "BoundedRecords",
    "Delivery",
    "Direction",
    "LogRecord",
    "RecordBuffer",
    "format_time",
    "make_record",
]

#: Characters of payload shown in the Preview column.
PREVIEW_CHARS = 200

_PREVIEW_TRANSLATION = str.maketrans({"\n": "⏎", "\r": " ", "\t": " "})
#: Bytes of a binary payload previewed: hex, then the printable ASCII beside it.
_PREVIEW_BYTES = PREVIEW_CHARS // 5
_ASCII = bytes(b if 0x20 <= b < 0x7F else 0x2E for b in range(256))


class Direction(str, Enum):
    """Where a row came from: the server, us, or the connection itself."""

    IN = "in"
    OUT = "out"
    SYSTEM = "system"


class Delivery(str, Enum):
    """Where a sent message is: written, waiting for the connection, or never sent."""

    SENT = "sent"
    QUEUED = "queued"
    DROPPED = "dropped"


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One row of the message log.

    Attributes:
        timestamp: ``time.time()`` of the message.
        time_text: ``HH:MM:SS.mmm`` in local time.
        direction: in, out or system.
        event: the event name (system rows: open, close, error, reconnect).
        id: the SSE event id, "" when there is none.
        size: payload size in bytes (UTF-8 for text).
        preview: the first PREVIEW_CHARS characters on one line; for binary, the first
            bytes in hex with their printable ASCII beside (``68 69  |hi|``).
        payload: the full data (``bytes`` for binary).
        delivery: for sent messages, whether they were written yet (others: SENT).
        note: what happened to the message besides, e.g. "queued at 12:00:01.250".
    """

    timestamp: float
    time_text: str
    direction: Direction
    event: str
    id: str
    size: int
    preview: str
    payload: str | bytes
    delivery: Delivery = Delivery.SENT
    note: str = ""

    @property
    def is_binary(self) -> bool:
        return isinstance(self.payload, bytes)

    @property
    def text(self) -> str:
        """The payload as text: itself, binary decoded as UTF-8 where it decodes, else hex."""
        payload = self.payload
        if isinstance(payload, str):
            return payload
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return self.preview


class _Clock:
    """Formats timestamps, reusing the HH:MM:SS part within the same second.

    Client threads share it; the cache is one tuple, replaced whole, so a thread
    never pairs one second with another second's text.
    """

    def __init__(self) -> None:
        self._cache: tuple[int, str] = (-1, "")

    def format(self, timestamp: float) -> str:
        second = int(timestamp)
        cache = self._cache
        if cache[0] != second:
            cache = (second, time.strftime("%H:%M:%S", time.localtime(second)))
            self._cache = cache
        return f"{cache[1]}.{int((timestamp - second) * 1000):03d}"


_clock = _Clock()


def make_record(
    payload: str | bytes,
    *,
    direction: Direction = Direction.IN,
    event: str = "message",
    id: str | None = None,
    timestamp: float | None = None,
) -> LogRecord:
    """Build a record, formatting every cell's text once."""
    when = time.time() if timestamp is None else timestamp
    if isinstance(payload, bytes):
        size = len(payload)
        head = payload[:_PREVIEW_BYTES]
        more = " …" if size > len(head) else ""
        preview = f"{head.hex(' ')}{more}  |{head.translate(_ASCII).decode('ascii')}|"
    else:
        size = len(payload) if payload.isascii() else len(payload.encode("utf-8", "replace"))
        preview = payload[:PREVIEW_CHARS].translate(_PREVIEW_TRANSLATION)
    return LogRecord(when, _clock.format(when), direction, event, id or "", size, preview, payload)


def format_time(timestamp: float) -> str:
    """``HH:MM:SS.mmm`` in local time, as the Time column shows it."""
    return _clock.format(timestamp)


class BoundedRecords:
    """Records, oldest first, within ``limit`` records and ``max_bytes`` of payload: the
    oldest go first, the newest is always kept. Counts what it drops (``dropped``; of
    them, received messages and their bytes: ``lost_in``, ``lost_in_bytes``).
    Not thread-safe."""

    def __init__(self, limit: int, max_bytes: int | None = None) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        self._records: deque[LogRecord] = deque()
        self._limit = limit
        self._max_bytes = max_bytes
        self.bytes = 0
        self.dropped = 0
        self.lost_in = self.lost_in_bytes = 0

    def __len__(self) -> int:
        return len(self._records)

    def append(self, record: LogRecord) -> None:
        self._records.append(record)
        self.bytes += record.size
        self._trim()

    def extend(self, records: list[LogRecord]) -> None:
        self._records.extend(records)
        self.bytes += sum(record.size for record in records)
        self._trim()

    def replace(self, old: LogRecord, new: LogRecord) -> bool:
        """Put ``new`` in place of ``old`` if it is held; return whether it was."""
        records = self._records
        for index in range(len(records) - 1, -1, -1):  # the one asked about is recent
            if records[index] is old:
                records[index] = new
                self.bytes += new.size - old.size
                return True
        return False

    def take(self) -> list[LogRecord]:
        """Every record held, oldest first; none is held afterwards."""
        records = list(self._records)
        self.clear()
        return records

    def clear(self) -> None:
        self._records.clear()
        self.bytes = 0

    def _trim(self) -> None:
        records, max_bytes = self._records, self._max_bytes
        while len(records) > self._limit or (
            max_bytes is not None and self.bytes > max_bytes and len(records) > 1
        ):
            lost = records.popleft()
            self.bytes -= lost.size
            self.dropped += 1
            if lost.direction is Direction.IN:
                self.lost_in += 1
                self.lost_in_bytes += lost.size


class RecordBuffer:
    """A bounded, thread-safe hand-off from SDK threads to the GUI thread.

    SDK callbacks ``push``; the GUI timer ``drain``s. When the GUI falls more than
    ``limit`` records or ``max_bytes`` of payload behind, the oldest pending ones are
    dropped and counted (the newest is always kept).
    """

    def __init__(self, limit: int, max_bytes: int | None = None) -> None:
        self._lock = threading.Lock()
        self._pending = BoundedRecords(limit, max_bytes)
        self._pushed = 0

    def push(self, record: LogRecord) -> None:
        with self._lock:
            self._pending.append(record)
            self._pushed += 1

    def replace(self, old: LogRecord, new: LogRecord) -> bool:
        """Put ``new`` in place of ``old`` if it is still pending; return whether it was."""
        with self._lock:
            return self._pending.replace(old, new)

    def drain(self) -> list[LogRecord]:
        """Take every pending record, oldest first."""
        with self._lock:
            return self._pending.take()

    @property
    def pushed(self) -> int:
        return self._pushed

    @property
    def lost_received(self) -> tuple[int, int]:
        """Received messages dropped so far, and their payload bytes (for the counters)."""
        with self._lock:
            return self._pending.lost_in, self._pending.lost_in_bytes

    @property
    def dropped(self) -> int:
        """Records pushed that were dropped before being drained."""
        with self._lock:
            return self._pending.dropped
