"""Writing the log to JSON Lines and CSV (no Qt)."""

from __future__ import annotations

import base64
import csv
import json
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .records import LogRecord

__all__ = ["CSV_FIELDS", "export_csv", "export_jsonl", "record_to_dict"]

CSV_FIELDS = ("time", "direction", "event", "id", "size", "encoding", "data")


def record_to_dict(record: LogRecord) -> dict[str, Any]:
    """A JSON-ready dict; binary data is base64 with ``encoding: "base64"``."""
    payload = record.payload
    binary = isinstance(payload, bytes)
    return {
        "time": datetime.fromtimestamp(record.timestamp, timezone.utc).isoformat(
            timespec="milliseconds"
        ),
        "direction": record.direction.value,
        "event": record.event,
        "id": record.id or None,
        "size": record.size,
        "encoding": "base64" if binary else "text",
        "data": base64.b64encode(payload).decode("ascii")
        if isinstance(payload, bytes)
        else payload,
    }


def export_jsonl(records: Iterable[LogRecord], path: str | Path) -> int:
    """Write one JSON object per line; return the number of records written."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(json.dumps(record_to_dict(record), ensure_ascii=False))
            out.write("\n")
            count += 1
    return count


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
