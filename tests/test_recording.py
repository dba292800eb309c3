"""The recording format shared by ``pushsdk --record``, ``pushsdk replay`` and the monitor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pushsdk.recording import (
    Entry,
    Header,
    RecordingError,
    entry_from_dict,
    entry_to_dict,
    parse_line,
    read_recording,
    write_jsonl,
)

ENTRIES = [
    Entry(1_700_000_000.0, "system", "open", None, "connected"),
    Entry(1_700_000_000.25, "in", "update", "9", '{"a": "é"}'),
    Entry(1_700_000_001.5, "in", "message", None, b"\x00\xffbin"),
    Entry(1_700_000_002.0, "out", "message", None, 'line1\nline2, "quoted"'),
]


def test_round_trip_with_header(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    header = Header("sse", "https://h/stream", 1_700_000_000.0)
    assert write_jsonl(ENTRIES, path, header) == 4
    recording = read_recording(path)
    assert recording.header == header
    assert recording.entries == ENTRIES
    first, second = path.read_text("utf-8").splitlines()[:2]
    assert json.loads(first) == {
        "format": "pushsdk-recording",
        "version": 1,
        "protocol": "sse",
        "url": "https://h/stream",
        "recorded_at": "2023-11-14T22:13:20.000+00:00",
    }
    assert json.loads(second)["time"] == "2023-11-14T22:13:20.000+00:00"


def test_entry_dict_is_the_monitor_export_shape() -> None:
    assert entry_to_dict(ENTRIES[1]) == {
        "time": "2023-11-14T22:13:20.250+00:00",
        "direction": "in",
        "event": "update",
        "id": "9",
        "size": 11,
        "encoding": "text",
        "data": '{"a": "é"}',
    }
    assert entry_to_dict(ENTRIES[2])["data"] == "AP9iaW4="


def test_a_file_without_header_reads_as_version_1_unknown_protocol(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    write_jsonl(ENTRIES, path)
    recording = read_recording(path)
    assert recording.header == Header()
    assert recording.entries == ENTRIES


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"direction": "in", "data": "x"}, "time must be an ISO 8601 string"),
        ({"time": "2023-11-14T22:13:20Z", "direction": "up", "data": "x"}, "direction must be"),
        ({"time": "2023-11-14T22:13:20Z", "direction": "in", "data": 1}, "data must be a string"),
        ({"time": "2023-11-14T22:13:20Z", "direction": "in", "id": 3, "data": ""}, "id must be"),
        (
            {"time": "2023-11-14T22:13:20Z", "direction": "in", "data": "@@", "encoding": "base64"},
            "not valid base64",
        ),
        (
            {"time": "2023-11-14T22:13:20Z", "direction": "in", "data": "", "encoding": "rot13"},
            "encoding must be",
        ),
        ({"time": "yesterday", "direction": "in", "data": ""}, "Invalid isoformat"),
    ],
)
def test_invalid_entries_are_named(row: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        entry_from_dict(row)  # type: ignore[arg-type]


def test_z_suffix_and_naive_times_are_utc() -> None:
    for text in ("2023-11-14T22:13:20Z", "2023-11-14T22:13:20"):
        assert entry_from_dict({"time": text, "direction": "in", "data": ""}).time == 1_700_000_000


def test_unknown_keys_are_ignored_for_later_versions() -> None:
    line = '{"time": "2023-11-14T22:13:20Z", "direction": "in", "data": "x", "extra": [1]}'
    assert parse_line(line) == Entry(1_700_000_000.0, "in", "message", None, "x")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json\n", "line 1: not JSON"),
        ("[1]\n", "line 1: not a JSON object"),
        ('{"format": "pushsdk-recording", "version": 2}\n', "newer than this pushsdk reads"),
        ('{"format": "pushsdk-recording", "version": 1, "protocol": "mqtt"}\n', "protocol must"),
        (
            '{"time": "2023-11-14T22:13:20Z", "direction": "in", "data": ""}\n'
            '{"format": "pushsdk-recording", "version": 1}\n',
            "line 2: a header must be the first line",
        ),
    ],
)
def test_bad_files_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(text, "utf-8")
    with pytest.raises(RecordingError, match=message):
        read_recording(path)


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    write_jsonl(ENTRIES[:1], path)
    path.write_text("\n" + path.read_text() + "\n\n")
    assert read_recording(path).entries == ENTRIES[:1]
