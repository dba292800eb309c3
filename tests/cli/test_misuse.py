"""Misuse a user tried: each answer says what to do, and gives nothing secret away."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pushsdk.cli import main
from tests.cli.harness import WAIT, Commands
from tests.faults.tcp import TCPServer, recv_all
from tests.servers.sse_server import SSEServer
from tests.servers.ws_server import WSServer

PAGE = b"<html><body>Welcome</body></html>"


def test_a_header_without_a_colon_is_not_echoed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ws://h/", "-H", "Authorization Bearer s3cr3t-token"]) == 2
    err = capsys.readouterr().err
    assert "s3cr3t-token" not in err
    assert err.splitlines()[-1] == (
        "pushsdk: error: -H takes 'Name: value', got 'Authorization'... without a colon"
    )


def test_a_cacert_that_holds_no_certificate_is_bad_usage(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Before, every attempt failed on it and was retried until the budget ran out."""
    not_pem = tmp_path / "ca.der"
    not_pem.write_bytes(b"\x30\x82 not a PEM file")
    assert main(["wss://h/", "--cacert", str(not_pem)]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"pushsdk: error: --cacert {not_pem}: not a CA bundle (NO_CERTIFICATE_OR_CRL_FOUND); "
        "give the PEM file of the CA that issued the server's certificate"
    )


def test_a_web_page_behind_a_websocket_url_says_to_check_the_path(
    cli: Commands, any_ws_server: tuple[WSServer, list[str]]
) -> None:
    server, trust = any_ws_server
    server.rejections.append((200, {"Content-Type": "text/html"}, PAGE))
    command = cli.run(server.url, *trust)
    assert command.proc.returncode == 1
    (line,) = command.errors
    assert line.startswith("pushsdk: server answered the handshake with HTTP 200 instead of 101")
    assert line.endswith("; this URL is not a WebSocket endpoint: check its path")


def test_a_web_page_behind_an_sse_url_says_to_check_the_path(
    cli: Commands, any_sse_server: tuple[SSEServer, list[str]]
) -> None:
    server, trust = any_sse_server
    server.handler = lambda conn: conn.respond(200, {"Content-Type": "text/html"}, PAGE)
    command = cli.run(server.url, *trust)
    assert command.proc.returncode == 1
    (line,) = command.errors
    assert line == (
        "pushsdk: Content-Type 'text/html' is not text/event-stream; this URL is not a "
        "Server-Sent Events stream: check its path (and -X/-d/--json if it streams only "
        "when asked with a body)"
    )


@pytest.mark.parametrize("scheme", ["ws", "wss", "http", "https"])
def test_ctrl_c_while_connecting_exits_130_at_once(cli: Commands, scheme: str) -> None:
    """The server accepted and says nothing: the attempt is cut, not waited out."""
    with TCPServer(recv_all) as server:
        command = cli(server.url(scheme, "/feed"), "-v")
        command.wait_status("connecting to")
        deadline = time.monotonic() + WAIT
        while not server.accepted and time.monotonic() < deadline:
            time.sleep(0.01)  # the accept is the server's, not the command's: no event
        assert server.accepted == 1
        command.interrupt()
        assert command.wait(timeout=5) == 130
    assert "Traceback" not in command.stderr
    assert command.errors[1] == "* interrupted: closing"
