"""The bad-input matrix: every kind of broken peer or argument, one test each.

Each case asserts the error's type and message, that the client ended (no hang:
``join`` within a deadline) and, through the autouse fixture in tests/conftest.py,
that no client thread was left behind. Protocol cases also check the close code the
server received. Clients run with ``reconnect=False`` unless reconnecting is the point.
"""

from __future__ import annotations

import random
import re
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
import trustme

from pushsdk import (
    Backoff,
    ConnectError,
    HandshakeError,
    ProtocolError,
    PushError,
    SSEClient,
    WSClient,
)
from pushsdk._client import BaseClient
from tests.ending import run_to_end
from tests.faults.scripted import frame, read_close_code, read_request, response, ws_accept
from tests.faults.tcp import TCPServer, recv_all

WAIT = 5.0
MiB = 1024 * 1024
SSE_OK = {"Content-Type": "text/event-stream", "Connection": "close"}

Make = Callable[[str], BaseClient]
CLIENTS: dict[str, tuple[str, Make]] = {
    "ws": ("ws", lambda url, **kw: WSClient(url, reconnect=False, **kw)),
    "sse": ("http", lambda url, **kw: SSEClient(url, reconnect=False, **kw)),
}


def only_error(errors: list[PushError], kind: type[PushError], pattern: str) -> PushError:
    """The one error reported: a ``kind`` (or subclass) whose message matches ``pattern``."""
    assert len(errors) == 1, errors
    (error,) = errors
    assert isinstance(error, kind), repr(error)
    assert re.search(pattern, str(error), re.IGNORECASE), str(error)
    return error


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[socket.socket], object]], TCPServer]]:
    """Start a scripted TCPServer with the given handler; stopped after the test."""
    servers: list[TCPServer] = []

    def start(handler: Callable[[socket.socket], object]) -> TCPServer:
        server = TCPServer(handler).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


Serve = Callable[[Callable[[socket.socket], object]], TCPServer]


def _answer(data: bytes, *, then_close: bool = False) -> Callable[[socket.socket], None]:
    """A handler reading the request and sending ``data``; then it closes, or waits for the
    client to go."""

    def handler(sock: socket.socket) -> None:
        read_request(sock)
        sock.sendall(data)
        if not then_close:
            recv_all(sock)

    return handler


def _refused_port() -> int:
    spare = socket.create_server(("127.0.0.1", 0))
    port: int = spare.getsockname()[1]
    spare.close()
    return port


# -- arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ws", "sse"])
@pytest.mark.parametrize("url", ["", "not a url", "{scheme}://", "{scheme}://host:99999/"])
def test_malformed_url(kind: str, url: str) -> None:
    scheme, make = CLIENTS[kind]
    with pytest.raises(ValueError, match="url"):
        make(url.format(scheme=scheme))


@pytest.mark.parametrize("kind", ["ws", "sse"])
@pytest.mark.parametrize("url", ["ftp://example.org/", "file:///etc/passwd", "mailto:a@b"])
def test_unknown_scheme(kind: str, url: str) -> None:
    wanted = "ws://" if kind == "ws" else "http://"
    with pytest.raises(ValueError, match=f"url must be .*{wanted}"):
        CLIENTS[kind][1](url)


def test_wrong_scheme_for_the_client() -> None:
    with pytest.raises(ValueError, match="url must be a ws:// or wss://"):
        WSClient("http://127.0.0.1/")
    with pytest.raises(ValueError, match="url must be an http:// or https://"):
        SSEClient("ws://127.0.0.1/")


# -- connecting ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ws", "sse"])
def test_dns_failure(kind: str) -> None:
    scheme, make = CLIENTS[kind]
    errors = run_to_end(make(f"{scheme}://nonexistent.invalid/"))
    only_error(errors, ConnectError, "name|resolve|getaddrinfo|nodename")


@pytest.mark.parametrize("kind", ["ws", "sse"])
def test_connection_refused(kind: str) -> None:
    scheme, make = CLIENTS[kind]
    errors = run_to_end(make(f"{scheme}://127.0.0.1:{_refused_port()}/"))
    only_error(errors, ConnectError, "refused")


@pytest.mark.parametrize("kind", ["ws", "sse"])
def test_tls_handshake_against_a_plain_server(kind: str, serve: Serve) -> None:
    server = serve(lambda sock: sock.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n"))
    scheme, make = CLIENTS[kind]
    errors = run_to_end(make(server.url(scheme + "s")))
    only_error(errors, ConnectError, "SSL|TLS|wrong version|record")


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.mark.parametrize("kind", ["ws", "sse"])
def test_certificate_mismatch_is_permanent(
    kind: str, serve: Serve, ca: trustme.CA, tmp_path: Path
) -> None:
    """A certificate for another host: ConnectError, and no reconnect even when enabled."""
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("example.org").configure_cert(server_context)

    def handler(sock: socket.socket) -> None:
        with server_context.wrap_socket(sock, server_side=True):
            pass

    server = serve(handler)
    if kind == "ws":
        client_context = ssl.create_default_context()
        ca.configure_trust(client_context)
        client: BaseClient = WSClient(server.url("wss"), ssl_context=client_context)
    else:
        bundle = tmp_path / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        client = SSEClient(server.url("https"), verify=str(bundle))
    errors = run_to_end(client)
    error = only_error(errors, ConnectError, "certificate|hostname|verif")
    assert not isinstance(error, HandshakeError)
    assert "it is for example.org" in str(error), error  # the certificate's name
    # One attempt, and one look at the refused certificate for the error message
    # (nothing sent on it): no reconnect.
    assert server.accepted == 2, "a certificate failure must not be retried"


@pytest.mark.parametrize("kind", ["ws", "sse"])
def test_non_http_garbage_in_reply(kind: str, serve: Serve) -> None:
    garbage = random.Random(1).randbytes(512).replace(b"\n", b"") + b"\r\n\r\n"
    server = serve(_answer(garbage))
    scheme, make = CLIENTS[kind]
    errors = run_to_end(make(server.url(scheme)))
    only_error(errors, ConnectError, "status|HTTP|handshake|response")


@pytest.mark.parametrize("kind", ["ws", "sse"])
def test_server_that_accepts_tcp_and_never_answers(kind: str, serve: Serve) -> None:
    silent = threading.Event()
    server = serve(lambda sock: (read_request(sock), silent.set(), recv_all(sock)))
    if kind == "ws":
        client: BaseClient = WSClient(server.url("ws"), reconnect=False, open_timeout=0.3)
    else:
        client = SSEClient(server.url("http"), reconnect=False, connect_timeout=0.3)
    errors = run_to_end(client, timeout=3.0)
    assert silent.is_set()
    only_error(errors, ConnectError, "timed out|timeout")


# -- WebSocket handshake -------------------------------------------------------------------


def test_ws_101_with_wrong_accept_key(serve: Serve) -> None:
    server = serve(lambda sock: (ws_accept(sock, accept="d3Jvbmc="), recv_all(sock)))
    errors = run_to_end(WSClient(server.url("ws"), reconnect=False))
    only_error(errors, ConnectError, "Sec-WebSocket-Accept|accept")


def test_ws_200_instead_of_101(serve: Serve) -> None:
    server = serve(_answer(response("200 OK", {"Content-Length": "2"}, b"hi")))
    errors = run_to_end(WSClient(server.url("ws"), reconnect=False))
    error = only_error(errors, HandshakeError, "200")
    assert isinstance(error, HandshakeError)
    assert error.status == 200


# -- WebSocket frames ------------------------------------------------------------------------


def _frames_then_close_code(
    frames: bytes, serve: Serve, **options: object
) -> tuple[list[PushError], int | None]:
    """Send ``frames`` after the handshake; return the errors and the client's close code."""
    codes: list[int | None] = []
    handled = threading.Event()

    def handler(sock: socket.socket) -> None:
        try:
            ws_accept(sock)
            sock.sendall(frames)
            codes.append(read_close_code(sock))
        finally:
            handled.set()
        recv_all(sock)

    server = serve(handler)
    errors = run_to_end(WSClient(server.url("ws"), reconnect=False, **options))  # type: ignore[arg-type]
    assert handled.wait(WAIT)
    assert len(codes) == 1, "the client did not send a close frame"
    return errors, codes[0]


@pytest.mark.parametrize(
    ("frames", "pattern"),
    [
        (frame(0x1, b"x", rsv=0b100), "reserved|RSV"),
        (frame(0x3, b"x"), "opcode"),
        (frame(0xB, b""), "opcode"),
        (frame(0x0, b"x"), "continuation"),
        (frame(0x9, b"x", fin=False), "fragment"),
        (frame(0x9, b"x" * 126), "control|125"),
        (frame(0x1, b"a", fin=False) + frame(0x1, b"b"), "fragment|continuation|new message"),
    ],
    ids=[
        "reserved-bits",
        "unknown-data-opcode",
        "unknown-control-opcode",
        "continuation-without-start",
        "fragmented-control",
        "oversized-control",
        "new-message-inside-fragmented",
    ],
)
def test_ws_invalid_frame(frames: bytes, pattern: str, serve: Serve) -> None:
    errors, code = _frames_then_close_code(frames, serve)
    error = only_error(errors, ProtocolError, pattern)
    assert isinstance(error, ProtocolError)
    assert error.close_code == code == 1002


def test_ws_invalid_utf8_text(serve: Serve) -> None:
    errors, code = _frames_then_close_code(frame(0x1, b"ok \xff\xfe"), serve)
    error = only_error(errors, ProtocolError, "UTF-8")
    assert isinstance(error, ProtocolError)
    assert error.close_code == code == 1007


def test_ws_1_gib_length_header_rejected_before_allocation(serve: Serve) -> None:
    process = psutil.Process()
    rss = process.memory_info().rss
    errors, code = _frames_then_close_code(frame(0x2, b"", length=1 << 30), serve)
    error = only_error(errors, ProtocolError, "max_message_size|too big|too large|exceeds")
    assert isinstance(error, ProtocolError)
    assert error.close_code == code == 1009
    assert process.memory_info().rss - rss < 64 * MiB


# -- HTTP status -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ws", "sse"])
def test_401_with_body_keeps_status_and_body(kind: str, serve: Serve) -> None:
    body = b'{"error": "bad token"}'
    head = {"Content-Type": "application/json", "Content-Length": str(len(body))}
    server = serve(_answer(response("401 Unauthorized", head, body)))
    scheme, _ = CLIENTS[kind]
    make = WSClient if kind == "ws" else SSEClient
    errors = run_to_end(make(server.url(scheme)))  # reconnect on: a 4xx must still stop
    error = only_error(errors, HandshakeError, "401")
    assert isinstance(error, HandshakeError)
    assert (error.status, error.body) == (401, body)
    assert server.accepted == 1


@pytest.mark.parametrize("kind", ["ws", "sse"])
def test_204_stops_for_good(kind: str, serve: Serve) -> None:
    server = serve(_answer(response("204 No Content")))
    scheme, _ = CLIENTS[kind]
    make = WSClient if kind == "ws" else SSEClient
    errors = run_to_end(make(server.url(scheme)))
    error = only_error(errors, HandshakeError, "204")
    assert isinstance(error, HandshakeError)
    assert error.status == 204
    assert server.accepted == 1


@pytest.mark.parametrize("kind", ["ws", "sse"])
def test_503_with_retry_after_is_honoured(kind: str, serve: Serve) -> None:
    """Retry-After (7 s) wins over the Backoff (which would wait at most 0.01 s)."""
    server = serve(
        _answer(response("503 Service Unavailable", {"Retry-After": "7", "Content-Length": "0"}))
    )
    scheme, _ = CLIENTS[kind]
    make = WSClient if kind == "ws" else SSEClient
    delays: list[tuple[int, float]] = []

    def on_reconnect(client: BaseClient, attempt: int, delay: float) -> None:
        delays.append((attempt, delay))
        client.close()  # from the callback: no need to wait 7 s

    client = make(server.url(scheme), reconnect=Backoff(initial=0.01, maximum=10, jitter=0))
    client.on_reconnect = on_reconnect
    errors = run_to_end(client)
    error = only_error(errors, HandshakeError, "503")
    assert isinstance(error, HandshakeError)
    assert error.status == 503
    assert delays == [(1, 7.0)]


# -- SSE bodies --------------------------------------------------------------------------------


def test_sse_text_html_content_type_is_permanent(serve: Serve) -> None:
    server = serve(
        _answer(response("200 OK", {"Content-Type": "text/html", "Connection": "close"}, b"<html>"))
    )
    errors = run_to_end(SSEClient(server.url("http")))
    error = only_error(errors, HandshakeError, "Content-Type 'text/html'.*text/event-stream")
    assert isinstance(error, HandshakeError)
    assert error.status == 200
    assert server.accepted == 1


def test_sse_body_of_random_bytes(serve: Serve) -> None:
    """Random bytes parse as unknown fields (no event, no error); a random run with no line
    end longer than max_event_size is a ProtocolError."""
    noise = random.Random(2).randbytes(256 * 1024)
    server = serve(_answer(response("200 OK", SSE_OK) + noise, then_close=True))
    messages: list[object] = []
    client = SSEClient(
        server.url("http"), reconnect=False, on_message=lambda _c, m: messages.append(m)
    )
    assert run_to_end(client) == []
    assert messages == []

    long_run = random.Random(3).randbytes(256 * 1024).replace(b"\n", b"").replace(b"\r", b"")
    server = serve(_answer(response("200 OK", SSE_OK) + long_run, then_close=True))
    errors = run_to_end(SSEClient(server.url("http"), reconnect=False, max_event_size=64 * 1024))
    only_error(errors, ProtocolError, "max_event_size")


def test_sse_10_mib_line_skipped_then_the_stream_goes_on(serve: Serve) -> None:
    """A 10 MiB line past max_event_size (1 MiB here): one ProtocolError, bounded memory,
    and the events after it arrive on the same connection (no reconnect, no refetch)."""
    line = b"data: " + b"x" * (10 * MiB)
    attempts: list[int] = []

    def handler(sock: socket.socket) -> None:
        read_request(sock)
        attempts.append(1)
        sock.sendall(response("200 OK", SSE_OK))
        sock.sendall(line)
        sock.sendall(b"\n\ndata: fine\n\n")
        recv_all(sock)

    server = serve(handler)
    got = threading.Event()
    errors: list[PushError] = []
    process = psutil.Process()
    rss = process.memory_info().rss
    client = SSEClient(
        server.url("http"),
        max_event_size=MiB,
        reconnect=Backoff(initial=0.01, maximum=0.01),
        on_message=lambda _c, m: got.set() if m.data == "fine" else None,
        on_error=lambda _c, e: errors.append(e),
    )
    with client:
        assert got.wait(WAIT), f"no event after the long line: {errors!r}"
    growth = process.memory_info().rss - rss
    assert len(errors) == 1, errors
    assert isinstance(errors[0], ProtocolError)
    assert re.search("max_event_size", str(errors[0])), errors[0]
    assert len(attempts) == 1
    assert growth < 8 * MiB, f"RSS grew {growth / MiB:.1f} MiB for a 10 MiB line"
