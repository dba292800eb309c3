"""Scripted peers for the bad-input matrix: exact HTTP heads and WebSocket frames.

Each helper acts on one server-side socket from ``TCPServer``; a test composes them
into a handler that misbehaves in one precise way.
"""

from __future__ import annotations

import base64
import hashlib
import socket

from tests.faults.tcp import recv_exactly, recv_until
from tests.servers.raw_ws import frame

__all__ = ["accept_key", "frame", "read_close_code", "read_request", "response", "ws_accept"]

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
WAIT = 5.0


def read_request(sock: socket.socket) -> dict[str, str]:
    """Read an HTTP request head; return its headers with lower-case names."""
    sock.settimeout(WAIT)
    head = recv_until(sock, b"\r\n\r\n").decode("latin-1")
    pairs = (line.split(":", 1) for line in head.split("\r\n")[1:] if ":" in line)
    return {name.strip().lower(): value.strip() for name, value in pairs}


def response(status: str, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    """An HTTP/1.1 response head (and body), e.g. ``response("401 Unauthorized", ...)``."""
    lines = [f"HTTP/1.1 {status}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1(key.encode() + _GUID).digest()).decode()


def ws_accept(sock: socket.socket, accept: str | None = None) -> None:
    """Complete the opening handshake (with ``accept`` as Sec-WebSocket-Accept if given)."""
    headers = read_request(sock)
    key = accept if accept is not None else accept_key(headers["sec-websocket-key"])
    sock.sendall(
        response(
            "101 Switching Protocols",
            {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Accept": key},
        )
    )


def read_close_code(sock: socket.socket) -> int | None:
    """Read the client's frames until its close frame; return the code (None: no code)."""
    sock.settimeout(WAIT)
    while True:
        first, second = recv_exactly(sock, 2)
        size = second & 0x7F
        if size == 126:
            size = int.from_bytes(recv_exactly(sock, 2), "big")
        elif size == 127:
            size = int.from_bytes(recv_exactly(sock, 8), "big")
        mask = recv_exactly(sock, 4) if second & 0x80 else b"\0\0\0\0"
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(recv_exactly(sock, size)))
        if first & 0x0F == 0x8:
            return int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None
