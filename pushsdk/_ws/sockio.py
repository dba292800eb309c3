"""Socket timeouts and shutdown for WSClient's connection (a socket or a TLSStream)."""

from __future__ import annotations

import contextlib
import socket
import struct
import sys

from .._net.tls import Stream

__all__ = [
    "RCVTIMEO",
    "WRITE_TIMEOUT",
    "set_read_timeout",
    "set_write_timeout",
    "shutdown",
    "timeval",
    "write_failure",
]

#: Read timeouts set with SO_RCVTIMEO keep the socket blocking, so that sends skip the
#: poll() a Python socket timeout adds to every call (3.5 -> 10 us per small send).
RCVTIMEO = sys.platform.startswith("linux")
#: Longest a write may make no progress when ``ping_timeout`` is None (Linux).
WRITE_TIMEOUT = 20.0


def set_read_timeout(sock: Stream, seconds: float | None) -> None:
    """Make reads (only) time out after ``seconds``; None waits forever."""
    if not RCVTIMEO:
        sock.settimeout(seconds)
        return
    sock.settimeout(None)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval(seconds))


def set_write_timeout(sock: Stream, seconds: float) -> None:
    """Make a write fail once it made no progress for ``seconds`` (kept blocking: no poll)."""
    if RCVTIMEO:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval(seconds))


def timeval(seconds: float | None) -> bytes:
    """``seconds`` as a ``struct timeval``; None or 0 is no timeout."""
    whole = int(seconds or 0)
    micros = int(((seconds or 0) - whole) * 1_000_000)
    if seconds and not whole and not micros:
        micros = 1  # a tiny timeout must not mean "no timeout"
    return struct.pack("ll", whole, micros)


def write_failure(exc: OSError) -> str:
    """Why a write failed, as ConnectionClosed reports it."""
    if isinstance(exc, BlockingIOError | TimeoutError):  # SO_SNDTIMEO expired
        return "the server stopped reading: a write made no progress before its deadline"
    return f"connection lost while writing: {exc}"


def shutdown(sock: Stream) -> None:
    """Cut the connection so that any blocked read or write returns at once."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
