"""One scriptable server per client kind, behind one interface, for the common tests.

A test queues ``steps`` (one per connection attempt, in order): ``Serve`` (accept,
send messages, then hold, end cleanly or drop), ``Reject`` (answer the handshake
with a status) or ``Silent`` (accept TCP, never answer). When the queue is empty
the peer uses ``default``. ``Peer.client()`` builds the matching client with fast,
jitter-free reconnects.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import functools
import http
import json
import os
import socket
import ssl
import struct
import tempfile
import termios
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import trustme
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.sync.server import ServerConnection

from pushsdk import Backoff, Message, SSEClient, WSClient
from pushsdk._client import BaseClient
from tests.servers.sse_server import SSEConn, SSEServer
from tests.servers.ws_server import WSServer

WAIT = 5.0
KINDS = ("ws", "sse")
#: The common suite runs every test over plain TCP and over TLS, for each client kind.
PEER_PARAMS = ("ws", "sse", "wss", "sse-tls")
#: Reconnect almost at once and without jitter, so delays are exact and tests fast.
FAST = Backoff(initial=0.02, maximum=0.05, jitter=0.0)
LOGGERS = {"ws": "pushsdk.ws", "sse": "pushsdk.sse"}


@dataclass
class Serve:
    """Accept, send ``messages`` ((event, data) pairs), then end as ``end`` says.

    ``end``: "hold" (until the client leaves or the server stops), "close" (clean
    close / end of stream), "drop" (cut the connection: an error for the client;
    a TCP reset for SSE, a FIN with no close frame for WS) or "cut" (SSE only: a FIN
    inside the chunked body, with no last chunk).
    ``linger`` seconds pass (or ``gate`` is set) between the messages and the end.
    """

    messages: list[tuple[str, str]] = field(default_factory=list)
    end: str = "hold"
    linger: float = 0.0
    gate: threading.Event | None = None
    interval: float = 0.0


@dataclass
class Reject:
    """Answer the handshake with ``status``, ``headers`` and ``body``."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class Silent:
    """Accept TCP and read the request, but never answer."""


Step = Serve | Reject | Silent


def messages(count: int, prefix: str = "m") -> list[tuple[str, str]]:
    """``count`` plain messages named "message" with data m0, m1, ..."""
    return [("message", f"{prefix}{i}") for i in range(count)]


def payload(message: Message) -> str | bytes:
    """The data a step sent: WS custom events travel as {"type": event, "data": data}."""
    if isinstance(message.data, str) and message.event != "message" and message.data[:1] == "{":
        return str(json.loads(message.data)["data"])
    return message.data


def free_port_url(kind: str, *, tls: bool = False) -> str:
    """A loopback URL where nothing listens: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    if kind == "ws":
        return f"{'wss' if tls else 'ws'}://127.0.0.1:{port}/"
    return f"{'https' if tls else 'http'}://127.0.0.1:{port}/events"


@functools.cache
def tls_setup() -> tuple[ssl.SSLContext, str]:
    """The peers' server TLS context and the path of the CA file clients trust (trustme)."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    fd, path = tempfile.mkstemp(prefix="pushsdk-peer-ca-", suffix=".pem")
    os.close(fd)
    ca.cert_pem.write_to_path(path)
    atexit.register(os.unlink, path)
    return context, path


class Peer:
    """A server for one client kind that plays queued steps (see the module docstring)."""

    def __init__(self, kind: str, tls: bool = False) -> None:
        self.kind = kind
        self.tls = tls
        self.steps: list[Step] = []
        self.default: Step = Serve()
        self.attempts = 0
        self._lock = threading.Condition()
        self.stopping = threading.Event()
        self.url = ""
        self.request_headers: list[dict[str, str]] = []

    def script(self, *steps: Step, default: Step | None = None) -> Peer:
        with self._lock:
            self.steps.extend(steps)
            if default is not None:
                self.default = default
        return self

    def next_step(self, headers: dict[str, str]) -> Step:
        with self._lock:
            self.attempts += 1
            self.request_headers.append(headers)
            self._lock.notify_all()
            return self.steps.pop(0) if self.steps else self.default

    def wait_attempts(self, count: int, timeout: float = WAIT) -> bool:
        """Block until ``count`` connection attempts have reached the server."""
        with self._lock:
            return self._lock.wait_for(lambda: self.attempts >= count, timeout)

    def client(self, **options: Any) -> BaseClient:
        """A client of this peer's kind, with fast reconnects unless told otherwise."""
        options.setdefault("reconnect", FAST)
        url = options.pop("url", self.url)
        if self.kind == "ws":
            options.setdefault("ping_interval", None)
            options.setdefault("event_key", "type")
            if self.tls:
                options.setdefault("sslopt", {"ca_certs": tls_setup()[1]})
            return WSClient(url, **options)
        if self.tls:
            options.setdefault("verify", tls_setup()[1])
        return SSEClient(url, **options)

    @property
    def logger(self) -> str:
        return LOGGERS[self.kind]

    @property
    def refused_url(self) -> str:
        return free_port_url(self.kind, tls=self.tls)

    def _pause(self, step: Serve) -> None:
        if step.gate is not None:
            step.gate.wait(WAIT)
        elif step.linger:
            self.stopping.wait(step.linger)

    def stop(self) -> None:
        self.stopping.set()


class WSPeer(Peer):
    """The WebSocket peer, on tests.servers.ws_server.WSServer."""

    def __init__(self, tls: bool = False) -> None:
        super().__init__("ws", tls)
        self._serves: dict[int, Serve] = {}
        self._server = _ScriptedWSServer(self, tls_setup()[0] if tls else None)
        self._server.handler = self._handle
        self.url = self._server.url

    def _process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        step = self.next_step({k.lower(): v for k, v in request.headers.raw_items()})
        if isinstance(step, Silent):
            self.stopping.wait(WAIT)
            conn.socket.close()
            return None
        if isinstance(step, Reject):
            headers = Headers(step.headers)
            headers["Content-Length"] = str(len(step.body))
            return Response(step.status, http.HTTPStatus(step.status).phrase, headers, step.body)
        self._serves[id(conn)] = step
        return None

    def _handle(self, conn: ServerConnection) -> None:
        step = self._serves.pop(id(conn))
        with contextlib.suppress(OSError):
            for event, data in step.messages:
                conn.send(data if event == "message" else json.dumps({"type": event, "data": data}))
                if step.interval:
                    self.stopping.wait(step.interval)
            self._pause(step)
            if step.end == "close":
                conn.close(1000, "bye")
            elif step.end == "drop":
                conn.socket.shutdown(socket.SHUT_RDWR)
            else:
                while not self.stopping.is_set():
                    with contextlib.suppress(TimeoutError):
                        conn.recv(timeout=0.05)

    def stop(self) -> None:
        super().stop()
        self._server.stop()


class SSEPeer(Peer):
    """The SSE peer, on tests.servers.sse_server.SSEServer (chunked responses)."""

    def __init__(self, tls: bool = False) -> None:
        super().__init__("sse", tls)
        self._server = SSEServer(ssl_context=tls_setup()[0] if tls else None)
        self._server.handler = self._handle
        self.url = self._server.url

    def _handle(self, conn: SSEConn) -> None:
        step = self.next_step(dict(conn.request.headers))
        if isinstance(step, Silent):
            conn.stall()
            return
        if isinstance(step, Reject):
            conn.respond(step.status, step.headers, step.body)
            return
        conn.start()
        for event, data in step.messages:
            conn.event(data, event=None if event == "message" else event)
            if step.interval:
                self.stopping.wait(step.interval)
        self._pause(step)
        if step.end == "close":
            conn.end()
        elif step.end == "drop":
            _wait_sent(conn.sock)
            conn.drop()
        elif step.end == "cut":
            # FIN in the middle of a chunked body: what was sent arrives, then the cut.
            conn.sock.shutdown(socket.SHUT_WR)
            conn.stall(WAIT)
        else:
            conn.stall(60.0)

    def stop(self) -> None:
        super().stop()
        self._server.stop()


def _wait_sent(sock: socket.socket, timeout: float = WAIT) -> None:
    """Wait until the peer has acknowledged every byte sent, so a reset loses none."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        unacked = struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]
        if not unacked:
            return
        time.sleep(0.001)


class _ScriptedWSServer(WSServer):
    """WSServer whose handshake answers come from the peer's steps."""

    def __init__(self, peer: WSPeer, ssl_context: ssl.SSLContext | None) -> None:
        self.peer = peer  # set first: serve() binds _process_request in __init__
        super().__init__(ssl_context)

    def _process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        return self.peer._process_request(conn, request)


def make_peer(param: str) -> Peer:
    """A peer for a ``PEER_PARAMS`` entry ("ws", "sse", "wss" or "sse-tls")."""
    tls = param in ("wss", "sse-tls")
    return WSPeer(tls) if param.startswith("ws") else SSEPeer(tls)


def peer_fixture(param: str) -> Iterator[Peer]:
    peer = make_peer(param)
    try:
        yield peer
    finally:
        peer.stop()
