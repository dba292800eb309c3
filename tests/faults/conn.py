"""The proxy's per-connection state: two pipes (one per direction) and how to close."""

from __future__ import annotations

import contextlib
import socket
import struct

from tests.faults.faults import Direction, Fault

#: Bytes read ahead per direction; a stalled connection stops reading past this.
MAX_PENDING = 256 * 1024
CHUNK = 65536
_LINGER_RST = struct.pack("ii", 1, 0)


class Pipe:
    """One direction of a proxied connection: what was read from ``src`` for ``dst``."""

    __slots__ = ("budget", "buf", "drip", "dst", "eof", "next_drip", "sent", "shut", "src")

    def __init__(self, src: socket.socket, dst: socket.socket) -> None:
        self.src = src
        self.dst = dst
        self.buf = bytearray()
        self.eof = False
        self.shut = False
        self.sent = 0
        self.budget: int | None = None
        self.drip: tuple[int, float] | None = None
        self.next_drip = 0.0

    def wants_read(self) -> bool:
        return not self.eof and len(self.buf) < MAX_PENDING

    def wants_write(self, stalled: bool, now: float) -> bool:
        if stalled or not self.buf or self.budget == 0:
            return False
        return self.drip is None or now >= self.next_drip


class Conn:
    """One proxied connection: both pipes, whether it is stalled, and its armed fault."""

    __slots__ = ("client", "closed", "deadline", "down", "fault", "index", "stalled", "up")

    def __init__(self, index: int, client: socket.socket, upstream: socket.socket) -> None:
        self.index = index
        self.client = client
        self.down = Pipe(upstream, client)
        self.up = Pipe(client, upstream)
        self.stalled = False
        self.closed = False
        self.fault: Fault | None = None
        self.deadline: float | None = None

    def pipe(self, direction: Direction) -> Pipe:
        return self.down if direction == "down" else self.up


def abort(sock: socket.socket) -> None:
    """Close with SO_LINGER 0: the peer gets a RST, not a FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RST)
    sock.close()


def close_fin(sock: socket.socket) -> None:
    """Send a FIN, then discard unread input so the close does not turn into a RST."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
    with contextlib.suppress(OSError):
        sock.setblocking(False)
        while sock.recv(CHUNK):
            pass
    sock.close()
