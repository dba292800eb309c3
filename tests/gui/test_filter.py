"""The log filter's matching rules, table-driven (no Qt)."""

from __future__ import annotations

import pytest

from pushsdk_monitor.models.filter_proxy import LogFilter, compile_filter
from pushsdk_monitor.models.records import Direction, make_record

RECORDS = {
    "tick": make_record("Server time: 12:00:01"),
    "json": make_record('{"type": "Trade", "price": 10}', event="trade"),
    "ping": make_record("keep-alive", event="ping", id="17"),
    "out": make_record("hello", direction=Direction.OUT),
    "close": make_record("code 1000", direction=Direction.SYSTEM, event="close"),
    "binary": make_record(b"\xde\xad"),
}
ALL = set(RECORDS)
IN_ONLY = frozenset({Direction.IN})


@pytest.mark.parametrize(
    ("spec", "shown"),
    [
        (LogFilter(), ALL),
        (LogFilter(text="time"), {"tick"}),
        (LogFilter(text="TIME", case_sensitive=True), set()),
        (LogFilter(text="trade"), {"json"}),  # payload (any case) or event name
        (LogFilter(text="Trade", case_sensitive=True), {"json"}),
        (LogFilter(text=r"\d{2}:\d{2}", regex=True), {"tick"}),
        (LogFilter(text=r"\d{2}:\d{2}"), set()),  # not a regex: literal
        (LogFilter(text='price": 1[', regex=True), set()),  # invalid regex: literal, no match
        (LogFilter(text='"price": 1', regex=True), {"json"}),
        (LogFilter(text="(", regex=True), set()),
        (LogFilter(text="17"), {"ping"}),  # the id
        (LogFilter(text="de ad"), {"binary"}),  # binary: the hex preview
        (LogFilter(text="ping", exclude=True), ALL - {"ping"}),
        (LogFilter(text="time", exclude=True, directions=IN_ONLY), {"json", "ping", "binary"}),
        (LogFilter(directions=IN_ONLY), {"tick", "json", "ping", "binary"}),
        (LogFilter(directions=frozenset({Direction.SYSTEM})), {"close"}),
        (LogFilter(hidden_events=frozenset({"ping", "message"})), {"json", "close"}),
    ],
)
def test_filter(spec: LogFilter, shown: set[str]) -> None:
    accepts = compile_filter(spec)
    assert {name for name, record in RECORDS.items() if accepts(record)} == shown


def test_invalid_regex_is_reported_and_matched_literally() -> None:
    spec = LogFilter(text="a(b", regex=True)
    assert spec.regex_error is not None
    assert compile_filter(spec)(make_record("xa(by"))
    assert LogFilter(text="a(b").regex_error is None
    assert LogFilter(text="a(b)", regex=True).regex_error is None


def test_is_empty() -> None:
    assert LogFilter().is_empty
    assert not LogFilter(text="x").is_empty
    assert not LogFilter(directions=IN_ONLY).is_empty
