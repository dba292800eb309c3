"""Fuzz target: the event-stream parser against hostile bytes, in any split.

Properties: ``feed`` never raises, whatever the bytes; memory stays within
``max_event_size`` between reads; and any split of a stream gives exactly what a
plain reference of the spec's steps, with the oversized-event rule, gives for the
whole stream. Short by default; ``HYPOTHESIS_PROFILE=fuzz`` runs it long.
"""

from __future__ import annotations

import codecs
import re
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from pushsdk._sse.parser import MAX_RETRY, EventStreamParser
from tests.fuzzing import fuzz_settings

Events = list[tuple[str, str, str]]


def reference(stream: bytes, limit: int) -> tuple[Events, str, int | None, int]:
    """The spec's steps on the whole stream, plus the documented rule for a block (the
    lines up to a blank line) with a line or data past ``limit``: its data and type are
    dropped, its other fields kept, and it is counted once."""
    # Not final: a character cut short at the end may still be completed.
    text = codecs.getincrementaldecoder("utf-8")("replace").decode(stream).removeprefix("\ufeff")
    *lines, tail = re.split(r"\r\n|\r|\n", text)
    events: Events = []
    data: list[str] = []
    size = 0
    event_type = id_buffer = last_id = ""
    retry = None
    dropped = False
    oversized = 0
    for line in lines:
        if line == "":
            last_id = id_buffer
            if data and not dropped:
                events.append(("\n".join(data), event_type or "message", last_id))
            data, size, event_type, dropped = [], 0, "", False
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if len(line) > limit or (name == "data" and not dropped and size + len(value) + 1 > limit):
            oversized += not dropped
            dropped = True
            continue
        if name == "data" and not dropped:
            data.append(value)
            size += len(value) + 1
        elif name == "event" and not dropped:
            event_type = value
        elif name == "id" and "\0" not in value:
            id_buffer = value
        elif name == "retry" and value and all(c in "0123456789" for c in value):
            digits = value.lstrip("0")
            retry = int(digits or "0") if len(digits) < 10 else MAX_RETRY
    if len(tail) > limit and not dropped:
        oversized += 1
    return events, last_id, retry, oversized


def feed_all(parser: EventStreamParser, stream: bytes, cuts: list[int]) -> Events:
    events: Events = []
    for start, stop in pairwise([0, *cuts, len(stream)]):
        events += parser.feed(stream[start:stop])
        check_bounded(parser)
    return events


def check_bounded(parser: EventStreamParser) -> None:
    """What the parser keeps between reads: at most ``max_event_size`` per buffer."""
    limit = parser._max_size
    assert parser._partial_size <= limit
    assert sum(map(len, parser._partial)) == parser._partial_size
    assert parser._data_size <= limit
    assert sum(len(value) + 1 for value in parser._data) == parser._data_size
    assert len(parser._id_buffer) <= limit
    assert len(parser._event_type) <= limit
    assert len(parser._undecoded) <= 3


_pieces = st.sampled_from(
    [
        "data",
        "data:",
        "data: ",
        "id: ",
        "event: ",
        "retry: ",
        ":",
        "\n",
        "\r",
        "\r\n",
        "\n\n",
        "x",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "12",
        "é",
        "\0",
        "\ufeff",
        "😀",
        "99999999999999999999",
    ]
)
_hostile = st.one_of(
    st.lists(_pieces, max_size=60).map(lambda parts: "".join(parts).encode()),
    st.binary(max_size=200),
    st.lists(st.sampled_from([b"data: ", b"id: 1", b"\n", b"x" * 300, b"\xf0\x9f", b"\r"])).map(
        b"".join
    ),
)


@fuzz_settings(60)
@given(stream=_hostile, limit=st.integers(1, 64), data=st.data())
def test_any_bytes_in_any_split_match_the_reference(
    stream: bytes, limit: int, data: st.DataObject
) -> None:
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=12).map(sorted))
    parser = EventStreamParser(max_event_size=limit)
    events = feed_all(parser, stream, cuts)
    expected, last_id, retry, oversized = reference(stream, limit)
    assert events == expected
    assert parser.last_event_id == last_id
    assert parser.retry == retry
    assert parser.oversized == oversized


@fuzz_settings(60)
@given(stream=st.binary(max_size=2000), data=st.data())
def test_random_bytes_never_raise_and_stay_bounded(stream: bytes, data: st.DataObject) -> None:
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=20).map(sorted))
    parser = EventStreamParser(max_event_size=data.draw(st.integers(1, 300)))
    feed_all(parser, stream, cuts)
    assert parser.retry is None or 0 <= parser.retry <= MAX_RETRY


_large_event_lines = st.lists(
    st.sampled_from(
        [
            b"data: " + b"y" * 300,
            b"data: " + b"z" * 700,
            b"",
            b"id: 7",
            b"data: s",
            b": c",
            b"data:q",
        ]
    ),
    max_size=40,
).map(lambda lines: b"\n".join(lines) + b"\n")


@fuzz_settings(60)
@given(stream=_large_event_lines, limit=st.integers(200, 3000), data=st.data())
def test_large_events_in_any_split_match_the_reference(
    stream: bytes, limit: int, data: st.DataObject
) -> None:
    """Long data lines (the large-event path) and the short lines between events."""
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=12).map(sorted))
    parser = EventStreamParser(max_event_size=limit)
    events = feed_all(parser, stream, cuts)
    expected, last_id, _, oversized = reference(stream, limit)
    assert events == expected
    assert parser.last_event_id == last_id
    assert parser.oversized == oversized
