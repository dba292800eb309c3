"""Fixture ``raw_ws_server``: a WebSocket server on raw sockets that sends exact bytes.

It completes the opening handshake (or answers with bytes the test chose) in a
background thread and hands each connection to the test, which then writes
frames byte for byte (``frame()`` builds them, any flag or length allowed) and
reads the client's frames back, unmasked, including the close frame's code.
The fixture runs each test twice: over plain TCP (ws://) and over TLS (wss://,
certificate from ``ws_ca``, which clients with default options then trust).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import queue
import select
import socket
import ssl
import threading
import time
from collections.abc import Iterator

import pytest
import trustme

from tests.servers.tls import SCHEMES, server_context, trust_ca

__all__ = ["RawConnection", "RawWSServer", "frame", "raw_ws_server"]

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#: Seconds a test waits for the client before failing.
WAIT = 5.0


def frame(
    opcode: int,
    payload: bytes = b"",
    *,
    fin: bool = True,
    rsv: int = 0,
    length: int | None = None,
) -> bytes:
    """A server frame (unmasked); ``length`` overrides the header's payload length."""
    size = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    if size < 126:
        head += bytes([size])
    elif size < 1 << 16:
        head += bytes([126]) + size.to_bytes(2, "big")
    else:
        head += bytes([127]) + size.to_bytes(8, "big")
    return head + payload


class RawConnection:
    """One accepted connection: the handshake done, bytes under the test's control."""

    def __init__(self, sock: socket.socket, request: bytes) -> None:
        #: The connection: an ``ssl.SSLSocket`` over TLS.
        self.sock = sock
        self.request = request
        self._buffer = bytearray()
        self.last_rsv = 0  # the RSV bits of the frame recv_frame returned last

    @property
    def request_headers(self) -> dict[str, str]:
        lines = self.request.decode("latin-1").split("\r\n")[1:]
        pairs = (line.split(":", 1) for line in lines if ":" in line)
        return {name.strip().lower(): value.strip() for name, value in pairs}

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_while_reading(self, data: bytes, timeout: float = WAIT) -> None:
        """Write ``data`` while buffering what the client sends, in this thread.

        For a client that answers before it has read everything (a close frame
        after a bomb). One thread drives the socket: an ``ssl.SSLSocket`` must not
        be read in one thread while another writes it. Stops when all is written,
        the client hangs up, or ``timeout`` passes; ``read()`` then returns what
        arrived.
        """
        view = memoryview(data)
        waiting = (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError)
        deadline = time.monotonic() + timeout
        self.sock.setblocking(False)
        try:
            while view and time.monotonic() < deadline:
                select.select([self.sock], [self.sock], [], 0.05)
                with contextlib.suppress(*waiting):
                    while chunk := self.sock.recv(1 << 20):
                        self._buffer += chunk
                    return  # EOF: the client hung up
                with contextlib.suppress(*waiting):
                    view = view[self.sock.send(view[: 1 << 16]) :]
        except OSError:
            return  # reset by the client: what it sent before is in the buffer
        finally:
            self.sock.settimeout(WAIT)

    def read(self, count: int, timeout: float = WAIT) -> bytes:
        """Exactly ``count`` bytes from the client (EOFError if it closes first)."""
        self.sock.settimeout(timeout)
        while len(self._buffer) < count:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("client closed the connection")
            self._buffer += chunk
        data = bytes(self._buffer[:count])
        del self._buffer[:count]  # linear in total: large frames are read in MiB chunks
        return data

    def recv_frame(self, timeout: float = WAIT) -> tuple[bool, int, bytes]:
        """Read one client frame: (fin, opcode, unmasked payload)."""
        b0, b1 = self.read(2, timeout)
        self.last_rsv = (b0 >> 4) & 7
        length = b1 & 0x7F
        if length == 126:
            length = int.from_bytes(self.read(2, timeout), "big")
        elif length == 127:
            length = int.from_bytes(self.read(8, timeout), "big")
        mask = self.read(4, timeout) if b1 & 0x80 else b"\0\0\0\0"
        data = self.read(length, timeout)
        key = int.from_bytes((mask * (length // 4 + 1))[:length], "little")
        payload = (int.from_bytes(data, "little") ^ key).to_bytes(length, "little")
        return bool(b0 & 0x80), b0 & 0x0F, payload

    def recv_close_code(self, timeout: float = WAIT) -> int | None:
        """Skip frames until the client's close frame; return its code (None if empty)."""
        while True:
            _, opcode, payload = self.recv_frame(timeout)
            if opcode == 0x8:
                return int.from_bytes(payload[:2], "big") if payload else None

    def at_eof(self, timeout: float = WAIT) -> bool:
        """Whether the client closes TCP within ``timeout`` (data before that is skipped)."""
        self.sock.settimeout(timeout)
        try:
            while self.sock.recv(65536):
                pass
        except TimeoutError:
            return False
        except OSError:
            return True
        return True

    def close(self) -> None:
        self.sock.close()


class RawWSServer:
    """Accepts connections; ``accept()`` returns the next one after its handshake.

    Set ``response`` to raw bytes to answer the next handshakes with them instead
    of a 101 (the connection is closed after), ``extensions`` to a
    ``Sec-WebSocket-Extensions`` value for the 101, ``headers`` to more header lines
    for it (``"Name: value"``), and ``receive_buffer`` to give the
    next connections that ``SO_RCVBUF`` (set on the listener, so from the first SYN).
    With ``ssl_context`` every connection is TLS (the handshake done before the WebSocket one).
    """

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._ssl_context = ssl_context
        self.port = self._listener.getsockname()[1]
        self.scheme = "wss" if ssl_context else "ws"
        self.url = f"{self.scheme}://127.0.0.1:{self.port}/"
        self.response: bytes | None = None
        self.extensions: str | None = None
        self.headers: list[str] = []
        self.handshakes = 0
        self._accepted: queue.Queue[RawConnection] = queue.Queue()
        self._connections: list[RawConnection] = []
        self._thread = threading.Thread(target=self._serve, name="raw-ws-server", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            sock.settimeout(WAIT)
            try:
                if self._ssl_context is not None:
                    sock = self._ssl_context.wrap_socket(sock, server_side=True)
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = sock.recv(4096)
                    if not chunk:
                        raise EOFError
                    request += chunk
                self.handshakes += 1
                if self.response is not None:
                    sock.sendall(self.response)
                    sock.close()
                    continue
                conn = RawConnection(sock, request)
                key = conn.request_headers["sec-websocket-key"].encode()
                accept = base64.b64encode(hashlib.sha1(key + _GUID).digest()).decode()
                extra = b"".join(line.encode() + b"\r\n" for line in self.headers)
                if self.extensions is not None:
                    extra += b"Sec-WebSocket-Extensions: " + self.extensions.encode() + b"\r\n"
                sock.sendall(
                    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    b"Connection: Upgrade\r\nSec-WebSocket-Accept: "
                    + accept.encode()
                    + b"\r\n"
                    + extra
                    + b"\r\n"
                )
            except (OSError, EOFError, KeyError):
                sock.close()
                continue
            self._connections.append(conn)
            self._accepted.put(conn)

    @property
    def receive_buffer(self) -> int:
        return self._listener.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)

    @receive_buffer.setter
    def receive_buffer(self, size: int) -> None:
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)

    def accept(self, timeout: float = WAIT) -> RawConnection:
        """The next connection whose handshake completed."""
        return self._accepted.get(timeout=timeout)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # unblocks accept() on Linux
        self._listener.close()
        for conn in self._connections:
            conn.close()
        self._thread.join(WAIT)


@pytest.fixture(params=SCHEMES)
def raw_ws_server(
    request: pytest.FixtureRequest,
    ws_ca: trustme.CA,
    ws_ca_file: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[RawWSServer]:
    """A raw-socket WebSocket server on loopback (see ``RawWSServer``), plain then TLS."""
    context = None
    if request.param == "wss":
        context = server_context(ws_ca)
        trust_ca(monkeypatch, ws_ca_file)
    server = RawWSServer(context)
    yield server
    server.stop()
