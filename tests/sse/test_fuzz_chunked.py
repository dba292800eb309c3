"""Fuzz target: the chunked transfer decoder against any framing, in any split.

Properties: any valid chunked encoding of any body (any chunk sizes, upper or lower
case hex, leading zeros, extensions, bare LF line ends, trailers), cut anywhere,
decodes to the body; garbage raises ProtocolError or nothing, never anything else.
Short by default; ``HYPOTHESIS_PROFILE=fuzz`` runs it long.
"""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from pushsdk._sse.chunked import ChunkedDecoder
from pushsdk.errors import ProtocolError
from tests.fuzzing import fuzz_settings


def feed(data: bytes, cuts: list[int]) -> tuple[bytes, bool]:
    decoder = ChunkedDecoder()
    body = b"".join(decoder.feed(data[a:b]) for a, b in pairwise([0, *cuts, len(data)]))
    return body, decoder.done


@st.composite
def _size_line(draw: st.DrawFn, size: int) -> bytes:
    digits = draw(st.sampled_from(["%x", "%X"])) % size
    zeros = b"0" * draw(st.sampled_from([0, 0, 0, 1, 5, 20]))
    space = draw(st.sampled_from([b"", b"", b" ", b"\t "]))
    extension = draw(st.sampled_from([b"", b"", b";name=value", b';a="b"; c']))
    end = draw(st.sampled_from([b"\r\n", b"\r\n", b"\n"]))
    return zeros + digits.encode() + space + extension + end


@st.composite
def _encodings(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """A body and a valid chunked encoding of it."""
    pieces = draw(
        st.lists(
            st.one_of(
                st.binary(min_size=1, max_size=64),
                st.sampled_from([b"\r\n", b"0\r\n\r\n", b"data: x\n\n", b"5\r\nhello", b"y" * 70]),
            ),
            max_size=20,
        )
    )
    out = [draw(_size_line(len(piece))) + piece + b"\r\n" for piece in pieces]
    trailers = draw(st.sampled_from([b"", b"X-Checksum: 1\r\n", b"A: b\nC: d\n"]))
    out.append(draw(_size_line(0)) + trailers + draw(st.sampled_from([b"\r\n", b"\n"])))
    return b"".join(pieces), b"".join(out)


@fuzz_settings(60)
@given(encoding=_encodings(), data=st.data())
def test_any_valid_encoding_in_any_split_decodes_to_the_body(
    encoding: tuple[bytes, bytes], data: st.DataObject
) -> None:
    body, encoded = encoding
    cuts = data.draw(st.lists(st.integers(0, len(encoded)), max_size=16).map(sorted))
    assert feed(encoded, cuts) == (body, True)


_garbage = st.one_of(
    st.binary(max_size=300),
    st.lists(
        st.sampled_from(
            [b"0", b"5", b"f" * 17, b"0" * 30, b"\r\n", b"\n", b"\r", b";", b" ", b"x", b"-1", b"A"]
        ),
        max_size=40,
    ).map(b"".join),
)


@fuzz_settings(60)
@given(garbage=_garbage, data=st.data())
def test_garbage_raises_protocol_error_or_nothing(garbage: bytes, data: st.DataObject) -> None:
    cuts = data.draw(st.lists(st.integers(0, len(garbage)), max_size=8).map(sorted))
    try:
        body, _ = feed(garbage, cuts)
    except ProtocolError:
        return
    assert len(body) <= len(garbage)
