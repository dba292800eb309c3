"""Writing the log to JSON Lines and CSV (no Qt).

JSON Lines is pushsdk's recording format (``pushsdk.recording``), the one
``pushsdk --record`` writes and ``pushsdk replay`` serves, so the two tools share
their files.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pushsdk.recording import Entry, Header, entry_to_dict, write_jsonl

from ..models.records import LogRecord

__all__ = ["CSV_FIELDS", "export_csv", "export_jsonl", "record_to_dict", "record_to_entry"]

CSV_FIELDS = ("time", "direction", "event", "id", "size", "encoding", "data")


def record_to_entry(record: LogRecord) -> Entry:
    """The recording entry of one log row."""
    return Entry(
        record.timestamp, record.direction.value, record.event, record.id or None, record.payload
    )


def record_to_dict(record: LogRecord) -> dict[str, Any]:
    """A JSON-ready dict; binary data is base64 with ``encoding: "base64"``."""
    return entry_to_dict(record_to_entry(record))


def export_jsonl(
    records: Iterable[LogRecord], path: str | Path, header: Header | None = None
) -> int:
    """Write one JSON object per line; return the number of records written.

    With ``header`` (protocol and URL of the tab), the file starts with the
    recording header line, which ``pushsdk replay`` uses to pick the protocol.
    """
    return write_jsonl((record_to_entry(r) for r in records), path, header)


def export_csv(records: Iterable[LogRecord], path: str | Path) -> int:
    """Write a CSV with a header row (CSV_FIELDS); return the number of records written."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for record in records:
            row = record_to_dict(record)
            row["id"] = row["id"] or ""
            writer.writerow(row)
            count += 1
    return count
