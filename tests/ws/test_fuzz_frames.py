"""Fuzz targets for the frame reader: whatever a server sends, however it is split.

Properties: the items never depend on how the bytes are split (nor on whether the
client's ``feed_payload`` path is taken); the reader never raises; it fails at most
once, last, with a code the RFC allows; it holds memory in proportion to the
payload (bookkeeping included: issue 10 item 9), never to the number of frames.
``scripts/fuzz`` runs these with many more examples.
"""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from pushsdk._ws.frames import FrameReader
from pushsdk._ws.items import Close, Control, Failure
from pushsdk._ws.parts import GATHER, Parts
from tests.fuzzing import fuzz_settings
from tests.servers.raw_ws import frame

TEXT, BINARY, CLOSE, PING, CONT = 0x1, 0x2, 0x8, 0x9, 0x0
MAX_SIZE = 4096
#: Bytes of an unfinished frame header or control frame the reader may buffer.
MAX_PENDING = 2 + 8 + 125


@st.composite
def frames(draw: st.DrawFn) -> bytes:
    """One frame, mostly plausible, sometimes broken in one field."""
    opcode = draw(
        st.sampled_from([CONT, CONT, TEXT, BINARY, PING, 0xA, CLOSE]) | st.integers(0, 15)
    )
    payload = draw(
        st.binary(max_size=40)
        | st.text(max_size=30).map(str.encode)
        | st.builds(bytes, st.integers(0, 3))  # empty and tiny fragments
        | st.binary(min_size=126, max_size=700)
    )
    fin = draw(st.booleans())
    rsv = draw(st.sampled_from([0, 0, 0, 0, 0, 0, 1, 4]))
    length = draw(st.none() | st.none() | st.none() | st.integers(0, 1 << 20))
    data = frame(opcode, payload, fin=fin, rsv=rsv, length=length)
    if draw(st.integers(0, 30)) == 0:  # a masked frame: servers must not mask
        data = data[:1] + bytes([data[1] | 0x80]) + data[2:]
    return data


streams = st.lists(frames(), max_size=40).map(b"".join) | st.binary(max_size=2000)
splits = st.lists(st.integers(min_value=1, max_value=800), min_size=1, max_size=30)


def check_bounded(reader: FrameReader) -> None:
    """The reader's buffers hold at most a header or a control frame, and the message
    being assembled costs one entry per GATHER bytes at worst, not one per frame."""
    assert sum(len(p) for p in reader._pending) < MAX_PENDING + 1
    size = reader._assembler.size
    for parts in (reader._assembler._text_parts, reader._assembler._byte_parts):
        assert isinstance(parts, Parts)
        assert len(parts.kept) <= size // GATHER + 1
        assert len(parts._gathered) < GATHER


def feed_whole(data: bytes) -> tuple[list[object], int]:
    reader = FrameReader(MAX_SIZE)
    return reader.feed(data), reader.data_bytes


def feed_like_the_client(data: bytes, sizes: list[int]) -> tuple[list[object], int]:
    """Feed as WSClient does: payload still due goes through ``feed_payload`` (a view)."""
    reader = FrameReader(MAX_SIZE)
    out: list[object] = []
    pos = 0
    for size in itertools.cycle(sizes):
        if pos >= len(data):
            break
        left = reader.payload_left
        chunk = data[pos : pos + (min(size, left) if left else size)]
        pos += len(chunk)
        out += reader.feed_payload(memoryview(chunk)) if left else reader.feed(chunk)
        check_bounded(reader)
    return out, reader.data_bytes


def check_items(items: list[object]) -> None:
    for index, item in enumerate(items):
        assert type(item) in (str, bytes, Control, Close, Failure), item
        if isinstance(item, str | bytes):
            assert len(item.encode() if isinstance(item, str) else item) <= MAX_SIZE
        if isinstance(item, Failure | Close):
            assert index == len(items) - 1, "nothing may follow a close or a failure"
        if isinstance(item, Failure):
            assert item.code in (1002, 1007, 1009), item
        if isinstance(item, Close):
            assert item.code is None or 1000 <= item.code <= 4999


@fuzz_settings(examples=200)
@given(data=streams, sizes=splits)
def test_any_bytes_in_any_split_give_the_same_items(data: bytes, sizes: list[int]) -> None:
    whole = feed_whole(data)
    assert feed_like_the_client(data, sizes) == whole
    check_items(whole[0])


@st.composite
def fragment_floods(draw: st.DrawFn) -> tuple[bytes, list[object]]:
    """One message in many tiny or empty fragments, pings between them."""
    text = draw(st.booleans())
    pieces = draw(
        st.lists(st.text(max_size=2) if text else st.binary(max_size=3), min_size=1, max_size=600)
    )
    encoded = [p.encode() if isinstance(p, str) else p for p in pieces]
    out = []
    for index, piece in enumerate(encoded):
        opcode = (TEXT if text else BINARY) if index == 0 else CONT
        out.append(frame(opcode, piece, fin=index == len(encoded) - 1))
        if draw(st.integers(0, 20)) == 0:
            out.append(frame(PING, b"p"))
    message: object = "".join(pieces) if text else b"".join(encoded)  # type: ignore[arg-type]
    return b"".join(out), message


@fuzz_settings(examples=100)
@given(flood=fragment_floods(), sizes=splits)
def test_a_message_in_tiny_fragments_costs_bookkeeping_bounded_by_its_size(
    flood: tuple[bytes, list[object]], sizes: list[int]
) -> None:
    data, message = flood
    items, _ = feed_like_the_client(data, sizes)  # checks the bound after every feed
    assert [item for item in items if not isinstance(item, Control)] == [message]


def test_empty_continuations_add_no_bookkeeping() -> None:
    """Issue 10 item 9: each empty continuation frame used to add a list entry."""
    reader = FrameReader(1024)
    assert reader.feed(frame(TEXT, b"a", fin=False) + frame(CONT, b"", fin=False) * 10_000) == []
    assert (
        len(reader._assembler._text_parts.kept) + len(reader._assembler._text_parts._gathered) <= 1
    )
    assert reader.feed(frame(CONT, b"b")) == ["ab"]


def test_two_byte_fragments_are_gathered() -> None:
    """Issue 10 item 9: a 1 MiB message in 2-byte fragments used to cost ~21 MiB."""
    reader = FrameReader(1 << 20)
    count = 64 * 1024
    data = frame(BINARY, b"xy", fin=False) + frame(CONT, b"xy", fin=False) * (count - 2)
    assert reader.feed(data) == []
    assert len(reader._assembler._byte_parts.kept) <= 2 * (count - 1) // GATHER + 1
    assert reader.feed(frame(CONT, b"xy")) == [b"xy" * count]
