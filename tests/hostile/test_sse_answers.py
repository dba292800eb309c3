"""SSE answers that must explain themselves and not loop (issue 11 item 6, SSE side).

A 4xx shows the start of its body in the message (our secrets taken out), over TCP
and TLS; https:// to a plain-text server says so and is not retried.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme

from pushsdk import Backoff, ConnectError, HandshakeError, SSEClient
from tests.ending import run_to_end
from tests.faults.scripted import read_request, response
from tests.faults.tcp import TCPServer, recv_all

WAIT = 5.0
FAST = Backoff(initial=0.01, maximum=0.01, jitter=0.0)


@pytest.fixture
def servers() -> Iterator[list[TCPServer]]:
    started: list[TCPServer] = []
    yield started
    for server in started:
        server.stop()


def _serve(
    scheme: str,
    answer: Callable[[socket.socket], object],
    servers: list[TCPServer],
    ca: trustme.CA,
    tmp_path: Path,
) -> tuple[TCPServer, Path]:
    """A server that reads one request (over TLS for https) and then ``answer``s it;
    and the CA bundle that trusts its certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)

    def handler(sock: socket.socket) -> None:
        if scheme == "https":
            sock = context.wrap_socket(sock, server_side=True)
        read_request(sock)
        answer(sock)

    server = TCPServer(handler).start()
    servers.append(server)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return server, bundle


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_4xx_shows_the_start_of_its_body_without_our_secrets(
    scheme: str, servers: list[TCPServer], hostile_ca: trustme.CA, tmp_path: Path
) -> None:
    body = b'{"error": "token s3cr3t-t0ken expired", "password": "hunter22"}'
    answer = response(
        "403 Forbidden",
        {"Content-Type": "application/json", "Content-Length": str(len(body))},
        body,
    )

    def reply(sock: socket.socket) -> None:
        sock.sendall(answer)
        recv_all(sock)

    server, bundle = _serve(scheme, reply, servers, hostile_ca, tmp_path)
    client = SSEClient(
        server.url(scheme) + "?key=abcd1234",
        headers={"Authorization": "Bearer s3cr3t-t0ken"},
        verify=str(bundle),
    )
    (error,) = run_to_end(client)
    assert isinstance(error, HandshakeError) and error.status == 403
    message = str(error)
    assert message.startswith('server answered HTTP 403 Forbidden: \'{"error": "token'), message
    for secret in ("s3cr3t-t0ken", "hunter22"):
        assert secret not in message, message
    assert error.body == body


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_server_that_closes_without_an_answer_is_named_so(
    scheme: str, servers: list[TCPServer], hostile_ca: trustme.CA, tmp_path: Path
) -> None:
    """Not "ConnectionError" (the exception's class): what happened, in words."""
    server, bundle = _serve(scheme, socket.socket.close, servers, hostile_ca, tmp_path)
    (error,) = run_to_end(SSEClient(server.url(scheme), verify=str(bundle), reconnect=False))
    assert isinstance(error, ConnectError)
    assert str(error) == (
        f"cannot connect to {server.url(scheme)}: Remote end closed connection without response"
    )


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_client_ended_by_an_error_answer_leaves_no_connection_open(
    scheme: str, servers: list[TCPServer], hostile_ca: trustme.CA, tmp_path: Path
) -> None:
    """A 403 that keeps the connection alive: the client ends, and the server sees the
    connection close while the error (and the response its traceback holds) lives on.
    Before, urllib3 2's pool kept it open until the error was garbage-collected."""
    hung_up = threading.Event()

    def reply(sock: socket.socket) -> None:
        sock.sendall(response("403 Forbidden", {"Content-Length": "5"}, b"nope!"))
        recv_all(sock)
        hung_up.set()

    server, bundle = _serve(scheme, reply, servers, hostile_ca, tmp_path)
    (error,) = run_to_end(SSEClient(server.url(scheme), verify=str(bundle), reconnect=False))
    assert isinstance(error, HandshakeError) and error.status == 403
    assert hung_up.wait(WAIT), "the client left its connection open"
    assert error.__traceback__ is not None  # still alive: the close did not wait for GC


INVALID_HEADS = {
    "status": (b"HTTP/1.1 2OO OK\r\n\r\n", "bad status line 'HTTP/1.1 2OO OK'"),
    "lines": (
        b"HTTP/1.1 200 OK\r\n" + b"X-A: 1\r\n" * 150 + b"\r\n",
        "got more than 100 headers",
    ),
    "line": (
        b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n",
        "got more than 65536 bytes when reading header line",
    ),
}


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("kind", INVALID_HEADS)
def test_an_invalid_answer_head_says_what_is_wrong(
    kind: str, scheme: str, servers: list[TCPServer], hostile_ca: trustme.CA, tmp_path: Path
) -> None:
    """What http.client found wrong, not a Python error's text ("invalid literal for
    int()"), and not "cannot connect": the server did answer."""
    head, reason = INVALID_HEADS[kind]

    def reply(sock: socket.socket) -> None:
        sock.sendall(head)
        recv_all(sock)

    server, bundle = _serve(scheme, reply, servers, hostile_ca, tmp_path)
    (error,) = run_to_end(SSEClient(server.url(scheme), verify=str(bundle), reconnect=False))
    assert isinstance(error, ConnectError)
    assert str(error) == f"{server.url(scheme)} answered with invalid HTTP: {reason}"


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("target", ["ws://127.0.0.1:1/feed?token=s3cr3t", "ftp://127.0.0.1/x"])
def test_a_redirect_to_a_url_that_cannot_be_fetched_is_final(
    target: str, scheme: str, servers: list[TCPServer], hostile_ca: trustme.CA, tmp_path: Path
) -> None:
    """Named, with the target's secrets out, and not retried: requests' "No connection
    adapters were found" came back on every attempt."""

    def reply(sock: socket.socket) -> None:
        sock.sendall(response("302 Found", {"Location": target, "Content-Length": "0"}))
        recv_all(sock)

    server, bundle = _serve(scheme, reply, servers, hostile_ca, tmp_path)
    (error,) = run_to_end(SSEClient(server.url(scheme), verify=str(bundle), reconnect=FAST))
    assert isinstance(error, ConnectError)
    shown = target.replace("token=s3cr3t", "<redacted>")
    assert str(error) == (
        f"{server.url(scheme)} redirected to {shown}, which SSEClient cannot follow"
        " (not an http:// or https:// URL)"
    )
    assert server.accepted == 1, "retried"


def test_https_to_a_plain_text_server_says_so_and_is_not_retried(
    servers: list[TCPServer],
) -> None:
    def handler(sock: socket.socket) -> None:
        sock.sendall(response("400 Bad Request"))
        recv_all(sock)

    server = TCPServer(handler).start()
    servers.append(server)
    (error,) = run_to_end(SSEClient(server.url("https"), reconnect=FAST))
    assert isinstance(error, ConnectError), repr(error)
    assert "does not speak TLS" in str(error) and "use an http:// URL" in str(error), error
    assert server.accepted == 1, "retried"
