"""Recordings: the JSON Lines format shared by ``pushsdk --record``, ``pushsdk replay``
and the monitor's export.

One JSON object per line. An optional first line, the header, says what was
recorded::

    {"format": "pushsdk-recording", "version": 1, "protocol": "sse",
     "url": "https://api.example.com/stream", "recorded_at": "2026-12-02T17:40:00.000+00:00"}

Every other line is one entry: a message received (``"in"``), a message sent
(``"out"``) or something that happened to the connection (``"system"``: events
``open``, ``close``, ``error``, ``reconnect``)::

    {"time": "2026-12-02T17:40:01.250+00:00", "direction": "in", "event": "message",
     "id": "42", "size": 11, "encoding": "text", "data": "Server time"}

``time`` is UTC with milliseconds; ``id`` is the SSE last event ID or null;
``size`` is the payload size in bytes; ``encoding`` is ``"text"``, or
``"base64"`` for binary data, which ``data`` then holds base64-encoded. A file
without a header (the monitor's export) is read as version 1 with an unknown
protocol. Readers ignore keys they do not know, so later versions may add some.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

__all__ = [
    "DIRECTIONS",
    "FORMAT",
    "PROTOCOLS",
    "VERSION",
    "Entry",
    "Header",
    "Recording",
    "RecordingError",
    "RecordingWriter",
    "entry_from_dict",
    "entry_to_dict",
    "header_to_dict",
    "iter_recording",
    "parse_line",
    "read_recording",
    "write_jsonl",
]

#: The ``format`` value of a header line.
FORMAT = "pushsdk-recording"
#: The newest version this module writes and reads.
VERSION = 1
DIRECTIONS = ("in", "out", "system")
PROTOCOLS = ("ws", "sse")


class RecordingError(ValueError):
    """A recording that cannot be read; the message names the line and what is wrong."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        #: The number of the line at fault (1 for the first).
        self.line = line


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a recording.

    Attributes:
        time: ``time.time()`` of the entry.
        direction: ``"in"``, ``"out"`` or ``"system"``.
        event: the event name (system entries: open, close, error, reconnect).
        id: the SSE last event ID, None when there is none.
        data: ``str`` for text, ``bytes`` for binary.
    """

    time: float
    direction: str
    event: str
    id: str | None
    data: str | bytes


@dataclass(frozen=True, slots=True)
class Header:
    """What a recording was made from: ``protocol`` is ``"ws"``, ``"sse"`` or None."""

    protocol: str | None = None
    url: str = ""
    recorded_at: float | None = None
    version: int = VERSION


@dataclass(frozen=True, slots=True)
class Recording:
    header: Header
    entries: list[Entry]


def _format_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="milliseconds")


def _parse_time(text: object) -> float:
    if not isinstance(text, str):
        raise ValueError(f"time must be an ISO 8601 string, got {text!r}")
    if text.endswith(("Z", "z")):  # Python 3.10's fromisoformat does not take "Z"
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def entry_to_dict(entry: Entry) -> dict[str, Any]:
    """The JSON-ready dict of one entry (binary data base64 with ``encoding: "base64"``)."""
    data = entry.data
    if isinstance(data, bytes):
        size, encoding, text = len(data), "base64", base64.b64encode(data).decode("ascii")
    else:
        size = len(data) if data.isascii() else len(data.encode("utf-8", "replace"))
        encoding, text = "text", data
    return {
        "time": _format_time(entry.time),
        "direction": entry.direction,
        "event": entry.event,
        "id": entry.id or None,
        "size": size,
        "encoding": encoding,
        "data": text,
    }


def entry_from_dict(row: dict[str, Any]) -> Entry:
    """The entry a dict of ``entry_to_dict``'s shape describes.

    Raises:
        ValueError: a missing or invalid field, named.
    """
    direction = row.get("direction")
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
    event = row.get("event", "message")
    entry_id = row.get("id")
    data = row.get("data")
    if not isinstance(event, str):
        raise ValueError(f"event must be a string, got {event!r}")
    if entry_id is not None and not isinstance(entry_id, str):
        raise ValueError(f"id must be a string or null, got {entry_id!r}")
    if not isinstance(data, str):
        raise ValueError(f"data must be a string, got {type(data).__name__}")
    encoding = row.get("encoding", "text")
    payload: str | bytes
    if encoding == "base64":
        try:
            payload = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("data is not valid base64") from None
    elif encoding == "text":
        payload = data
    else:
        raise ValueError(f"encoding must be 'text' or 'base64', got {encoding!r}")
    return Entry(_parse_time(row.get("time")), direction, event, entry_id or None, payload)


def header_to_dict(header: Header) -> dict[str, Any]:
    row: dict[str, Any] = {"format": FORMAT, "version": header.version}
    if header.protocol is not None:
        row["protocol"] = header.protocol
    if header.url:
        row["url"] = header.url
    if header.recorded_at is not None:
        row["recorded_at"] = _format_time(header.recorded_at)
    return row


def _header_from_dict(row: dict[str, Any]) -> Header:
    version = row.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"version must be a positive integer, got {version!r}")
    if version > VERSION:
        raise ValueError(
            f"recording version {version} is newer than this pushsdk reads ({VERSION}): "
            "upgrade pushsdk"
        )
    protocol = row.get("protocol")
    if protocol is not None and protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be 'ws' or 'sse', got {protocol!r}")
    url = row.get("url", "")
    recorded_at = row.get("recorded_at")
    return Header(
        protocol=protocol,
        url=url if isinstance(url, str) else "",
        recorded_at=_parse_time(recorded_at) if recorded_at is not None else None,
        version=version,
    )


def parse_line(line: str) -> Entry | Header:
    """One line of a recording: its header or an entry.

    Raises:
        ValueError: the line is not JSON or not a valid header or entry.
    """
    try:
        row = json.loads(line)
    except ValueError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(row, dict):
        raise ValueError("not a JSON object")
    if row.get("format") == FORMAT:
        return _header_from_dict(row)
    return entry_from_dict(row)


def read_recording(path: str | Path) -> Recording:
    """Read a whole recording (with or without its header line).

    Raises:
        RecordingError: a line that is not a valid header or entry, with its number.
        OSError: the file cannot be read.
    """
    header = Header()
    entries: list[Entry] = []
    for item in iter_recording(path):
        if isinstance(item, Header):
            header = item
        else:
            entries.append(item)
    return Recording(header, entries)


def iter_recording(path: str | Path) -> Iterator[Header | Entry]:
    """The header (if the file has one, first) and the entries of a recording, as read.

    Raises:
        RecordingError: a line that is not a valid header or entry (``.line`` is its
            number), or a header that is not the first line.
        OSError: the file cannot be read.
    """
    with open(path, encoding="utf-8", errors="replace") as file:
        for number, line in enumerate(file, 1):
            if not line.strip():
                continue
            try:
                item = parse_line(line)
            except ValueError as exc:
                raise RecordingError(f"{path}, line {number}: {exc}", line=number) from None
            if isinstance(item, Header) and number != 1:
                raise RecordingError(
                    f"{path}, line {number}: a header must be the first line", line=number
                )
            yield item


def _dump(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False) + "\n"


class RecordingWriter:
    """Appends entries to an open text file, one flushed line each (``tail -f`` works)."""

    def __init__(self, file: IO[str], header: Header | None = None) -> None:
        self._file = file
        if header is not None:
            file.write(_dump(header_to_dict(header)))
            file.flush()

    def write(self, entry: Entry, *, flush: bool = True) -> None:
        self._file.write(_dump(entry_to_dict(entry)))
        if flush:
            self._file.flush()

    def close(self) -> None:
        self._file.close()


def write_jsonl(entries: Iterable[Entry], path: str | Path, header: Header | None = None) -> int:
    """Write a recording file; return the number of entries written."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as file:
        writer = RecordingWriter(file, header)
        for entry in entries:
            writer.write(entry, flush=False)
            count += 1
    return count
