"""Fuzz targets for the handshake's response reader: hostile heads always end, bounded.

The handshake runs on any socket-like object; here an in-memory one plays the
server (millions of reads a second, and endless answers that a real socket would
take seconds to send). Properties: a head of any bytes in any split ends in
HandshakeError or ConnectError, nothing else; an endless head (one long line, endless
headers or Set-Cookie lines, one byte per read) ends in HandshakeError caused by
HeadTooLarge after at most the caps' worth of bytes; a valid 101 in any split is
accepted and nothing past its head is read. The deadline over real sockets is
tested in tests/hostile. ``scripts/fuzz`` runs these with many more examples.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pushsdk import ConnectError, HandshakeError
from pushsdk._ws.handshake import MAX_BODY, MAX_HEAD_BYTES, HeadTooLarge, handshake
from tests.faults.scripted import accept_key
from tests.fuzzing import fuzz_settings

URL = "ws://server.test/chat"
#: The most a hostile head may make the reader take: the caps, plus one read.
MOST_READ = MAX_HEAD_BYTES + MAX_BODY + 4096


class ScriptedSocket:
    """A socket-like server: answers the request with ``respond(request)``, in pieces."""

    def __init__(self, respond: Callable[[bytes], Iterator[bytes]], sizes: list[int]) -> None:
        self._respond = respond
        self._sizes = itertools.cycle(sizes)
        self._answer: Iterator[bytes] | None = None
        self._piece = b""
        self.request = b""
        self.read = 0
        self.timeout: float | None = None

    def send(self, data: bytes) -> int:
        self.request += data
        return len(data)

    def recv(self, size: int) -> bytes:
        if self._answer is None:
            self._answer = self._respond(self.request)
        while not self._piece:
            piece = next(self._answer, None)
            if piece is None:
                return b""  # the server closed
            self._piece = piece
        take = min(size, next(self._sizes), len(self._piece))
        data, self._piece = self._piece[:take], self._piece[take:]
        self.read += len(data)
        return data

    def unread(self) -> bytes:
        return self._piece + b"".join(self._answer or ())

    def settimeout(self, value: float | None) -> None:
        assert value is None or value > 0
        self.timeout = value

    def gettimeout(self) -> float | None:
        return self.timeout

    def fileno(self) -> int:
        return -1


def run(respond: Callable[[bytes], Iterator[bytes]], sizes: list[int]) -> tuple[object, int]:
    """Run the handshake; return its result (or the exception) and the bytes it read."""
    sock = ScriptedSocket(respond, sizes)
    try:
        result: object = handshake(
            sock,
            URL,
            headers={"Authorization": "Bearer t0ken-t0ken"},
            subprotocols=["chat"],
            origin=None,
            deadline=time.monotonic() + 60,
        )
    except (HandshakeError, ConnectError) as exc:
        result = exc
    return result, sock.read


def _key(request: bytes) -> str:
    for line in request.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.lower() == "sec-websocket-key":
            return value.strip()
    raise AssertionError("no Sec-WebSocket-Key in the request")


_known_lines = st.sampled_from(
    [
        b"Upgrade: websocket",
        b"Connection: Upgrade",
        b"Sec-WebSocket-Protocol: chat",
        b"Content-Type: text/event-stream",
        b"Content-Length: 5",
        b"Content-Length: -1",
        b"Content-Length: 99999999999",
        b"Location: ws://elsewhere/",
        b"Set-Cookie: a=b",
        b"no colon here",
        b"",
    ]
)
_random_lines = st.binary(max_size=60).map(lambda b: b.replace(b"\n", b""))
_big_lines = st.builds(lambda n: b"X-Big: " + b"a" * n, st.integers(0, 2 * MAX_HEAD_BYTES))
#: Mostly known and random lines; a big one (slow to read byte by byte) one time in ten.
header_lines = st.integers(0, 9).flatmap(
    lambda n: _big_lines if n == 0 else _known_lines if n < 6 else _random_lines
)
STATUS_LINES = [b"HTTP/1.1 101 Switching Protocols", b"HTTP/1.1 200 OK", b"HTTP/1.1 401 Nope"]
STATUS_LINES += [b"HTTP/1.1 302 Found", b"HTTP/1.1 503 Busy", b"HTTP/1.0 101", b"", b"garbage"]
status_lines = st.sampled_from(STATUS_LINES) | st.binary(max_size=40).map(
    lambda b: b.replace(b"\n", b"")
)
heads = st.builds(
    lambda status, lines, end, body: b"\r\n".join([status, *lines]) + end + body,
    status_lines,
    st.lists(header_lines, max_size=12),
    st.sampled_from([b"\r\n\r\n", b"\n\n", b"\r\n", b""]),
    st.binary(max_size=300),
)
harmless = st.sampled_from([b"Server: x", b"Set-Cookie: a=b", b"X-Empty:", b"x-lower:  v "])
read_sizes = st.lists(st.integers(1, 9000), min_size=1, max_size=8)


@fuzz_settings(examples=100)
@given(head=heads, sizes=read_sizes)
def test_any_head_in_any_split_ends_in_a_handshake_or_connect_error(
    head: bytes, sizes: list[int]
) -> None:
    result, read = run(lambda _request: iter([head]), sizes)
    assert isinstance(result, HandshakeError | ConnectError), result
    assert read <= MOST_READ
    assert "t0ken-t0ken" not in str(result)


ENDLESS = {
    "one endless line": (b"HTTP/1.1 101 Switching Protocols\r\nX-Long: ", b"a" * 1000),
    "endless headers": (b"HTTP/1.1 101 Switching Protocols\r\n", b"X-Header: 1\r\n"),
    "endless set-cookie": (b"HTTP/1.1 503 Busy\r\n", b"Set-Cookie: id=1; Path=/\r\n"),
    "endless status line": (b"HTTP/1.1 101 ", b"Switching "),
    "endless bare line ends": (b"HTTP/1.1 101 Switching Protocols\r\n", b"x:\n"),
}


@fuzz_settings(examples=10)
@given(kind=st.sampled_from(sorted(ENDLESS)), sizes=read_sizes | st.just([1]))
def test_an_endless_head_ends_in_head_too_large(kind: str, sizes: list[int]) -> None:
    start, unit = ENDLESS[kind]
    result, read = run(lambda _request: itertools.chain([start], itertools.repeat(unit)), sizes)
    assert isinstance(result, HandshakeError), result
    assert isinstance(result.__cause__, HeadTooLarge), result.__cause__
    assert read <= MAX_HEAD_BYTES + len(unit) + 1


@pytest.mark.parametrize("kind", sorted(ENDLESS))
def test_each_endless_head_one_byte_per_read(kind: str) -> None:
    start, unit = ENDLESS[kind]
    result, _ = run(lambda _request: itertools.chain([start], itertools.repeat(unit)), [1])
    assert isinstance(result, HandshakeError) and isinstance(result.__cause__, HeadTooLarge)


@fuzz_settings(examples=100)
@given(sizes=read_sizes, after=st.binary(max_size=50), extra=st.lists(harmless, max_size=5))
def test_a_valid_101_in_any_split_is_accepted_and_nothing_past_it_is_read(
    sizes: list[int], after: bytes, extra: list[bytes]
) -> None:
    def respond(request: bytes) -> Iterator[bytes]:
        head = [
            b"HTTP/1.1 101 Switching Protocols",
            b"Upgrade: websocket",
            b"Connection: Upgrade",
            b"Sec-WebSocket-Accept: " + accept_key(_key(request)).encode(),
            b"Sec-WebSocket-Protocol: chat",
            *extra,
        ]
        yield b"\r\n".join(head) + b"\r\n\r\n" + after

    sock = ScriptedSocket(respond, sizes)
    subprotocol, _deflate = handshake(
        sock, URL, headers={}, subprotocols=["chat"], origin=None, deadline=time.monotonic() + 60
    )
    assert subprotocol == "chat"
    assert sock.unread() == after  # what follows the head is the frames' business
