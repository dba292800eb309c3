"""Autobahn TestSuite cases (sections 1-7 and 9) replayed byte for byte over a real socket.

Each case is taken from ``autobahntestsuite/case/caseN_M.py`` (autobahntestsuite
25.10.1 on PyPI): the frames the fuzzing server sends, what a strict client must
deliver, the pongs it must send, and the code it must close with. ``None`` as the
expected code means "no fault": the server then closes with 1000 and the client
must echo 1000.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

import pytest

from pushsdk import ProtocolError, WSClient
from tests.ending import ended
from tests.servers.raw_ws import RawConnection, RawWSServer, frame

TEXT, BINARY, CLOSE, PING, PONG, CONT = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0
WAIT = 5.0


def close(code: int, reason: bytes = b"") -> bytes:
    return frame(CLOSE, code.to_bytes(2, "big") + reason)


def chop(data: bytes, size: int) -> list[bytes]:
    """Split ``data`` into writes of ``size`` bytes (sent with a pause between them)."""
    return [data[i : i + size] for i in range(0, len(data), size)]


@dataclass
class Case:
    sends: list[bytes]
    messages: list[str | bytes] = field(default_factory=list)
    pongs: list[bytes] = field(default_factory=list)
    code: int | None = None
    chunked: bool = False  # pause between writes so that the client sees partial frames
    fault: bool | None = None  # the client must report a ProtocolError (default: code says)

    def __post_init__(self) -> None:
        if self.fault is None:
            self.fault = self.code in {1002, 1007, 1009}


# UTF-8 test strings of Autobahn section 6.
HELLO = "Hello-µ@ßöäüàá-UTF-8!!".encode()
KOSME = "κόσμε".encode()
INVALID_UTF8 = [
    b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64",  # 6.3.1
    b"\x80",  # 6.6.x lone continuation
    b"\xc0\xaf",  # overlong '/'
    b"\xed\xa0\x80",  # UTF-16 surrogate
    b"\xf4\x90\x80\x80",  # above U+10FFFF
    b"\xfe",
    b"\xce\xba\xe1\xbd",  # truncated at the end of the message
]
RESERVED = [1004, 1005, 1006, 1016, 1100, 2000, 2999, 0, 999, 5000, 65535]
VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]

CASES: dict[str, Case] = {
    # 1: framing of text and binary messages of every length encoding.
    **{
        f"1.1.{i}-text-{n}": Case([frame(TEXT, b"*" * n)], ["*" * n])
        for i, n in enumerate([0, 125, 126, 127, 128, 65535, 65536], 1)
    },
    "1.1.8-text-65536-chopped": Case(
        chop(frame(TEXT, b"*" * 65536), 997), ["*" * 65536], chunked=True
    ),
    **{
        f"1.2.{i}-binary-{n}": Case([frame(BINARY, b"\xfe" * n)], [b"\xfe" * n])
        for i, n in enumerate([0, 125, 126, 127, 128, 65535, 65536], 1)
    },
    # 2: pings and pongs.
    "2.1-ping-empty": Case([frame(PING)], pongs=[b""]),
    "2.2-ping-text": Case([frame(PING, b"Hello, world!")], pongs=[b"Hello, world!"]),
    "2.3-ping-binary": Case([frame(PING, b"\x00\xff\xfe\xfd")], pongs=[b"\x00\xff\xfe\xfd"]),
    "2.4-ping-125": Case([frame(PING, b"\xfe" * 125)], pongs=[b"\xfe" * 125]),
    "2.5-ping-126": Case([frame(PING, b"\xfe" * 126)], code=1002),
    "2.6-ping-chopped": Case(
        chop(frame(PING, b"\xfe" * 125), 1), pongs=[b"\xfe" * 125], chunked=True
    ),
    "2.7-unsolicited-pong": Case([frame(PONG)]),
    "2.8-unsolicited-pong-payload": Case([frame(PONG, b"unsolicited")]),
    "2.9-pong-then-ping": Case([frame(PONG, b"x"), frame(PING, b"ping")], pongs=[b"ping"]),
    "2.10-ten-pings": Case(
        [frame(PING, b"p%d" % i) for i in range(10)], pongs=[b"p%d" % i for i in range(10)]
    ),
    # 3: reserved bits.
    "3.1-rsv1-text": Case([frame(TEXT, b"Hello", rsv=4)], code=1002),
    "3.2-text-rsv2-text-ping": Case(
        [frame(TEXT, b"Hello"), frame(TEXT, b"Hello", rsv=2), frame(PING)], ["Hello"], code=1002
    ),
    "3.3-rsv3": Case([frame(TEXT, b"Hello"), frame(TEXT, b"Hello", rsv=1)], ["Hello"], code=1002),
    "3.4-rsv12-ping": Case([frame(PING, b"x", rsv=6)], code=1002),
    "3.5-rsv13-binary": Case([frame(BINARY, b"\xff", rsv=5)], code=1002),
    "3.6-rsv23-ping": Case([frame(PING, b"x", rsv=3)], code=1002),
    "3.7-rsv123-close": Case([frame(CLOSE, b"", rsv=7)], code=1002),
    # 4: opcodes.
    **{f"4.1-opcode-{op}": Case([frame(op, b"x")], code=1002) for op in (3, 4, 5, 6, 7)},
    **{f"4.2-opcode-{op}": Case([frame(op, b"x")], code=1002) for op in (11, 12, 13, 14, 15)},
    "4.1.3-text-then-reserved-opcode": Case(
        [frame(TEXT, b"Hello"), frame(5), frame(PING)], ["Hello"], code=1002
    ),
    # 5: fragmentation.
    "5.1-fragmented-ping": Case([frame(PING, b"a", fin=False), frame(CONT, b"b")], code=1002),
    "5.2-fragmented-pong": Case([frame(PONG, b"a", fin=False), frame(CONT, b"b")], code=1002),
    "5.3-text-2-fragments": Case(
        [frame(TEXT, b"frag1", fin=False), frame(CONT, b"frag2")], ["frag1frag2"]
    ),
    "5.4-text-2-fragments-chopped": Case(
        chop(frame(TEXT, b"frag1", fin=False) + frame(CONT, b"frag2"), 1),
        ["frag1frag2"],
        chunked=True,
    ),
    "5.6-ping-between-fragments": Case(
        [frame(TEXT, b"frag1", fin=False), frame(PING, b"pong me"), frame(CONT, b"frag2")],
        ["frag1frag2"],
        pongs=[b"pong me"],
    ),
    "5.9-continuation-without-start": Case(
        [frame(CONT, b"frag1"), frame(TEXT, b"Hello")], code=1002
    ),
    "5.12-continuation-fin0-without-start": Case([frame(CONT, b"x", fin=False)], code=1002),
    "5.15-continuation-after-message": Case(
        [
            frame(TEXT, b"f1", fin=False),
            frame(CONT, b"f2"),
            frame(CONT, b"f3", fin=False),
            frame(TEXT, b"f4"),
        ],
        ["f1f2"],
        code=1002,
    ),
    "5.18-two-text-starts": Case([frame(TEXT, b"f1", fin=False), frame(TEXT, b"f2")], code=1002),
    "5.19-pings-in-5-fragments": Case(
        [
            frame(TEXT, b"f1", fin=False),
            frame(CONT, b"f2", fin=False),
            frame(PING, b"p1"),
            frame(CONT, b"f3", fin=False),
            frame(CONT, b"f4", fin=False),
            frame(PING, b"p2"),
            frame(CONT, b"f5"),
        ],
        ["f1f2f3f4f5"],
        pongs=[b"p1", b"p2"],
    ),
    "5.x-binary-fragments": Case(
        [frame(BINARY, b"\x01", fin=False), frame(CONT, b"\x02", fin=False), frame(CONT, b"")],
        [b"\x01\x02"],
    ),
    # 6: UTF-8.
    "6.1.1-empty-text": Case([frame(TEXT)], [""]),
    "6.1.2-empty-fragments": Case(
        [frame(TEXT, fin=False), frame(CONT, fin=False), frame(CONT)], [""]
    ),
    "6.1.3-empty-then-text": Case(
        [frame(TEXT, fin=False), frame(CONT, b"middle", fin=False), frame(CONT)], ["middle"]
    ),
    "6.2.1-valid-utf8": Case([frame(TEXT, HELLO)], [HELLO.decode()]),
    "6.2.3-valid-utf8-split-in-every-byte": Case(
        [frame(TEXT, HELLO[:1], fin=False)]
        + [frame(CONT, HELLO[i : i + 1], fin=False) for i in range(1, len(HELLO))]
        + [frame(CONT)],
        [HELLO.decode()],
    ),
    "6.2.4-kosme-split-in-every-byte": Case(
        [frame(TEXT, KOSME[:1], fin=False)]
        + [frame(CONT, KOSME[i : i + 1], fin=False) for i in range(1, len(KOSME))]
        + [frame(CONT)],
        [KOSME.decode()],
    ),
    "6.3.2-invalid-utf8-split-in-every-byte": Case(
        [frame(TEXT, INVALID_UTF8[0][:1], fin=False)]
        + [frame(CONT, INVALID_UTF8[0][i : i + 1], fin=False) for i in range(1, 20)]
        + [frame(CONT)],
        code=1007,
    ),
    **{
        f"6.x-invalid-utf8-{i}": Case([frame(TEXT, payload)], code=1007)
        for i, payload in enumerate(INVALID_UTF8)
    },
    "6.x-valid-max-codepoint": Case([frame(TEXT, b"\xf4\x8f\xbf\xbf")], ["\U0010ffff"]),
    "6.x-valid-bom-kept": Case([frame(TEXT, b"\xef\xbb\xbfx")], ["\ufeffx"]),
    # 7: closing.
    "7.1.1-text-then-close": Case([frame(TEXT, b"Hello")], ["Hello"]),
    "7.1.2-close-twice": Case([close(1000), close(1000)], code=1000),
    "7.1.3-ping-after-close-ignored": Case([close(1000), frame(PING)], code=1000),
    "7.1.4-text-after-close-ignored": Case([close(1000), frame(TEXT, b"late")], code=1000),
    "7.1.5-fragment-close-fragment": Case(
        [frame(TEXT, b"f1", fin=False), close(1000), frame(CONT, b"f2")], code=1000
    ),
    "7.1.6-large-then-close": Case(
        [frame(TEXT, b"B" * 262144), close(1000)], ["B" * 262144], code=1000
    ),
    "7.3.1-close-empty": Case([frame(CLOSE)], code=None),  # answered with an empty close
    "7.3.2-close-1-byte": Case([frame(CLOSE, b"\x03")], code=1002),
    "7.3.4-close-with-reason": Case([close(1000, b"Hello World!")], code=1000),
    "7.3.5-close-123-byte-reason": Case([close(1000, b"*" * 123)], code=1000),
    "7.3.6-close-124-byte-reason": Case([close(1000, b"*" * 124)], code=1002),
    "7.5.1-close-reason-invalid-utf8": Case([close(1000, INVALID_UTF8[0])], code=1007),
    **{f"7.7-valid-code-{c}": Case([close(c)], code=c, fault=False) for c in VALID_CODES},
    **{
        f"7.9-invalid-code-{c}": Case([frame(CLOSE, c.to_bytes(4, "big")[-2:])], code=1002)
        for c in RESERVED
    },
    # 9: limits (the larger sizes are in test_ws_messages.py).
    "9.1.1-text-64KiB": Case([frame(TEXT, b"*" * 65536)], ["*" * 65536]),
    "9.2.3-binary-1MiB": Case([frame(BINARY, b"\xfe" * 2**20)], [b"\xfe" * 2**20]),
    "9.4.x-binary-1MiB-in-4KiB-fragments": Case(
        [frame(BINARY, b"\x01" * 4096, fin=False)]
        + [frame(CONT, b"\x01" * 4096, fin=False)] * 254
        + [frame(CONT, b"\x01" * 4096)],
        [b"\x01" * 2**20],
    ),
    "9.7.x-1000-small-text": Case(
        [frame(TEXT, b"%d" % i) for i in range(1000)], [str(i) for i in range(1000)]
    ),
}


def run_case(server: RawWSServer, case: Case) -> None:
    """Send the case's bytes, then check messages, pongs and the client's close code."""
    received: list[str | bytes] = []
    errors: list[Exception] = []
    client = WSClient(
        server.url,
        reconnect=False,
        ping_interval=None,
        on_message=lambda _c, m: received.append(m.data),
        on_error=lambda _c, e: errors.append(e),
    )
    client.start()
    try:
        conn = server.accept()
        for data in case.sends:
            try:
                conn.send(data)
            except (BrokenPipeError, ConnectionResetError):
                # A client that failed the connection at once may close TCP before
                # the rest is written; its close frame is already on the way.
                assert case.fault, "the client hung up on a valid case"
                break
            if case.chunked:
                time.sleep(0.001)
        expected = case.code
        if expected is None and not (case.sends and case.sends[-1][:1] == b"\x88"):
            conn.send(close(1000))
            expected = 1000
        pongs: list[bytes] = []
        while True:
            _, opcode, payload = conn.recv_frame(WAIT)
            if opcode == PONG:
                pongs.append(payload)
            elif opcode == CLOSE:
                code = int.from_bytes(payload[:2], "big") if payload else None
                break
        assert code == expected
        assert pongs == case.pongs
        assert conn.at_eof(WAIT), "the client must close TCP after the closing handshake"
        assert ended(client)
        assert received == case.messages
        protocol_errors = [e for e in errors if isinstance(e, ProtocolError)]
        if case.fault:
            assert [e.close_code for e in protocol_errors] == [expected]
            assert len(errors) == 1
        else:
            assert not errors
    finally:
        client.close()


@pytest.mark.parametrize("name", list(CASES))
def test_autobahn_case(raw_ws_server: RawWSServer, name: str) -> None:
    run_case(raw_ws_server, CASES[name])


# Autobahn 6.4.x: PART1 + PART2 + PART3 where PART2 (U+110000) makes the text invalid.
# The server sends the parts with pauses and then STALLS: the message (6.4.1, 6.4.2) or
# the frame itself (6.4.3, 6.4.4) never completes, so a client that only checks UTF-8
# when a frame or message is complete never closes.
PART1, PART2, PART3 = KOSME, b"\xf4\x90\x80\x80", b"edited"
FAIL_FAST: dict[str, list[bytes]] = {
    "6.4.1-bad-fragment": [frame(TEXT, PART1, fin=False), frame(CONT, PART2, fin=False)],
    "6.4.2-bad-byte-in-next-fragment": [
        frame(TEXT, PART1 + PART2[:1], fin=False),
        frame(CONT, PART2[1:2], fin=False),
    ],
    "6.4.3-bad-chunk-of-one-frame": [
        frame(TEXT, PART1, length=len(PART1 + PART2 + PART3)),
        PART2,
    ],
    "6.4.4-bad-byte-in-next-chunk-of-one-frame": [
        frame(TEXT, PART1 + PART2[:1], length=len(PART1 + PART2 + PART3)),
        PART2[1:2],
    ],
}


def send_with_pauses(conn: RawConnection, parts: list[bytes]) -> None:
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for part in parts:
        conn.send(part)
        time.sleep(0.05)  # let the client read each part on its own


@pytest.mark.parametrize("name", list(FAIL_FAST))
def test_invalid_utf8_fails_fast_before_the_frame_ends(
    raw_ws_server: RawWSServer, name: str
) -> None:
    """Close 1007 within a second of the bad byte, though the rest never comes."""
    errors: list[Exception] = []
    client = WSClient(
        raw_ws_server.url,
        reconnect=False,
        ping_interval=None,
        on_error=lambda _c, e: errors.append(e),
    )
    client.start()
    try:
        conn = raw_ws_server.accept()
        *good, bad = FAIL_FAST[name]
        send_with_pauses(conn, good)
        conn.send(bad)  # ... and nothing more
        assert conn.recv_close_code(timeout=1.0) == 1007
        assert ended(client)
        assert [type(e) for e in errors] == [ProtocolError]
        assert isinstance(errors[0], ProtocolError) and errors[0].close_code == 1007
    finally:
        client.close()


VALID_PART2 = b"\xf4\x8f\xbf\xbf"  # U+10FFFF: the highest valid code point
SPLIT_VALID: dict[str, list[bytes]] = {
    "6.4.1-like": [
        frame(TEXT, PART1, fin=False),
        frame(CONT, VALID_PART2, fin=False),
        frame(CONT, PART3),
    ],
    "6.4.2-like": [
        frame(TEXT, PART1 + VALID_PART2[:1], fin=False),
        frame(CONT, VALID_PART2[1:2], fin=False),
        frame(CONT, VALID_PART2[2:] + PART3),
    ],
    "6.4.3-like": [
        frame(TEXT, PART1, length=len(PART1 + VALID_PART2 + PART3)),
        VALID_PART2,
        PART3,
    ],
    "6.4.4-like": [
        frame(TEXT, PART1 + VALID_PART2[:1], length=len(PART1 + VALID_PART2 + PART3)),
        VALID_PART2[1:2],
        VALID_PART2[2:] + PART3,
    ],
}


@pytest.mark.parametrize("name", list(SPLIT_VALID))
def test_valid_utf8_split_at_the_same_points_is_delivered(
    raw_ws_server: RawWSServer, name: str
) -> None:
    """The control case: with a valid PART2 the same pieces make one message."""
    got = threading.Event()
    messages: list[str | bytes] = []

    def on_message(_client: WSClient, message: object) -> None:
        messages.append(message.data)  # type: ignore[attr-defined]
        got.set()

    client = WSClient(raw_ws_server.url, reconnect=False, ping_interval=None, on_message=on_message)
    client.start()
    try:
        conn = raw_ws_server.accept()
        send_with_pauses(conn, SPLIT_VALID[name])
        assert got.wait(WAIT)
        assert messages == [(PART1 + VALID_PART2 + PART3).decode()]
        conn.send(close(1000))
        assert conn.recv_close_code() == 1000
    finally:
        client.close()


def test_split_multibyte_sequence_across_fragments_is_valid(raw_ws_server: RawWSServer) -> None:
    got = threading.Event()
    messages: list[str | bytes] = []

    def on_message(_client: WSClient, message: object) -> None:
        messages.append(message.data)  # type: ignore[attr-defined]
        got.set()

    client = WSClient(raw_ws_server.url, reconnect=False, ping_interval=None, on_message=on_message)
    client.start()
    try:
        conn = raw_ws_server.accept()
        euro = "€".encode()
        conn.send(frame(TEXT, euro[:1], fin=False))
        time.sleep(0.01)
        conn.send(frame(CONT, euro[1:2], fin=False))
        time.sleep(0.01)
        conn.send(frame(CONT, euro[2:]))
        assert got.wait(WAIT)
        assert messages == ["€"]
        conn.send(close(1000))
        assert conn.recv_close_code() == 1000
    finally:
        client.close()


def test_oversized_length_header_fails_at_once(raw_ws_server: RawWSServer) -> None:
    """A 1 GiB length header is rejected with 1009 before any payload arrives."""
    client = WSClient(raw_ws_server.url, reconnect=False, ping_interval=None)
    client.start()
    try:
        conn = raw_ws_server.accept()
        conn.send(frame(BINARY, b"", length=2**30))
        assert conn.recv_close_code(WAIT) == 1009
        assert ended(client)
        assert isinstance(client.last_error, ProtocolError)
        assert client.last_error.close_code == 1009
    finally:
        client.close()
