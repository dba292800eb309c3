"""The event-stream parser against the WHATWG "Interpreting an event stream" steps."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pushsdk._sse.parser import MAX_RETRY, EventStreamParser

Events = list[tuple[str, str, str]]


def parse(stream: bytes, pieces: list[int] | None = None) -> tuple[Events, EventStreamParser]:
    """Feed ``stream`` whole, or cut at the offsets in ``pieces``; return all events."""
    parser = EventStreamParser()
    cuts = [0, *(pieces or []), len(stream)]
    events: Events = []
    for start, stop in pairwise(cuts):
        events += parser.feed(stream[start:stop])
    return events, parser


# (case name, stream, expected events as (data, type, last event id))
CASES: list[tuple[str, bytes, Events]] = [
    ("bom stripped", b"\xef\xbb\xbfdata: a\n\n", [("a", "message", "")]),
    (
        "only one bom stripped",
        b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\ndata: b\n\n",
        [("b", "message", "")],
    ),
    ("bom not stripped mid-stream", b"data: a\n\n\xef\xbb\xbfdata: b\n\n", [("a", "message", "")]),
    ("lf", b"data: a\n\ndata: b\n\n", [("a", "message", ""), ("b", "message", "")]),
    ("cr", b"data: a\r\rdata: b\r\r", [("a", "message", ""), ("b", "message", "")]),
    ("crlf", b"data: a\r\n\r\ndata: b\r\n\r\n", [("a", "message", ""), ("b", "message", "")]),
    ("mixed line ends", b"data: a\r\ndata: b\rdata: c\n\r\n", [("a\nb\nc", "message", "")]),
    ("cr cr is two line ends", b"data: a\r\r\n", [("a", "message", "")]),
    ("comments ignored", b": hello\ndata: a\n:\n: data: no\n\n", [("a", "message", "")]),
    ("comment only block", b": keep-alive\n\n", []),
    ("field without colon", b"data\n\n", [("", "message", "")]),
    ("two empty data lines", b"data\ndata\n\n", [("\n", "message", "")]),
    ("one space stripped", b"data:  a\n\n", [(" a", "message", "")]),
    ("no space", b"data:a\n\n", [("a", "message", "")]),
    ("tab not stripped", b"data:\ta\n\n", [("\ta", "message", "")]),
    ("colon in value", b"data: a:b\ndata::\n\n", [("a:b\n:", "message", "")]),
    ("data lines joined", b"data: a\ndata: b\ndata: c\n\n", [("a\nb\nc", "message", "")]),
    ("only the last lf removed", b"data: a\ndata\n\n", [("a\n", "message", "")]),
    ("event name", b"event: ping\ndata: x\n\n", [("x", "ping", "")]),
    (
        "event type reset after dispatch",
        b"event: ping\ndata: x\n\ndata: y\n\n",
        [("x", "ping", ""), ("y", "message", "")],
    ),
    ("event type reset by an empty event", b"event: ping\n\ndata: y\n\n", [("y", "message", "")]),
    ("empty event name is message", b"event:\ndata: x\n\n", [("x", "message", "")]),
    ("last event name wins", b"event: a\nevent: b\ndata: x\n\n", [("x", "b", "")]),
    (
        "id persists",
        b"id: 1\ndata: a\n\ndata: b\n\n",
        [("a", "message", "1"), ("b", "message", "1")],
    ),
    ("id on an event with no data", b"id: 7\n\ndata: b\n\n", [("b", "message", "7")]),
    ("id with nul ignored", b"id: 1\n\nid: a\x00b\ndata: x\n\n", [("x", "message", "1")]),
    (
        "empty id resets",
        b"id: 1\ndata: a\n\nid\ndata: b\n\n",
        [("a", "message", "1"), ("b", "message", "")],
    ),
    ("id applies at dispatch, wherever it is", b"data: a\nid: 3\n\n", [("a", "message", "3")]),
    (
        "unknown fields ignored",
        b"foo: bar\nDATA: no\nData: no\ndata: a\n\n",
        [("a", "message", "")],
    ),
    ("leading space makes another field", b" data: x\n\n", []),
    ("empty data buffer not dispatched", b"event: x\n\nid: 2\nretry: 5\n\n", []),
    ("unterminated event discarded", b"data: a\n\ndata: b\n", [("a", "message", "")]),
    ("unterminated line discarded", b"data: a\n\ndata: b", [("a", "message", "")]),
    ("invalid utf-8 replaced", b"data: a\xffb\xc3\n\n", [("a\ufffdb\ufffd", "message", "")]),
    ("multi-byte characters", "data: é€😀\n\n".encode(), [("é€😀", "message", "")]),
    ("nul in data kept", b"data: a\x00b\n\n", [("a\x00b", "message", "")]),
]


@pytest.mark.parametrize(("stream", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_spec_steps(stream: bytes, expected: Events) -> None:
    assert parse(stream)[0] == expected


@pytest.mark.parametrize(("stream", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_one_byte_at_a_time(stream: bytes, expected: Events) -> None:
    assert parse(stream, list(range(1, len(stream))))[0] == expected


def test_crlf_split_across_reads_is_one_line_end() -> None:
    # Were the CR and the LF two line ends, "a" would be dispatched alone.
    assert parse(b"data: a\r\ndata: b\r\n\r\n", [8])[0] == [("a\nb", "message", "")]


def test_character_split_across_reads() -> None:
    stream = "data: €\n\n".encode()
    assert parse(stream, [7, 8])[0] == [("€", "message", "")]


def test_last_event_id_set_without_any_event() -> None:
    events, parser = parse(b"id: 42\n\n")
    assert events == []
    assert parser.last_event_id == "42"


def test_last_event_id_not_set_before_dispatch() -> None:
    _, parser = parse(b"id: 42\n")
    assert parser.last_event_id == ""


def test_id_of_an_event_split_across_reads_applies_to_the_events_after() -> None:
    events, parser = parse(b"id: 5\ndata: x\n\ndata: y\n\n", [6])
    assert events == [("x", "message", "5"), ("y", "message", "5")]
    assert parser.last_event_id == "5"


def test_seeded_last_event_id_persists() -> None:
    parser = EventStreamParser(last_event_id="9")
    assert parser.feed(b"data: a\n\n") == [("a", "message", "9")]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"retry: 1500", 1500),
        (b"retry:0", 0),
        (b"retry: 15a", None),
        (b"retry: -1", None),
        (b"retry: 1.5", None),
        (b"retry:", None),
        (b"retry:  10", None),
        ("retry: ١٢".encode(), None),
        (b"retry: 10 ", None),
    ],
)
def test_retry_only_ascii_digits(line: bytes, expected: int | None) -> None:
    _, parser = parse(line + b"\n\n")
    assert parser.retry == expected


def test_huge_retry_capped_without_error() -> None:
    _, parser = parse(b"retry: " + b"9" * 100_000 + b"\n\n")
    assert parser.retry == MAX_RETRY
    _, parser = parse(b"retry: " + b"0" * 100_000 + b"12\n\n")
    assert parser.retry == 12


def test_invalid_retry_keeps_previous_value() -> None:
    _, parser = parse(b"retry: 100\n\nretry: x\n\n")
    assert parser.retry == 100


def test_comments_counted_as_traffic() -> None:
    _, parser = parse(b": a\n:\ndata: x\n\n: b\n")
    assert parser.comments == 3


def test_event_larger_than_limit_dropped_with_its_id_kept() -> None:
    parser = EventStreamParser(max_event_size=10)
    events = parser.feed(b"data: ok\n\nid: 2\ndata: 0123456789\n\nid: 3\ndata: next\n\n")
    assert events == [("ok", "message", ""), ("next", "message", "3")]
    assert parser.oversized == 1


@pytest.mark.parametrize("cuts", [[], [100], [306], [6, 200]], ids=str)
@pytest.mark.parametrize("length", [300, 5000], ids=["short-path", "long-line-path"])
def test_a_line_past_the_limit_is_dropped_however_the_reads_split_it(
    cuts: list[int], length: int
) -> None:
    """Its data would fit (data + LF = limit) but the line does not: one rule for every
    split of the reads (hypothesis found the whole line in one read let through)."""
    parser = EventStreamParser(max_event_size=length + 1)
    stream = b"data: " + b"y" * length + b"\nid: 4\n\ndata: next\n\n"
    events: Events = []
    for start, stop in pairwise([0, *cuts, len(stream)]):
        events += parser.feed(stream[start:stop])
    assert events == [("next", "message", "4")]
    assert parser.oversized == 1


def test_event_growing_past_limit_over_many_reads() -> None:
    parser = EventStreamParser(max_event_size=100)
    parser.feed(b"id: 7\nevent: big\n")
    for _ in range(20):
        assert parser.feed(b"data: 0123456789\n") == []
    assert parser.oversized == 1
    assert parser.feed(b"\ndata: after\n\n") == [("after", "message", "7")]
    assert parser.last_event_id == "7"
    assert parser.oversized == 1


def test_line_growing_past_limit_discarded_to_its_end() -> None:
    parser = EventStreamParser(max_event_size=100)
    parser.feed(b"id: 4\ndata: " + b"x" * 90)
    assert parser.feed(b"x" * 20) == []
    assert parser.oversized == 1
    assert parser.feed(b"x" * 1000) == []
    assert parser.feed(b"xx\nid: 5\ndata: same event\n\ndata: next\n\n") == [
        ("next", "message", "5")
    ]
    assert parser.oversized == 1


def test_long_comment_line_in_one_read() -> None:
    parser = EventStreamParser(max_event_size=100)
    assert parser.feed(b":" + b"x" * 200 + b"\n\ndata: a\n\n") == [("a", "message", "")]
    assert parser.oversized == 1


def test_too_long_lines_each_drop_their_own_event() -> None:
    long = b"data: " + b"x" * 200 + b"\n"
    parser = EventStreamParser(max_event_size=100)
    stream = b"id: 1\n" + long + b"\ndata: a\n\nid: 2\n" + long + long + b"\ndata: b\n\n"
    assert parser.feed(stream) == [("a", "message", "1"), ("b", "message", "2")]
    assert parser.oversized == 2


def test_event_and_line_at_the_limit_accepted() -> None:
    parser = EventStreamParser(max_event_size=20)
    # Lines of 14 characters; the data buffer "x9\nx9\n" is exactly 20.
    nine = "x" * 9
    assert parser.feed(f"data:{nine}\ndata:{nine}\n\n".encode()) == [
        (f"{nine}\n{nine}", "message", "")
    ]
    assert parser.feed(b"data:" + b"y" * 15 + b"\n\n") == [("y" * 15, "message", "")]


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_event_size"):
        EventStreamParser(max_event_size=0)


def test_large_multiline_event() -> None:
    line = "y" * 1023
    stream = ("".join(f"data: {line}\n" for _ in range(1024)) + "\n").encode()
    pieces = list(range(1000, len(stream), 1000))
    events, _ = parse(stream, pieces)
    assert events == [("\n".join([line] * 1024), "message", "")]


# -- property: any split of any stream gives the events a whole-stream reference gives


def reference(stream: bytes) -> tuple[Events, str, int | None]:
    """The spec's steps written as plainly as possible, on the whole stream at once."""
    text = stream.decode("utf-8", "replace")
    text = text.removeprefix("\ufeff")
    lines = re.split(r"\r\n|\r|\n", text)[:-1]  # the last piece is unterminated
    events: Events = []
    data = event_type = id_buffer = last_id = ""
    retry = None
    for line in lines:
        if line == "":
            last_id = id_buffer
            if data:
                events.append((data.removesuffix("\n"), event_type or "message", last_id))
            data = event_type = ""
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            data += value + "\n"
        elif name == "event":
            event_type = value
        elif name == "id" and "\0" not in value:
            id_buffer = value
        elif name == "retry" and value and all(c in "0123456789" for c in value):
            retry = int(value)
    return events, last_id, retry


_pieces = st.sampled_from(
    [
        "data",
        "data:",
        "data: ",
        "id: ",
        "id",
        "event: ",
        "retry: ",
        ":",
        "\n",
        "\r",
        "\r\n",
        "x",
        " ",
        "12",
        "é",
        "\0",
        "\ufeff",
        "😀",
        "ev",
        "\n\n",
        "\r\r",
    ]
)
streams = st.one_of(
    st.lists(_pieces, max_size=40).map(lambda parts: "".join(parts).encode()),
    st.binary(max_size=80),
)


@settings(max_examples=300, deadline=None)
@given(stream=streams, data=st.data())
def test_any_split_gives_the_reference_events(stream: bytes, data: st.DataObject) -> None:
    cuts = data.draw(st.lists(st.integers(1, max(len(stream) - 1, 1)), max_size=10))
    events, parser = parse(stream, sorted({c for c in cuts if 0 < c < len(stream)}))
    expected, last_id, retry = reference(stream)
    assert events == expected
    assert parser.last_event_id == last_id
    assert parser.retry == retry


# -- property: runs of events sharing one shape (the parser's bulk path) --------------

_field_names = st.sampled_from(["data", "id", "event", "retry", "", "dat", "data:"])
_field_values = st.sampled_from(["", "x", " x", "a: b", "7", "\0", "é", "data: y", "😀"])


@st.composite
def _line(draw: st.DrawFn, name: str | None = None) -> str:
    name = draw(_field_names) if name is None else name
    colon = draw(st.sampled_from([": ", ": ", ": ", ":", ""]))
    return name + colon + draw(_field_values)


@st.composite
def _regular_streams(draw: st.DrawFn) -> bytes:
    """Events that mostly repeat one shape (e.g. id, data), now and then another."""
    shape = draw(st.lists(st.sampled_from(["data", "id", "event"]), min_size=1, max_size=3))
    events = []
    for _ in range(draw(st.integers(0, 40))):
        lines = [f"{name}: {draw(_field_values)}" for name in shape]
        change = draw(st.integers(0, 15))
        if change == 1:  # one line more, of the shape's or another field
            lines.insert(
                draw(st.integers(0, len(lines))), draw(_line(draw(st.sampled_from(shape))))
            )
        elif change == 2:  # one line less
            del lines[draw(st.integers(0, len(lines) - 1))]
        elif change == 3:  # one line of another kind
            lines[draw(st.integers(0, len(lines) - 1))] = draw(_line())
        elif change == 4:
            lines = draw(st.lists(_line(), max_size=4))
        events.append("".join(line + "\n" for line in lines))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    tail = draw(st.sampled_from(["", "data: unterminated\n", "id: 9\n"]))
    return (end.join(events) + end + tail).encode()


@settings(max_examples=300, deadline=None)
@given(stream=_regular_streams(), data=st.data())
def test_runs_of_one_shape_give_the_reference_events(stream: bytes, data: st.DataObject) -> None:
    cuts = data.draw(st.lists(st.integers(1, max(len(stream) - 1, 1)), max_size=3))
    events, parser = parse(stream, sorted({c for c in cuts if 0 < c < len(stream)}))
    expected, last_id, retry = reference(stream)
    assert events == expected
    assert parser.last_event_id == last_id
    assert parser.retry == retry


# -- property: long lines (the parser's path for large events) ------------------------


@st.composite
def _long_line_streams(draw: st.DrawFn) -> bytes:
    """Lines of any field, many long (past ``_LONG_LINE``), with any line ends."""
    parts = []
    for _ in range(draw(st.integers(0, 30))):
        if draw(st.integers(0, 4)) == 0:
            parts.append("")  # a blank line: dispatch
        else:
            pad = "x" * draw(st.sampled_from([0, 5, 250, 255, 256, 300, 700]))
            parts.append(draw(_line()) + pad + draw(_field_values))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return (end.join(parts) + draw(st.sampled_from(["", end, end + end]))).encode()


@settings(max_examples=300, deadline=None)
@given(stream=_long_line_streams(), data=st.data())
def test_long_lines_give_the_reference_events(stream: bytes, data: st.DataObject) -> None:
    cuts = data.draw(st.lists(st.integers(1, max(len(stream) - 1, 1)), max_size=12))
    events, parser = parse(stream, sorted({c for c in cuts if 0 < c < len(stream)}))
    expected, last_id, retry = reference(stream)
    assert events == expected
    assert parser.last_event_id == last_id
    assert parser.retry == retry


def test_event_of_long_lines_growing_past_limit() -> None:
    parser = EventStreamParser(max_event_size=1000)
    line = b"data: " + b"x" * 299 + b"\n"
    parser.feed(line[:100])
    for _ in range(5):
        assert parser.feed(line[100:] + line[:100]) == []
    assert parser.oversized == 1
    assert parser.feed(b"\ndata: same event\n\ndata: ok\n\n") == [("ok", "message", "")]


def _large_event(seq: int, lines: int = 40) -> tuple[bytes, str]:
    values = [f"{seq:04d}" + "x" * 296 for _ in range(lines)]
    return b"".join(b"data: %s\n" % v.encode() for v in values), "\n".join(values)


@pytest.mark.parametrize("read", [1 << 20, 4096, 301, 7])
def test_large_events_back_to_back(read: int) -> None:
    """Large events with the short lines between them (id, comment, retry, a data line
    without its space) in one read or cut anywhere: each arrives whole."""
    one, data1 = _large_event(1)
    two, data2 = _large_event(2)
    three, data3 = _large_event(3)
    stream = (
        b"id: 1\n" + one + b"\n: between\nretry: 5\nid: 2\nevent: big\n" + two
        + b"data:tail\n\n" + three + b"\nid: 4\ndata: small\n\n"
    )  # fmt: skip
    events, parser = parse(stream, list(range(read, len(stream), read)))
    assert events == [
        (data1, "message", "1"),
        (data2 + "\ntail", "big", "2"),
        (data3, "message", "2"),
        ("small", "message", "4"),
    ]
    assert (parser.retry, parser.comments, parser.oversized) == (5, 1, 0)


@pytest.mark.parametrize("read", [1 << 20, 4096, 301])
def test_large_event_past_the_limit_between_two_that_fit(read: int) -> None:
    """The one too large is dropped (its id kept); its neighbours in the same read arrive."""
    one, data1 = _large_event(1, 10)
    big, _ = _large_event(2, 40)
    three, data3 = _large_event(3, 10)
    stream = b"id: 1\n" + one + b"\nid: 2\n" + big + b"\n" + three + b"\n"
    parser = EventStreamParser(max_event_size=5000)
    events: Events = []
    for start in range(0, len(stream), read):
        events += parser.feed(stream[start : start + read])
        assert parser._data_size <= 5000
    assert events == [(data1, "message", "1"), (data3, "message", "2")]
    assert parser.oversized == 1
