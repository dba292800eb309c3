"""A minimal threaded TCP server that runs a handler per connection (raw bytes on the wire).

The fault tests use it as a plain upstream for the proxy and as a scripted peer that
sends exact, broken bytes (garbage handshakes, invalid frames, silent servers).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable

Handler = Callable[[socket.socket], object]

_JOIN_TIMEOUT = 5.0


class TCPServer:
    """Accept on 127.0.0.1 (port 0) and run ``handler(sock)`` in a thread per connection.

    ``stop()`` closes the listener and every connection (which ends handlers blocked on
    them) and joins every thread. ``accepted`` counts connections.
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.accepted = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._socks: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._stopping = False
        self._accept_thread = threading.Thread(target=self._accept, name="tcp-server", daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def url(self, scheme: str, path: str = "/") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def start(self) -> TCPServer:
        self._accept_thread.start()
        return self

    def __enter__(self) -> TCPServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            socks = list(self._socks)
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._accept_thread.join(_JOIN_TIMEOUT)
        for thread in list(self._threads):
            thread.join(_JOIN_TIMEOUT)
        alive = [t for t in [self._accept_thread, *self._threads] if t.is_alive()]
        assert not alive, f"TCPServer threads still alive: {alive}"

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._stopping:
                    sock.close()
                    return
                self.accepted += 1
                self._socks.append(sock)
                thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
                self._threads = [t for t in self._threads if t.is_alive()]  # stay bounded
                self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket) -> None:
        try:
            self.handler(sock)
        except (OSError, EOFError):
            pass  # the peer went away: normal for a server
        finally:
            with self._lock:
                if sock in self._socks:
                    self._socks.remove(sock)
            sock.close()


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    """Read exactly ``size`` bytes; raise EOFError if the peer closes first."""
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError(f"peer closed after {len(data)} of {size} bytes")
        data += chunk
    return bytes(data)


def recv_until(sock: socket.socket, marker: bytes, limit: int = 65536) -> bytes:
    """Read until ``marker`` has arrived (e.g. the blank line ending HTTP headers)."""
    data = bytearray()
    while marker not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise EOFError(f"peer closed before {marker!r}")
        data += chunk
        if len(data) > limit:
            raise ValueError("no marker within limit")
    return bytes(data)


def recv_all(sock: socket.socket) -> bytes:
    """Read until EOF (or a reset, which ends the read the same way)."""
    data = bytearray()
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            data += chunk
    return bytes(data)
