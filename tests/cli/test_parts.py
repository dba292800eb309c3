"""The command's pure parts, table-driven: replay plans, SSE framing, secrets, formats."""

from __future__ import annotations

import pytest

from pushsdk.cli.clients import sse_arguments
from pushsdk.cli.console import format_data, printable
from pushsdk.cli.options import Send, parse_options
from pushsdk.cli.parser import build_parser
from pushsdk.cli.replay_plan import Plan, Step, infer_protocol, make_plan, sse_event
from pushsdk.cli.secrets import Redactor, redact_url
from pushsdk.recording import Entry, Header, Recording


def test_plan_waits_as_recorded_but_not_while_disconnected() -> None:
    entries = [
        Entry(100.0, "system", "open", None, "connected"),
        Entry(100.5, "in", "message", "1", "a"),
        Entry(100.7, "out", "message", None, "ignored"),
        Entry(101.0, "in", "message", "2", "b"),
        Entry(101.2, "system", "close", None, "end of stream"),
        Entry(101.3, "system", "reconnect", None, "attempt 1 in 5.0 s"),
        Entry(106.3, "system", "open", None, "connected"),  # 5 s away: not replayed
        Entry(106.4, "in", "ping", "3", "c"),
    ]
    plan = make_plan(Recording(Header("sse"), entries), "sse")
    assert [(round(s.delay, 3), s.event, s.id, s.data) for s in plan.steps] == [
        (0.5, "message", "1", "a"),
        (0.5, "message", "2", "b"),
        (0.1, "ping", "3", "c"),
    ]
    schedule = plan.schedule(0, 2.0)
    assert [round(wait, 3) for wait, _ in schedule] == [0.25, 0.25, 0.05]
    assert [wait for wait, _ in plan.schedule(0, None)] == [0.0, 0.0, 0.0]


def test_time_going_backwards_waits_nothing() -> None:
    entries = [Entry(5.0, "in", "message", None, "a"), Entry(4.0, "in", "message", None, "b")]
    assert [s.delay for s in make_plan(Recording(Header(), entries), "ws").steps] == [0.0, 0.0]


def _steps(*ids: str | None) -> Plan:
    return Plan("sse", tuple(Step(0.0, "message", i, str(n)) for n, i in enumerate(ids)))


@pytest.mark.parametrize(
    ("ids", "last", "start"),
    [
        (("1", "2", "3"), "", 0),
        (("1", "2", "3"), "2", 2),
        (("1", "2", "3"), "3", 3),  # all played
        (("1", "2", "3"), "99", 0),  # unknown: from the start
        (("1", "1", "2"), "1", 1),  # "1" set by the first event; the second inherited it
        ((None, "5", "5", "6"), "5", 2),
    ],
)
def test_resume_after_the_event_that_set_the_id(
    ids: tuple[str | None, ...], last: str, start: int
) -> None:
    assert _steps(*ids).resume_index(last) == start


def test_loop_schedule_restarts_from_the_beginning() -> None:
    plan = _steps("1", "2")
    looped = plan.schedule(1, None, loop=True)
    assert [next(looped)[1].id for _ in range(4)] == ["2", "1", "2", "1"]
    assert list(Plan("ws", ()).schedule(0, None, loop=True)) == []


@pytest.mark.parametrize(
    ("step", "current", "wire", "after"),
    [
        (Step(0, "message", "1", "a"), "", b"id: 1\ndata: a\n\n", "1"),
        (Step(0, "message", "1", "b"), "1", b"data: b\n\n", "1"),  # the id carries over
        (Step(0, "tick", None, "x\ny"), "1", b"id\nevent: tick\ndata: x\ndata: y\n\n", ""),
        (Step(0, "a\nb", "i\rd", "c\r\nd\re"), "",
         b"id: i d\nevent: a b\ndata: c\ndata: d\ndata: e\n\n", "i d"),
        (Step(0, "message", None, " lead"), "", b"data:  lead\n\n", ""),
        (Step(0, "message", None, b"\xffbin"), "", b"data: \xef\xbf\xbdbin\n\n", ""),
    ],
)  # fmt: skip
def test_sse_event_framing(step: Step, current: str, wire: bytes, after: str) -> None:
    assert sse_event(step, current) == (wire, after)


@pytest.mark.parametrize(
    ("entries", "protocol"),
    [
        ([Entry(0, "in", "message", "1", "x")], "sse"),
        ([Entry(0, "in", "message", None, b"x")], "ws"),
        ([Entry(0, "out", "message", None, "x")], "ws"),
        ([Entry(0, "in", "message", None, "x")], None),
    ],
)
def test_protocol_inferred_from_entries(entries: list[Entry], protocol: str | None) -> None:
    assert infer_protocol(Recording(Header(), entries)) == protocol
    assert infer_protocol(Recording(Header("ws"), entries)) == "ws"  # the header wins


def test_redactor_masks_url_and_header_secrets() -> None:
    redact = Redactor(
        ["wss://bob:p%40ss@h/x?token=abc123&v=1"],
        {"Authorization": "Bearer tok-999", "X-Api-Key": "k-4242", "X-Trace": "trace-1"},
    )
    text = "tok-999 k-4242 abc123 p@ss p%40ss trace-1 Bearer 1"
    assert redact(text) == "*** *** *** *** *** trace-1 Bearer 1"
    assert (
        redact_url("wss://bob:p%40ss@h/x?token=abc123&flag") == "wss://bob:***@h/x?token=***&flag"
    )
    assert redact_url("http://h/") == "http://h/"


def test_format_data() -> None:
    assert format_data("text", "hex") == "text"
    assert format_data(b"\x00\xff", "hex") == "00ff"
    assert format_data(b"\x00\xff", "base64") == "AP8="


def test_interval_applies_to_the_sends_after_it() -> None:
    options = parse_options(
        ["ws://h/", "--send", "sub", "--interval", "5", "--send", "ping", "--send", "pong"],
        build_parser(),
    )
    assert options.sends == (Send("sub"), Send("ping", 5.0), Send("pong", 5.0))


@pytest.mark.parametrize(
    ("argv", "protocol", "url", "method"),
    [
        (["ws", "localhost:1/ws"], "ws", "ws://localhost:1/ws", "GET"),
        (["ws", "https://h/socket"], "ws", "wss://h/socket", "GET"),
        (["sse", "h/stream"], "sse", "http://h/stream", "GET"),
        (["HTTPS://h/", "--json", "{}"], "sse", "https://h/", "POST"),
        (["http://h/", "-d", "x", "-X", "put"], "sse", "http://h/", "PUT"),
    ],
)
def test_protocol_and_method(argv: list[str], protocol: str, url: str, method: str) -> None:
    options = parse_options(argv, build_parser())
    assert (options.protocol, options.url, options.method) == (protocol, url, method)


def test_server_text_cannot_drive_the_terminal() -> None:
    assert printable("ok\x1b]0;pwned\x07\x9b2J\tend") == "ok\ufffd]0;pwned\ufffd\ufffd2J\tend"


@pytest.mark.parametrize(
    ("argv", "body", "content_type"),
    [
        (["http://h/", "--json", "null"], b"null", "application/json"),
        (["http://h/", "--json", '{"a":1}', "-H", "content-type: x/y"], b'{"a":1}', "x/y"),
    ],
)
def test_json_body_is_sent_as_typed(argv: list[str], body: bytes, content_type: str) -> None:
    kwargs = sse_arguments(parse_options(argv, build_parser()))
    assert kwargs["body"] == body
    assert {k.lower(): v for k, v in kwargs["headers"].items()}["content-type"] == content_type
