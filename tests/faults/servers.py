"""Servers for the soak tests: numbered SSE events that resume, and a WebSocket echo.

Both record what they saw, so a soak can tell where a message was lost: on the way
to the server or on the way back. The echo runs over plain TCP and over TLS: the
fault proxy forwards bytes, so the TLS goes end to end through it.
"""

from __future__ import annotations

import contextlib
import random
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import trustme
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from pushsdk import SSEClient, WSClient
from pushsdk._client import BaseClient
from tests.faults.tcp import TCPServer, recv_all, recv_until
from tests.servers.tls import SCHEMES, server_context, trust_ca

__all__ = ["EchoServer", "NumberedSSE", "client_for", "echo_server", "numbered_sse", "upstream"]


class NumberedSSE:
    """An SSE endpoint sending events 1..``total`` (``id: n``, ``data: event n``).

    Each connection starts after the ``Last-Event-ID`` it was sent, writes the rest at
    once, then stays open and silent. ``chunked`` uses chunked transfer encoding with
    chunk borders at seeded random places (so a CRLF is split across chunks);
    otherwise a plain body ended by close. ``newline`` is the line ending used.
    """

    def __init__(
        self, total: int, *, chunked: bool = False, newline: str = "\n", seed: int = 0
    ) -> None:
        self.total = total
        self.chunked = chunked
        self.newline = newline
        self.rng = random.Random(seed)
        #: The Last-Event-ID header of every request (None when absent), in order.
        self.resumed_from: list[str | None] = []
        self.server = TCPServer(self._handle)

    def start(self) -> NumberedSSE:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    @property
    def address(self) -> tuple[str, int]:
        return self.server.address

    def event(self, number: int) -> bytes:
        nl = self.newline
        return f"id: {number}{nl}data: event {number}{nl}{nl}".encode()

    def _handle(self, sock: socket.socket) -> None:
        head = recv_until(sock, b"\r\n\r\n").decode("latin-1")
        last_id = None
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "last-event-id":
                last_id = value.strip()
        self.resumed_from.append(last_id)
        first = int(last_id) + 1 if last_id else 1
        body = b": hello\n\n" + b"".join(self.event(n) for n in range(first, self.total + 1))
        framing = "Transfer-Encoding: chunked" if self.chunked else "Connection: close"
        sock.sendall(
            f"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n{framing}\r\n\r\n".encode()
        )
        sock.sendall(self._chunk(body) if self.chunked else body)
        recv_all(sock)  # stay open until the client (or the proxy) goes away

    def _chunk(self, body: bytes) -> bytes:
        out = bytearray()
        while body:
            size = self.rng.randint(1, 40)
            piece, body = body[:size], body[size:]
            out += b"%x\r\n%s\r\n" % (len(piece), piece)
        return bytes(out)


class EchoServer:
    """A websockets echo server recording every message it received; TLS with a context.

    ``scheme`` is the client's: "ws" or "wss".
    """

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.received: list[str | bytes] = []
        self.connections = 0
        self.scheme = "wss" if ssl_context else "ws"
        self._lock = threading.Lock()
        self._server: Server = serve(
            self._handle, "127.0.0.1", 0, compression=None, ssl=ssl_context
        )
        self.port: int = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def start(self) -> EchoServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(5.0)
        assert not self._thread.is_alive()

    def _handle(self, ws: ServerConnection) -> None:
        with self._lock:
            self.connections += 1
        with contextlib.suppress(ConnectionClosed, OSError):
            for message in ws:
                with self._lock:
                    self.received.append(message)
                ws.send(message)


def start_echo(
    scheme: str, ca: trustme.CA, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> EchoServer:
    """A started EchoServer for ``scheme``; for wss, clients with default options trust it."""
    if scheme == "ws":
        return EchoServer().start()
    trust_ca(monkeypatch, ca_file)
    return EchoServer(server_context(ca)).start()


@pytest.fixture(params=SCHEMES)
def echo_server(
    request: pytest.FixtureRequest,
    ws_ca: trustme.CA,
    ws_ca_file: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[EchoServer]:
    """The echo server, over ws:// then over wss://."""
    server = start_echo(request.param, ws_ca, ws_ca_file, monkeypatch)
    yield server
    server.stop()


@pytest.fixture
def numbered_sse() -> Iterator[Callable[..., NumberedSSE]]:
    """A factory of started NumberedSSE servers, all stopped after the test."""
    made: list[NumberedSSE] = []

    def make(total: int, **options: Any) -> NumberedSSE:
        server = NumberedSSE(total, **options).start()
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()


@pytest.fixture
def upstream(
    request: pytest.FixtureRequest,
    numbered_sse: Callable[..., NumberedSSE],
    ws_ca: trustme.CA,
    ws_ca_file: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[str, tuple[str, int]]]:
    """(scheme, address) of a live server for ``request.param``: "ws", "wss" or "sse"."""
    if request.param == "sse":
        yield "http", numbered_sse(3).address
        return
    server = start_echo(request.param, ws_ca, ws_ca_file, monkeypatch)
    yield server.scheme, server.address
    server.stop()


def client_for(scheme: str, url: str, **options: Any) -> BaseClient:
    """A WSClient for ws/wss, an SSEClient for http/https."""
    if scheme in ("ws", "wss"):
        return WSClient(url, **options)
    return SSEClient(url, **options)
