"""The chunked transfer decoder the SSE reader uses instead of http.client's."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pushsdk._sse.chunked import ChunkedDecoder
from pushsdk.errors import ProtocolError


def decode(body: bytes, cuts: list[int] | None = None) -> tuple[bytes, bool]:
    decoder = ChunkedDecoder()
    points = [0, *(cuts or []), len(body)]
    out = b"".join(decoder.feed(body[a:b]) for a, b in pairwise(points))
    return out, decoder.done


def frame(*payloads: bytes, trailer: bytes = b"") -> bytes:
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in payloads)
    return chunks + b"0\r\n" + trailer + b"\r\n"


@pytest.mark.parametrize(
    ("body", "expected", "done"),
    [
        (frame(b"hello", b" world"), b"hello world", True),
        (frame(b"\r\n0\r\n\r\n"), b"\r\n0\r\n\r\n", True),
        (b"5;ext=1\r\nhello\r\n0\r\n\r\n", b"hello", True),
        (b"A\r\n0123456789\r\n0\r\n\r\n", b"0123456789", True),
        (b"5 \r\nhello\r\n0\r\n\r\n", b"hello", True),
        # Leading zeros past 16 digits (RFC 9112 allows any number).
        (b"0" * 40 + b"5\r\nhello\r\n" + b"0" * 30 + b"\r\n\r\n", b"hello", True),
        (b"00000000000000000000000a\r\n0123456789\r\n0\r\n\r\n", b"0123456789", True),
        (frame(b"x", trailer=b"X-Trailer: 1\r\n"), b"x", True),
        (b"5\r\nhello\r\n", b"hello", False),
        (b"5\r\nhel", b"hel", False),
    ],
)
def test_framing(body: bytes, expected: bytes, done: bool) -> None:
    assert decode(body) == (expected, done)
    assert decode(body, list(range(1, len(body)))) == (expected, done)


@pytest.mark.parametrize(
    "body",
    [
        b"zz\r\nhello\r\n",
        b"0x5\r\nhello\r\n",
        b"-5\r\n",
        b"5\r\nhelloXX3\r\nabc\r\n",
        b"\r\n",
        b"10000000000000000\r\nhello\r\n",  # 17 significant digits: past any real size
        b"000" + b"1" * 17 + b"\r\nhello\r\n",
    ],
)
def test_malformed_framing(body: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode(body)


def test_bytes_after_the_last_chunk_ignored() -> None:
    decoder = ChunkedDecoder()
    assert decoder.feed(frame(b"a")) == b"a"
    assert decoder.feed(b"5\r\nhello\r\n") == b""


_payload = st.one_of(
    st.binary(min_size=1, max_size=40),
    st.sampled_from([b"id: 1\ndata: x\n\n", b"a\r\nb", b"\r\n", b"\r", b"5\r\nhello", b"y" * 300]),
)


@settings(max_examples=300, deadline=None)
@given(payloads=st.lists(_payload, max_size=12), data=st.data())
def test_any_split(payloads: list[bytes], data: st.DataObject) -> None:
    body = frame(*payloads)
    cuts = data.draw(st.lists(st.integers(1, len(body) - 1), max_size=12))
    assert decode(body, sorted(set(cuts))) == (b"".join(payloads), True)


def test_whole_chunks_with_leading_zeros() -> None:
    """Many whole chunks at once (the split fast path) with long zero-padded sizes."""
    events = [b"id: %d\ndata: x\n\n" % i for i in range(50)]
    body = b"".join(b"%020x\r\n%s\r\n" % (len(e), e) for e in events) + b"0\r\n\r\n"
    assert decode(body) == (b"".join(events), True)
    assert decode(body, list(range(100, len(body), 100))) == (b"".join(events), True)


def test_whole_chunks_then_a_chunk_holding_crlf() -> None:
    """Whole SSE chunks take the split fast path; a CRLF inside a chunk ends it, safely."""
    events = [b"id: %d\ndata: x\n\n" % i for i in range(50)]
    tricky = [b"data: a\r\n\r\n", b"4\r\nabcd", b"data: b\n\n"]
    body = frame(*events, *tricky, *events)
    expected = b"".join([*events, *tricky, *events])
    for size in (len(body), 100, 7):
        cuts = list(range(size, len(body), size))
        assert decode(body, cuts) == (expected, True)


# -- one whole chunk per read (a server flushing each event) ----------------------------


@pytest.mark.parametrize(
    "reads",
    [
        [b"5\r\nhello\r\n", b"6\r\n world\r\n", b"0\r\n\r\n"],
        [b"A\r\n0123456789\r\n", b"a\r\n0123456789\r\n", b"0\r\n\r\n"],  # either case
        [b"0005\r\nhello\r\n", b"5;ext=1\r\nhello\r\n", b"0\r\n\r\n"],  # zeros, extensions
        [b"4\r\na\r\nb\r\n", b"2\r\n\r\n\r\n", b"0\r\n\r\n"],  # CRLF inside a chunk
        [b"5\r\nhello\r\n5\r\nwor", b"ld\r\n0\r\n\r\n"],  # more than one chunk
        [b"5\r\nhello\r\n", b"5\r\nhel", b"lo\r\n", b"0\r\n\r\n"],  # a chunk cut short
        [b"5\r\nhello\r", b"\n5\r\nhello\r\n", b"0\r\n\r\n"],  # its CRLF split
        [b"5", b"\r\nhello\r\n", b"5\r", b"\nhello\r\n", b"0\r\n\r\n"],  # size lines split
        [b"3\r\n\xc3\xa9\xc3\r\n", b"1\r\n\xa9\r\n", b"0\r\n\r\n"],  # UTF-8 split by chunks
    ],
)
def test_one_chunk_per_read(reads: list[bytes]) -> None:
    decoder = ChunkedDecoder()
    out = b"".join(decoder.feed(read) for read in reads)
    assert (out, decoder.done) == decode(b"".join(reads))
    assert decoder.done


@pytest.mark.parametrize(
    "read",
    [
        b"5\r\nhelloXX",  # no CRLF after the data
        b"5\r\nhello\r\nX",  # one byte past it: the next header, malformed
        b"6\r\nhello\r\n",  # the declared size eats the CRLF: then garbage follows
        b"zz\r\nhello\r\n",
    ],
)
def test_read_that_looks_like_one_chunk_but_is_not(read: bytes) -> None:
    """Such a read goes to the general decoder, which refuses or waits for more."""
    decoder = ChunkedDecoder()
    try:
        body = decoder.feed(read)
        body += decoder.feed(b"\r\n!!\r\n")
    except ProtocolError:
        return
    pytest.fail(f"accepted {read!r} as {body!r}")


def test_hostile_chunk_size_in_one_read_stays_bounded() -> None:
    """A 2^64-1 byte chunk: its bytes pass through as they come, nothing is buffered."""
    decoder = ChunkedDecoder()
    assert decoder.feed(b"ffffffffffffffff\r\n" + b"x" * 10 + b"\r\n") == b"x" * 10 + b"\r\n"
    assert decoder.feed(b"y" * 1000) == b"y" * 1000
    assert decoder._pending == b""
    assert not decoder.done
