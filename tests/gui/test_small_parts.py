"""Rate series, export, header parsing, URL rules and formatting helpers."""

from __future__ import annotations

import base64
import csv
import json
from pathlib import Path

import pytest

from pushsdk_monitor.connection.clients import Transport, transport_for_url
from pushsdk_monitor.formats.export import CSV_FIELDS, export_csv, export_jsonl
from pushsdk_monitor.formats.headers import format_headers, parse_headers
from pushsdk_monitor.models.rate import RateSeries
from pushsdk_monitor.models.records import Direction, make_record
from pushsdk_monitor.tab_title import tab_title
from pushsdk_monitor.views.rate_chart import nice_ceiling
from pushsdk_monitor.views.status_panel import format_bytes


def test_rate_series_buckets_by_second() -> None:
    series = RateSeries(5)
    series.add(100.2, 3)
    series.add(100.9, 2)
    series.add(101.5)
    assert series.values() == [0, 0, 0, 5, 1]
    assert series.last_rate() == 5
    series.advance(103.0)
    assert series.values() == [0, 5, 1, 0, 0]
    series.add(500.0, 7)  # a long gap clears the window
    assert series.values() == [0, 0, 0, 0, 7]
    series.add(499.0, 1)  # a clock going backwards counts into the current second
    assert series.values() == [0, 0, 0, 0, 8]
    with pytest.raises(ValueError):
        RateSeries(1)


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 1), (1, 1), (3, 5), (5, 5), (6, 10), (11, 20), (21, 50), (20_001, 50_000)],
)
def test_nice_ceiling(value: int, ceiling: int) -> None:
    assert nice_ceiling(value) == ceiling


RECORDS = [
    make_record('{"a": "é"}', event="update", id="9", timestamp=1_700_000_000.25),
    make_record(b"\x00\xffbin", timestamp=1_700_000_001.0),
    make_record('line1\nline2, "quoted"', direction=Direction.OUT, timestamp=1_700_000_002.0),
]


def test_export_jsonl_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    assert export_jsonl(RECORDS, path) == 3
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert rows[0] == {
        "time": "2023-11-14T22:13:20.250+00:00",
        "direction": "in",
        "event": "update",
        "id": "9",
        "size": 11,
        "encoding": "text",
        "data": '{"a": "é"}',
    }
    assert base64.b64decode(rows[1]["data"]) == b"\x00\xffbin"
    assert rows[1]["encoding"] == "base64"
    assert rows[2]["direction"] == "out"
    assert rows[2]["data"] == 'line1\nline2, "quoted"'


def test_export_csv_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    assert export_csv(RECORDS, path) == 3
    with open(path, newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert tuple(rows[0]) == CSV_FIELDS
    assert [r["data"] for r in rows] == ['{"a": "é"}', "AP9iaW4=", 'line1\nline2, "quoted"']
    assert [r["id"] for r in rows] == ["9", "", ""]
    assert rows[1]["encoding"] == "base64"


def test_parse_headers() -> None:
    text = "Authorization: Bearer x:y\n\n# a comment\n  X-Trace :  1 \n"
    assert parse_headers(text) == {"Authorization": "Bearer x:y", "X-Trace": "1"}
    assert parse_headers(format_headers({"A": "1", "B": ""})) == {"A": "1", "B": ""}
    for bad in ("no colon", ": empty name", "Bad Name: x"):
        with pytest.raises(ValueError, match="line 1"):
            parse_headers(bad)


@pytest.mark.parametrize(
    ("url", "transport"),
    [
        ("ws://h/x", Transport.WEBSOCKET),
        ("WSS://h", Transport.WEBSOCKET),
        (" http://h:1/stream ", Transport.SSE),
        ("https://h", Transport.SSE),
    ],
)
def test_transport_for_url(url: str, transport: Transport) -> None:
    assert transport_for_url(url) is transport


@pytest.mark.parametrize("url", ["", "ftp://h", "h:80", "ws://", "http:///x"])
def test_transport_for_url_rejects(url: str) -> None:
    with pytest.raises(ValueError):
        transport_for_url(url)


def test_formatting_helpers() -> None:
    assert [format_bytes(n) for n in (0, 1023, 1536, 5 * 1024**3)] == [
        "0 B",
        "1023 B",
        "1.5 KiB",
        "5.0 GiB",
    ]
    assert tab_title("ws://127.0.0.1:80/a/ws") == "127.0.0.1:80/ws"
    assert tab_title("http://example.com/") == "example.com"
    assert tab_title("") == "New tab"


def test_demo_server_on_a_busy_port_says_so_in_one_line(capsys) -> None:
    from pushsdk_monitor.demo_server import DemoServer, main

    with DemoServer(port=0) as busy, pytest.raises(SystemExit) as exit_info:
        main(["--port", str(busy.port)])
    message = str(exit_info.value.code)
    assert message.startswith("demo server: [Errno") and f"127.0.0.1:{busy.port}" in message
    assert "\n" not in message
    assert "Traceback" not in capsys.readouterr().err
