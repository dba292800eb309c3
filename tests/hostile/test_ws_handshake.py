"""Hostile WebSocket servers during the opening handshake (issue 10 item 6, issue 11 item 6).

Every attack ends the attempt within ``open_timeout`` with a clear error, reads at
most the caps of ``pushsdk._ws.handshake``, and an answer that would be the same on
every attempt (a head over the caps) is not retried. Each runs over TCP and TLS.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest

from pushsdk import Backoff, ConnectError, HandshakeError, Remedy, WSClient
from pushsdk._ws.handshake import MAX_BODY, MAX_HEAD_BYTES, MAX_HEAD_LINES
from tests.ending import run_to_end
from tests.faults.scripted import read_request, response
from tests.faults.tcp import TCPServer, recv_all, recv_until
from tests.hostile.conftest import WAIT, Hostile

FAST = Backoff(initial=0.01, maximum=0.01, jitter=0.0)


def _stream(sock: socket.socket, head: bytes, unit: bytes, total: int) -> None:
    """Send ``head``, then ``unit`` over and over (``total`` bytes at most), then wait."""
    read_request(sock)
    sock.sendall(head)
    chunk = unit * max(65536 // len(unit), 1)
    for _ in range(total // len(chunk)):
        sock.sendall(chunk)  # raises once the client has gone: the handler ends
    recv_all(sock)


def test_a_head_dripped_one_byte_at_a_time_ends_at_open_timeout(hostile: Hostile) -> None:
    """Each byte arrives well within open_timeout: only a deadline on the whole handshake
    ends this (before, the client stayed CONNECTING as long as the server dripped)."""
    head = b"HTTP/1.1 101 Switching Protocols\r\nX-Drip: " + b"a" * 100_000

    def drip(sock: socket.socket) -> None:
        read_request(sock)
        sock.settimeout(0.01)  # the pace: one byte per 10 ms, until the client goes
        for byte in head:
            try:
                if not sock.recv(1):
                    return
            except TimeoutError:
                pass
            sock.sendall(bytes([byte]))

    url = hostile.serve(drip)
    errors = run_to_end(hostile.client(url, open_timeout=0.5))
    (error,) = errors
    assert isinstance(error, ConnectError) and not isinstance(error, HandshakeError)
    assert "timed out after 0.5 s waiting for the server's answer" in str(error), error
    assert error.remedy == Remedy("longer-timeout")
    assert "bytes of the handshake response had arrived" in str(error), error


def test_a_proxy_dripping_its_connect_answer_ends_at_open_timeout(
    plain_server: TCPServer,
) -> None:
    """The proxy tunnel's answer is read under the same deadline (plain TCP: an HTTP proxy)."""
    answer = b"HTTP/1.1 200 Connection established\r\nX-Drip: " + b"a" * 100_000

    def drip(sock: socket.socket) -> None:
        sock.settimeout(WAIT)
        recv_until(sock, b"\r\n\r\n")
        sock.settimeout(0.01)
        for byte in answer:
            try:
                if not sock.recv(1):
                    return
            except TimeoutError:
                pass
            sock.sendall(bytes([byte]))

    proxy = TCPServer(drip).start()
    try:
        client = WSClient(
            plain_server.url("ws"), proxy=proxy.url("http"), open_timeout=0.5, reconnect=False
        )
        (error,) = run_to_end(client)
    finally:
        proxy.stop()
    assert isinstance(error, ConnectError), error
    assert f"timed out after 0.5 s connecting to {plain_server.address[0]}" in str(error), error
    assert f"through proxy http://127.0.0.1:{proxy.port}" in str(error), error


@pytest.mark.parametrize(
    ("status", "unit", "pattern"),
    [
        (101, b"a", f"more than {MAX_HEAD_BYTES} bytes"),
        (101, b"X-Header: 1\r\n", f"more than {MAX_HEAD_LINES} header lines"),
        (503, b"Set-Cookie: id=1; Path=/\r\n", f"more than {MAX_HEAD_LINES} header lines"),
    ],
    ids=["endless-line", "endless-headers", "endless-set-cookie-after-503"],
)
def test_an_endless_head_is_a_handshake_error_and_not_retried(
    hostile: Hostile, status: int, unit: bytes, pattern: str
) -> None:
    """Before, the client read an endless line into memory (169 MiB in 8 s) and endless
    headers until the server stopped; a 503 would also have been retried."""
    head = f"HTTP/1.1 {status} Whatever\r\n".encode() + (b"X-Long: " if unit == b"a" else b"")
    url = hostile.serve(lambda sock: _stream(sock, head, unit, total=1 << 20))
    errors = run_to_end(hostile.client(url, reconnect=FAST))
    (error,) = errors
    assert isinstance(error, HandshakeError), repr(error)
    assert "response head is too large" in str(error) and pattern in str(error), error
    assert error.status == status
    assert hostile.server is not None and hostile.server.accepted == 1, "retried"


def test_a_refusal_with_an_endless_body_keeps_the_first_64_kib(hostile: Hostile) -> None:
    head = response("403 Forbidden", {"Content-Length": str(1 << 30), "Content-Type": "text/plain"})
    url = hostile.serve(lambda sock: _stream(sock, head, b"no ", total=8 << 20))
    errors = run_to_end(hostile.client(url))
    (error,) = errors
    assert isinstance(error, HandshakeError), repr(error)
    assert error.status == 403
    assert len(error.body) == MAX_BODY and error.body.startswith(b"no no ")
    assert "HTTP 403 instead of 101 (Content-Type: text/plain): 'no no no" in str(error), error


def _answer_and_hold(data: bytes) -> Callable[[socket.socket], None]:
    def handler(sock: socket.socket) -> None:
        read_request(sock)
        sock.sendall(data)
        recv_all(sock)

    return handler


def test_an_event_stream_endpoint_says_to_use_sseclient(hostile: Hostile) -> None:
    """A 200 text/event-stream answer: the URL is an SSE endpoint (the stream stays open)."""
    head = response("200 OK", {"Content-Type": "text/event-stream"}) + b"data: hello\n\n"
    url = hostile.serve(_answer_and_hold(head))
    errors = run_to_end(hostile.client(url))
    (error,) = errors
    assert isinstance(error, HandshakeError), repr(error)
    assert "Server-Sent Events endpoint, use SSEClient" in str(error), error
    # The fix as data: the same URL over http(s)://, for tools that word it their way.
    twin = ("https" if hostile.secure else "http") + url[url.index(":") :]
    assert error.remedy == Remedy("open-as-sse", url=twin)
    assert str(error).removesuffix(error.advice).endswith("Server-Sent Events endpoint")
    assert error.status == 200 and error.body == b"data: hello\n\n"


def test_a_4xx_shows_status_type_and_body_without_our_secrets(hostile: Hostile) -> None:
    body = b"<p>bad credentials: Bearer s3cr3t-t0ken, ?token=abcd1234, password=hunter22</p>"
    head = {"Content-Type": "text/html", "Content-Length": str(len(body))}
    url = hostile.serve(_answer_and_hold(response("401 Unauthorized", head, body)))
    client = hostile.client(url + "?token=abcd1234", headers={"Authorization": "s3cr3t-t0ken"})
    (error,) = run_to_end(client)
    message = str(error)
    assert isinstance(error, HandshakeError) and error.status == 401
    assert "HTTP 401 instead of 101 (Content-Type: text/html): '<p>bad credentials" in message
    for secret in ("s3cr3t-t0ken", "abcd1234", "hunter22"):
        assert secret not in message, message
    assert error.body == body  # the attribute keeps the body as it came


def test_a_redirect_names_the_target_and_is_not_followed(hostile: Hostile) -> None:
    head = response("302 Found", {"Location": "wss://elsewhere.example/ws?token=abc"})
    url = hostile.serve(_answer_and_hold(head))
    (error,) = run_to_end(hostile.client(url))
    assert isinstance(error, HandshakeError) and error.status == 302
    assert "redirected the handshake (HTTP 302) to wss://elsewhere.example/ws?<redacted>" in str(
        error
    )


@pytest.fixture
def plain_server() -> Iterator[TCPServer]:
    """A plain HTTP server that answers whatever comes (here a TLS hello) with a 400."""

    def handler(sock: socket.socket) -> None:
        sock.sendall(response("400 Bad Request"))
        recv_all(sock)

    server = TCPServer(handler).start()
    yield server
    server.stop()


def test_wss_to_a_plain_text_server_suggests_ws_and_is_not_retried(
    plain_server: TCPServer, hostile_ca: object
) -> None:
    """TLS WRONG_VERSION_NUMBER: the same on every attempt (before, retried for ever)."""
    hostile = Hostile("wss", hostile_ca)  # type: ignore[arg-type]
    (error,) = run_to_end(hostile.client(plain_server.url("wss"), reconnect=FAST))
    assert isinstance(error, ConnectError), repr(error)
    assert "does not speak TLS" in str(error) and "use a ws:// URL" in str(error), error
    assert plain_server.accepted == 1, "retried"
