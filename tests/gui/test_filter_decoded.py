"""The filter on decoded payloads: text/regex inside compressed or binary documents,
and the JSON-path mode (matcher, filter bar, a live tab)."""

from __future__ import annotations

import base64
import gzip
import json

import msgpack
import pytest

from pushsdk_monitor.models.filter_proxy import LogFilter, compile_filter
from pushsdk_monitor.models.records import Direction, make_record
from pushsdk_monitor.views.filter_bar import FilterBar
from tests.gui.test_tab import connect, deliver, rows

WAIT_MS = 5000
RECORDS = {
    "gzip": make_record(gzip.compress(json.dumps({"type": "trade", "px": 101}).encode())),
    "msgpack": make_record(msgpack.packb({"type": "quote", "px": 99})),
    "base64": make_record(base64.b64encode(b'{"type": "trade", "px": 7}').decode()),
    "json": make_record('{"type": "trade", "px": 250, "ok": true}'),
    "text": make_record("Server time: 12:00"),
    "system": make_record("connected", direction=Direction.SYSTEM, event="open"),
}
ALL = set(RECORDS)


@pytest.mark.parametrize(
    ("spec", "shown"),
    [
        (LogFilter(text="trade"), {"gzip", "base64", "json"}),
        (LogFilter(text="QUOTE"), {"msgpack"}),
        (LogFilter(text=r'"px": 1\d\d', regex=True), {"gzip"}),  # decoded text is pretty JSON
        (LogFilter(text="trade", exclude=True), {"msgpack", "text", "system"}),
        (LogFilter(text='$.type == "trade"', json_path=True), {"gzip", "base64", "json"}),
        (LogFilter(text="$.px > 100", json_path=True), {"gzip", "json"}),
        (LogFilter(text="$.px < 100", json_path=True), {"msgpack", "base64"}),
        (LogFilter(text="$.ok exists", json_path=True), {"json"}),
        (LogFilter(text='$.type != "trade"', json_path=True), {"msgpack"}),
        (LogFilter(text="$.px > 100", json_path=True, exclude=True), ALL - {"gzip", "json"}),
        (LogFilter(text="$.px >", json_path=True), ALL),  # invalid: filters nothing
        (LogFilter(text="", json_path=True), ALL),
        (
            LogFilter(text="$.px > 0", json_path=True, directions=frozenset({Direction.SYSTEM})),
            set(),
        ),
    ],
)
def test_filter(spec: LogFilter, shown: set[str]) -> None:
    accepts = compile_filter(spec)
    assert {name for name, record in RECORDS.items() if accepts(record)} == shown


def test_path_errors_are_reported() -> None:
    assert LogFilter(text="$.px >", json_path=True).path_error == (
        "column 7: expected a value after >: a string, number, true, false or null"
        ' (e.g. $.type == "trade")'
    )
    assert LogFilter(text="$.px > 1", json_path=True).path_error is None
    assert LogFilter(text="$.px >").path_error is None  # not in JSON-path mode


def test_the_filter_bar_has_a_json_path_mode(qtbot) -> None:
    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.show()
    with qtbot.waitSignal(bar.filter_changed, timeout=WAIT_MS):
        bar.path_button.click()
    assert bar.spec.json_path
    assert not bar.regex_button.isEnabled() and not bar.case_button.isEnabled()
    assert bar.text_edit.placeholderText() == 'JSON path, e.g. $.type == "trade"'
    bar.text_edit.setText("$.type = 1")
    bar.apply()
    assert bar.regex_error_label.isVisible()
    assert bar.regex_error_label.full_text.startswith(
        "Invalid JSON path: column 8: use == to compare, not ="
    )
    bar.text_edit.setText("$.type == 1")
    bar.apply()
    assert not bar.regex_error_label.isVisible()
    bar.path_button.click()
    assert not bar.spec.json_path and bar.regex_button.isEnabled()


def test_a_live_tab_filters_compressed_messages_by_field(qtbot, tab, fake_factory) -> None:
    client = connect(qtbot, tab, fake_factory)
    deliver(
        client,
        *(
            (
                gzip.compress(json.dumps({"seq": n, "side": "buy" if n % 2 else "sell"}).encode()),
                "message",
            )
            for n in range(6)
        ),
    )
    qtbot.waitUntil(lambda: tab.controller.model.rowCount() == 7, timeout=WAIT_MS)
    tab.filter_bar.path_button.click()
    tab.filter_bar.text_edit.setText('$.side == "buy"')
    tab.filter_bar.apply()
    assert tab.controller.proxy.rowCount() == 3
    tab.filter_bar.path_button.click()
    tab.filter_bar.text_edit.setText('"seq": 4')  # text search in the decoded JSON
    tab.filter_bar.apply()
    assert [r[0] for r in rows(tab)] == ["in"]
    payload = tab.controller.proxy.record(0).payload
    assert isinstance(payload, bytes)
    assert gzip.decompress(payload) == b'{"seq": 4, "side": "sell"}'
