"""Fixtures ``sse_server``, ``sses_server``, ``sse_ca`` and ``stalled_connect_url``.

``SSEServer`` is a programmable HTTP server on raw sockets (a thread per
connection), so a test controls the exact bytes and the transfer encoding. Each
accepted request is recorded (``requests``: method, path, headers, body) and
handed to ``handler(conn)``, which scripts the answer with ``conn.start()``
(status, headers, chunked or a plain body ended by close), ``conn.event()`` /
``conn.send()`` / ``conn.raw()``, ``conn.respond()`` (a whole response),
``conn.stall()``, ``conn.drop()`` (TCP reset) and ``conn.end()``. The default
handler starts a chunked stream and relays what the test ``push()``es.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import ssl
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import trustme

__all__ = [
    "SSEConn",
    "SSEServer",
    "sse_ca",
    "sse_server",
    "sses_server",
    "stalled_connect_url",
]

WAIT = 5.0
Handler = Callable[["SSEConn"], None]


@dataclass
class RecordedRequest:
    """One request as the server received it (header names lower-cased)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    received: threading.Event = field(default_factory=threading.Event)


class SSEConn:
    """One accepted connection, as a handler scripts it."""

    def __init__(self, server: SSEServer, sock: socket.socket, request: RecordedRequest) -> None:
        self.server = server
        self.sock = sock
        self.request = request
        self.chunked = True

    def raw(self, data: bytes) -> None:
        """Write exactly ``data``."""
        self.sock.sendall(data)

    def start(
        self,
        status: int = 200,
        headers: dict[str, str] | None = None,
        *,
        chunked: bool = True,
        content_type: str | None = "text/event-stream",
    ) -> None:
        """Send the status line and headers of a streamed response."""
        self.chunked = chunked
        lines = [f"HTTP/1.1 {status} Status"]
        if content_type is not None:
            lines.append(f"Content-Type: {content_type}")
        lines.append("Transfer-Encoding: chunked" if chunked else "Connection: close")
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.raw(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def send(self, data: bytes | str) -> None:
        """Write body bytes (as one chunk on a chunked response)."""
        payload = data.encode() if isinstance(data, str) else data
        if self.chunked:
            payload = b"%x\r\n%s\r\n" % (len(payload), payload)
        self.raw(payload)

    def event(
        self,
        data: str | None = None,
        *,
        id: str | None = None,
        event: str | None = None,
        retry: int | None = None,
    ) -> None:
        """Write one event, terminated by its blank line."""
        lines = []
        if event is not None:
            lines.append(f"event: {event}")
        if id is not None:
            lines.append(f"id: {id}")
        if retry is not None:
            lines.append(f"retry: {retry}")
        if data is not None:
            lines += [f"data: {line}" for line in data.split("\n")]
        self.send("\n".join(lines) + "\n\n")

    def respond(
        self, status: int, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> None:
        """Send a whole response with a Content-Length, then close."""
        lines = [f"HTTP/1.1 {status} Status", f"Content-Length: {len(body)}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.raw(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    def end(self) -> None:
        """End the body (the last chunk on a chunked response); the server then closes."""
        if self.chunked:
            self.raw(b"0\r\n\r\n")

    def stall(self, timeout: float = WAIT) -> None:
        """Send nothing until the client goes away, the server stops or ``timeout``."""
        self.sock.settimeout(0.05)
        waited = 0.0
        while waited < timeout and not self.server.stopping.is_set():
            try:
                if not self.sock.recv(4096):
                    return
            except TimeoutError:
                waited += 0.05
            except OSError:
                return

    def drop(self) -> None:
        """Reset the TCP connection (no clean end of stream)."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()

    def relay(self) -> None:
        """Write each item the test ``push()``es; None ends the stream."""
        while not self.server.stopping.is_set():
            try:
                item = self.server.pushed.get(timeout=0.05)
            except queue.Empty:
                continue
            if item is None:
                self.end()
                return
            self.send(item)


class SSEServer:
    """The server plus what tests script and observe (see the module docstring)."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None, host: str = "127.0.0.1") -> None:
        self.handler: Handler = self.default_handler
        self.requests: list[RecordedRequest] = []
        self.pushed: queue.Queue[bytes | str | None] = queue.Queue()
        self.stopping = threading.Event()
        self.new_request = threading.Condition()
        self._ssl = ssl_context
        self._listener = socket.create_server((host, 0))
        self.port = self._listener.getsockname()[1]
        scheme = "https" if ssl_context else "http"
        self.url = f"{scheme}://{host}:{self.port}/events"
        self._threads: list[threading.Thread] = []
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._accepter = threading.Thread(target=self._accept, name="sse-server", daemon=True)
        self._accepter.start()

    @staticmethod
    def default_handler(conn: SSEConn) -> None:
        conn.start()
        conn.relay()

    def push(self, item: bytes | str | None) -> None:
        """Queue body bytes for the connection running ``relay()`` (None ends it)."""
        self.pushed.put(item)

    def wait_requests(self, count: int, timeout: float = WAIT) -> list[RecordedRequest]:
        """Block until ``count`` requests have arrived; return them."""
        with self.new_request:
            if not self.new_request.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"expected {count} requests, got {len(self.requests)}")
            return list(self.requests)

    def stop(self) -> None:
        self.stopping.set()
        with contextlib.suppress(OSError):  # shutdown wakes the blocked accept()
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            socks = list(self._socks)
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._accepter.join(WAIT)
        for thread in list(self._threads):
            thread.join(WAIT)

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            thread = threading.Thread(
                target=self._serve, args=(sock,), name="sse-server-conn", daemon=True
            )
            with self._lock:
                self._socks.append(sock)
                self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket) -> None:
        try:
            if self._ssl is not None:
                sock.settimeout(WAIT)
                sock = self._ssl.wrap_socket(sock, server_side=True)
                with self._lock:
                    self._socks.append(sock)
            sock.settimeout(None)
            request = _read_request(sock)
            if request is None:
                return
            with self.new_request:
                self.requests.append(request)
                self.new_request.notify_all()
            self.handler(SSEConn(self, sock, request))
        except (OSError, ssl.SSLError):
            pass  # the client went away: nothing more to script
        finally:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def _read_request(sock: socket.socket) -> RecordedRequest | None:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        if not piece:
            return None
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        piece = sock.recv(65536)
        if not piece:
            break
        body += piece
    return RecordedRequest(method, path, headers, body)


@pytest.fixture
def sse_server() -> Iterator[SSEServer]:
    """A plain-HTTP SSEServer on a free loopback port, stopped after the test."""
    server = SSEServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sse_ca() -> trustme.CA:
    """The certificate authority that signed ``sses_server``'s certificate."""
    return trustme.CA()


@pytest.fixture
def sses_server(sse_ca: trustme.CA) -> Iterator[SSEServer]:
    """An HTTPS SSEServer (certificate for 127.0.0.1 and localhost from ``sse_ca``)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    sse_ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    server = SSEServer(ssl_context=context)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def stalled_connect_url() -> Iterator[str]:
    """A URL whose TCP connect hangs: the listener's accept queue is full, SYNs are dropped."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    try:
        yield f"http://127.0.0.1:{port}/events"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
