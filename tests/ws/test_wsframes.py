"""The pure frame reader, fed byte strings: results must not depend on how bytes are split."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pushsdk._ws.frames import FrameReader
from pushsdk._ws.items import Close, Control, Failure, valid_close_code
from tests.servers.raw_ws import frame

TEXT, BINARY, CLOSE, PING, PONG, CONT = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0

STREAMS: list[tuple[str, bytes, list[object]]] = [
    ("text", frame(TEXT, b"hi"), ["hi"]),
    ("binary", frame(BINARY, b"\x00\xff"), [b"\x00\xff"]),
    ("16-bit length", frame(TEXT, b"a" * 300), ["a" * 300]),
    ("64-bit length", frame(BINARY, b"b" * 70000), [b"b" * 70000]),
    (
        "fragments with a ping inside",
        frame(TEXT, "é".encode()[:1], fin=False)
        + frame(PING, b"p")
        + frame(CONT, "é".encode()[1:]),
        [Control(PING, b"p"), "é"],
    ),
    ("pong", frame(PONG, b"x"), [Control(PONG, b"x")]),
    ("close without code", frame(CLOSE), [Close(None, "")]),
    ("close with reason", frame(CLOSE, b"\x03\xe8bye"), [Close(1000, "bye")]),
    ("nothing after close", frame(CLOSE) + frame(TEXT, b"late"), [Close(None, "")]),
    (
        "masked",
        bytes([0x81, 0x82]) + b"\0\0\0\0ab",
        [Failure(1002, "masked frame from the server")],
    ),
    (
        "rsv",
        frame(TEXT, b"x", rsv=1),
        [Failure(1002, "reserved bits set without a negotiated extension")],
    ),
    (
        "bad utf-8",
        frame(TEXT, b"ok") + frame(TEXT, b"\xff"),
        ["ok", Failure(1007, "invalid UTF-8 in a text message")],
    ),
    ("short close", frame(CLOSE, b"\x03"), [Failure(1002, "close frame with a 1-byte payload")]),
    ("bad close code", frame(CLOSE, b"\x03\xed"), [Failure(1002, "invalid close code 1005")]),
    (
        "64-bit length with top bit",
        bytes([0x82, 127]) + (1 << 63).to_bytes(8, "big"),
        [Failure(1002, "frame length has the most significant bit set")],
    ),
]


def feed_in_pieces(data: bytes, size: int) -> list[object]:
    reader = FrameReader(1 << 20)
    out: list[object] = []
    for start in range(0, len(data), size):
        out += reader.feed(data[start : start + size])
    return out


@pytest.mark.parametrize(
    ("data", "expected"), [s[1:] for s in STREAMS], ids=[s[0] for s in STREAMS]
)
def test_stream(data: bytes, expected: list[object]) -> None:
    assert FrameReader(1 << 20).feed(data) == expected
    for size in (1, 2, 3, 7, 1000):
        assert feed_in_pieces(data, size) == expected


def test_failure_comes_with_the_header_not_the_payload() -> None:
    reader = FrameReader(1000)
    assert reader.feed(frame(BINARY, b"", length=2**30)) == [
        Failure(1009, "message of 1073741824 bytes exceeds max_message_size")
    ]
    reader = FrameReader(1000)
    assert reader.feed(frame(TEXT, b"a" * 600, fin=False)) == []
    (failure,) = reader.feed(frame(CONT, b"", length=600))
    assert isinstance(failure, Failure) and failure.code == 1009


def test_incomplete_utf8_at_the_end_of_a_fragmented_message() -> None:
    reader = FrameReader(100)
    assert reader.feed(frame(TEXT, b"\xe2\x82", fin=False)) == []  # valid so far
    assert reader.feed(frame(CONT, b"")) == [Failure(1007, "invalid UTF-8 in a text message")]


def test_data_bytes_counts_payloads() -> None:
    reader = FrameReader(100)
    reader.feed(frame(TEXT, "é".encode()) + frame(BINARY, b"abc") + frame(PING, b"zz"))
    assert reader.data_bytes == 5


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        (999, False),
        (1000, True),
        (1004, False),
        (1012, True),
        (1015, False),
        (2999, False),
        (3000, True),
        (4999, True),
        (5000, False),
    ],
)
def test_valid_close_code(code: int, valid: bool) -> None:
    assert valid_close_code(code) is valid


MIXED = b"".join(s[1] for s in STREAMS[:6])
MIXED_EXPECTED = [item for s in STREAMS[:6] for item in s[2]]


@given(st.lists(st.integers(min_value=0, max_value=len(MIXED)), max_size=30))
def test_any_split_gives_the_same_items(cuts: list[int]) -> None:
    reader = FrameReader(1 << 20)
    out: list[object] = []
    points = [0, *sorted(cuts), len(MIXED)]
    for start, end in itertools.pairwise(points):
        out += reader.feed(MIXED[start:end])
    assert out == MIXED_EXPECTED


KOSME = "κόσμε".encode()
BAD = b"\xf4\x90\x80\x80"  # U+110000: never valid


def test_text_frame_arriving_in_parts_fails_at_the_bad_chunk() -> None:
    """Autobahn 6.4.3/6.4.4: the frame is incomplete, yet the bad byte fails it at once."""
    reader = FrameReader(1 << 20)
    length = len(KOSME + BAD + b"edited")
    assert reader.feed(frame(TEXT, KOSME + BAD[:1], length=length)) == []
    assert reader.payload_left == length - len(KOSME) - 1
    assert reader.feed(BAD[1:2]) == [Failure(1007, "invalid UTF-8 in a text message")]
    assert reader.payload_left == 0
    assert reader.feed(BAD[2:] + b"edited") == []


def test_incomplete_utf8_at_the_end_of_a_frame_that_arrived_in_parts() -> None:
    reader = FrameReader(100)
    assert reader.feed(frame(TEXT, b"ab", length=4)) == []
    assert reader.feed_payload(memoryview(b"\xe2\x82")) == [
        Failure(1007, "invalid UTF-8 in a text message")
    ]


def test_control_frame_in_parts_waits_for_its_whole_payload() -> None:
    reader = FrameReader(100)
    assert reader.feed(frame(PING, b"abc")[:3]) == []
    assert reader.payload_left == 0
    assert reader.feed(b"bc") == [Control(PING, b"abc")]


def read_like_the_client(data: bytes, sizes: list[int]) -> list[object]:
    """Feed ``data`` as ``WSClient`` does: payload still due goes through a reused buffer."""
    reader = FrameReader(1 << 20)
    buffer = bytearray(max(sizes))
    view = memoryview(buffer)
    out: list[object] = []
    pos = 0
    for size in itertools.cycle(sizes):
        if pos >= len(data):
            return out
        left = reader.payload_left
        count = len(data[pos : pos + (min(size, left) if left else size)])
        buffer[:count] = data[pos : pos + count]
        pos += count
        out += reader.feed_payload(view[:count]) if left else reader.feed(bytes(view[:count]))
        buffer[:] = b"\xff" * len(buffer)  # what was delivered must not share the buffer
    raise AssertionError("unreachable")


TEXTS = [
    frame(TEXT, "aé€😀".encode() * 300),
    frame(BINARY, bytes(range(256)) * 5),
    frame(TEXT, "é€".encode() * 50, fin=False) + frame(PING) + frame(CONT, "😀".encode() * 40),
    frame(TEXT, KOSME),
]
TEXTS_EXPECTED = [
    "aé€😀" * 300,
    bytes(range(256)) * 5,
    Control(PING, b""),
    "é€" * 50 + "😀" * 40,
    "κόσμε",
]


@given(st.lists(st.integers(min_value=1, max_value=3000), min_size=1, max_size=20))
def test_multibyte_text_read_in_any_sizes(sizes: list[int]) -> None:
    data = b"".join(TEXTS)
    assert read_like_the_client(data, sizes) == TEXTS_EXPECTED
    reader = FrameReader(1 << 20)
    out: list[object] = []
    pos = 0
    for size in itertools.islice(itertools.cycle(sizes), len(data)):
        out += reader.feed(data[pos : pos + size])
        pos += size
    assert out == TEXTS_EXPECTED
    payloads = [m.encode() if isinstance(m, str) else m for m in TEXTS_EXPECTED]
    assert reader.data_bytes == sum(len(m) for m in payloads if isinstance(m, bytes))
