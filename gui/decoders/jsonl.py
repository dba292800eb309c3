"""Reading a JSON Lines export (or a ``pushsdk --record`` recording) back into log rows.

The format is pushsdk's recording format (:mod:`pushsdk.recording`): an optional
header line, then one entry per line. A file larger than the log's capacity keeps
its last ``limit`` rows, as a live tab would have, and says how many it left out.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path

from pushsdk.recording import Header, RecordingError, iter_recording

from ..models.records import Direction, LogRecord, make_record

__all__ = ["JsonlError", "OpenedLog", "read_jsonl"]


class JsonlError(ValueError):
    """A file that is not a monitor export; the message names the file and the line."""


@dataclass(frozen=True, slots=True)
class OpenedLog:
    """What :func:`read_jsonl` read: the header (protocol, URL), the rows, and how
    many older rows were left out to stay within the limit."""

    header: Header
    records: list[LogRecord]
    skipped: int


def read_jsonl(path: str | Path, *, limit: int | None = None) -> OpenedLog:
    """Read the export at ``path``, keeping the last ``limit`` rows (all when None).

    Raises:
        JsonlError: a line that is not a recording header or entry, with its number.
        OSError: the file cannot be read.
    """
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    header = Header()
    records: deque[LogRecord] = deque(maxlen=limit)
    total = 0
    try:
        for item in iter_recording(path):
            if isinstance(item, Header):
                header = item
                continue
            total += 1
            records.append(
                make_record(
                    item.data,
                    direction=Direction(item.direction),
                    event=item.event,
                    id=item.id,
                    timestamp=item.time,
                )
            )
    except RecordingError as exc:
        hint = " (is it a JSON Lines export of the monitor?)" if exc.line == 1 else ""
        raise JsonlError(f"{exc}{hint}") from None
    return OpenedLog(header, list(records), total - len(records))
