"""Reading a JSON Lines export back into log rows (no Qt)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pushsdk.recording import Header
from pushsdk_monitor.decoders import JsonlError, read_jsonl
from pushsdk_monitor.formats.export import export_jsonl
from pushsdk_monitor.models.records import Direction, make_record

RECORDS = [
    make_record("open", direction=Direction.SYSTEM, event="open", timestamp=1_700_000_000.0),
    make_record('{"a": 1}', event="tick", id="7", timestamp=1_700_000_000.25),
    make_record(b"\x00\xffbin", direction=Direction.OUT, timestamp=1_700_000_001.5),
    make_record("héllo\nworld", timestamp=1_700_000_002.0),
]


@pytest.mark.parametrize("header", [None, Header("sse", "https://x.test/stream", 1.0)])
def test_an_export_reads_back_as_the_same_rows(tmp_path: Path, header: Header | None) -> None:
    path = tmp_path / "log.jsonl"
    export_jsonl(RECORDS, path, header)
    opened = read_jsonl(path)
    assert opened.records == RECORDS
    assert opened.header == (header or Header())
    assert opened.skipped == 0


def test_a_limit_keeps_the_newest_rows(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    export_jsonl(RECORDS, path)
    opened = read_jsonl(path, limit=2)
    assert (opened.records, opened.skipped) == (RECORDS[2:], 2)
    with pytest.raises(ValueError, match="limit must be at least 1"):
        read_jsonl(path, limit=0)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ["time,direction"],
            "line 1: not JSON: .* \\(is it a JSON Lines export",
        ),
        (
            ['{"time": "2026-01-01T00:00:00Z", "direction": "in", "data": "x"}', "[1]"],
            "line 2: not a JSON object$",
        ),
        (
            ['{"time": "2026-01-01T00:00:00Z", "direction": "up", "data": "x"}'],
            "line 1: direction must be one of in, out, system, got 'up'",
        ),
        (
            [
                "",
                '{"time": "2026-01-01T00:00:00Z", "direction": "in", "data": "x",'
                ' "encoding": "base64"}',
            ],
            "line 2: data is not valid base64$",
        ),
        (
            [
                '{"time": "2026-01-01T00:00:00Z", "direction": "in", "data": "x"}',
                '{"format": "pushsdk-recording", "version": 1}',
            ],
            "line 2: a header must be the first line",
        ),
        (['{"format": "pushsdk-recording", "version": 9}'], "line 1: recording version 9 is newer"),
    ],
)
def test_errors_name_the_file_and_line(tmp_path: Path, lines: list[str], message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(JsonlError, match=f"^{re.escape(str(path))}, {message}"):
        read_jsonl(path)


def test_blank_lines_and_an_empty_file_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    assert read_jsonl(path).records == []
