"""Fixtures ``ws_server``, ``wss_server`` and ``ws_ca``: a programmable WebSocket server.

Built on ``websockets.sync.server`` in a background thread. By default each
connection echoes what it receives; a test replaces ``handler`` to script the
connection (send, close with a code, drop TCP, stall), queues ``rejections`` to
answer the next handshakes with a given status, headers and body, and reads back
``request_headers`` and ``received``.
"""

from __future__ import annotations

import contextlib
import http
import socket
import ssl
import threading
from collections.abc import Callable, Iterator

import pytest
import trustme
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

__all__ = ["WSServer", "ws_ca", "ws_server", "wss_server"]

WAIT = 5.0
Handler = Callable[[ServerConnection], None]


class WSServer:
    """The server plus what tests script and observe (see the module docstring)."""

    def __init__(
        self, ssl_context: ssl.SSLContext | None = None, compression: str | None = None
    ) -> None:
        self.handler: Handler = self.echo
        self.rejections: list[tuple[int, dict[str, str], bytes]] = []
        self.request_headers: list[Headers] = []
        self.received: list[str | bytes] = []
        self.connections: list[ServerConnection] = []
        self.stopping = threading.Event()
        self._connected = threading.Condition()
        self._server: Server = serve(
            self._handle,
            "127.0.0.1",
            0,
            ssl=ssl_context,
            process_request=self._process_request,
            compression=compression,
            max_size=None,
            ping_interval=None,
            select_subprotocol=lambda _conn, offered: offered[0] if offered else None,
        )
        port = self._server.socket.getsockname()[1]
        scheme = "wss" if ssl_context else "ws"
        self.url = f"{scheme}://localhost:{port}/path?q=1"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="ws-server", daemon=True
        )
        self._thread.start()

    def echo(self, conn: ServerConnection) -> None:
        """The default handler: send every message back."""
        for message in conn:
            self.received.append(message)
            conn.send(message)

    def wait_connections(self, count: int, timeout: float = WAIT) -> bool:
        """Block until ``count`` connections have been opened in total."""
        with self._connected:
            return self._connected.wait_for(lambda: len(self.connections) >= count, timeout)

    def drop(self) -> None:
        """Cut every connection's TCP without a close frame (waits for the first one)."""
        self.wait_connections(1)
        for conn in self.connections:
            with contextlib.suppress(OSError):
                conn.socket.shutdown(socket.SHUT_RDWR)

    def _process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        self.request_headers.append(request.headers)
        if not self.rejections:
            return None
        status, headers, body = self.rejections.pop(0)
        response_headers = Headers(headers)
        response_headers["Content-Length"] = str(len(body))
        return Response(status, http.HTTPStatus(status).phrase, response_headers, body)

    def _handle(self, conn: ServerConnection) -> None:
        with self._connected:
            self.connections.append(conn)
            self._connected.notify_all()
        with contextlib.suppress(ConnectionClosed):
            self.handler(conn)

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._thread.join(WAIT)


#: Every WSClient test against these servers runs with permessage-deflate agreed and without.
COMPRESSION = pytest.fixture(params=["deflate", None], ids=["deflate", "plain"])


@COMPRESSION
def ws_server(request: pytest.FixtureRequest) -> Iterator[WSServer]:
    """A plain ws:// echo server on loopback."""
    server = WSServer(compression=request.param)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ws_ca() -> trustme.CA:
    """A certificate authority made for the test run (trustme)."""
    return trustme.CA()


@COMPRESSION
def wss_server(request: pytest.FixtureRequest, ws_ca: trustme.CA) -> Iterator[WSServer]:
    """A wss:// echo server whose certificate (for localhost) ``ws_ca`` signed."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ws_ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    server = WSServer(context, compression=request.param)
    yield server
    server.stop()
