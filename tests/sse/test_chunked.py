"""The chunked transfer decoder the SSE reader uses instead of http.client's."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pushsdk._chunked import ChunkedDecoder
from pushsdk.errors import ProtocolError


def decode(body: bytes, cuts: list[int] | None = None) -> tuple[bytes, bool]:
    decoder = ChunkedDecoder()
    points = [0, *(cuts or []), len(body)]
    out = b"".join(decoder.feed(body[a:b]) for a, b in zip(points, points[1:]))
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
    [b"zz\r\nhello\r\n", b"0x5\r\nhello\r\n", b"-5\r\n", b"5\r\nhelloXX3\r\nabc\r\n", b"\r\n"],
)
def test_malformed_framing(body: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode(body)


def test_bytes_after_the_last_chunk_ignored() -> None:
    decoder = ChunkedDecoder()
    assert decoder.feed(frame(b"a")) == b"a"
    assert decoder.feed(b"5\r\nhello\r\n") == b""


@settings(max_examples=200, deadline=None)
@given(payloads=st.lists(st.binary(min_size=1, max_size=40), max_size=8), data=st.data())
def test_any_split(payloads: list[bytes], data: st.DataObject) -> None:
    body = frame(*payloads)
    cuts = data.draw(st.lists(st.integers(1, len(body) - 1), max_size=12))
    assert decode(body, sorted(set(cuts))) == (b"".join(payloads), True)
