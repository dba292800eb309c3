"""An error says what to do in the command's own options, not the SDK's arguments."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from pushsdk.cli import main
from tests.cli.harness import Commands
from tests.servers.sse_server import SSEServer
from tests.servers.tls import server_context
from tests.servers.ws_server import WSServer


@pytest.fixture(params=["ws", "sse"])
def tls_server(request: pytest.FixtureRequest, ws_ca: trustme.CA) -> Iterator[WSServer | SSEServer]:
    """A wss:// (echo) or https:// server whose certificate a test CA signed."""
    context = server_context(ws_ca)
    server = WSServer(context) if request.param == "ws" else SSEServer(context)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def tls_url(tls_server: WSServer | SSEServer) -> str:
    return tls_server.url


def test_an_untrusted_certificate_names_the_options_that_trust_it(
    cli: Commands, tls_url: str
) -> None:
    command = cli.run(tls_url, "--no-reconnect")
    assert command.proc.returncode == 1
    (line,) = command.errors
    assert line.endswith("trust that CA with --cacert FILE, or skip verification with -k")
    assert "verify=" not in line
    assert "truststore" not in line


def test_the_wrong_cacert_is_named(cli: Commands, tls_url: str, tmp_path: Path) -> None:
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    command = cli.run(tls_url, "--no-reconnect", "--cacert", str(other))
    assert command.proc.returncode == 1
    (line,) = command.errors
    assert line.endswith(f"--cacert {other} does not hold the CA that issued it")


def test_a_plain_failure_gets_no_tls_advice(cli: Commands) -> None:
    command = cli.run("http://127.0.0.1:9/", "--no-reconnect")
    assert command.proc.returncode == 1
    (line,) = command.errors
    assert line.endswith("Connection refused")


@pytest.mark.parametrize("url", ["ws://", "wss:///path", "http://:8080/x", "sse://"])
def test_a_url_without_a_host_is_bad_usage(capsys: pytest.CaptureFixture[str], url: str) -> None:
    assert main([url]) == 2
    err = capsys.readouterr().err
    if url == "sse://":
        assert "unsupported URL scheme 'sse'" in err
        return
    assert f"pushsdk: error: URL has no host: {url!r}; e.g. " in err
    assert "WSClient" not in err


def test_a_websocket_url_of_an_event_stream_gets_the_command_for_it(
    cli: Commands, any_sse_server: tuple[SSEServer, list[str]]
) -> None:
    server, trust = any_sse_server
    tls = server.url.startswith("https://")
    ws_url = ("wss:" if tls else "ws:") + server.url.partition(":")[2] + "?q=1"
    server.push(b": a first comment, so the handshake needs not wait for a body\n\n")
    command = cli.run(ws_url, "--no-reconnect", *trust)
    assert command.proc.returncode == 1
    (line,) = command.errors
    assert line.endswith(f"this is a Server-Sent Events endpoint: pushsdk {server.url}?q=1")
    assert "SSEClient" not in line


def test_the_fatal_error_is_the_last_line_after_the_status_lines(cli: Commands) -> None:
    """With status lines on (-v, or a terminal), the close is reported before the error
    that ends the run, so the reason is what stays in sight."""
    command = cli.run("ws://127.0.0.1:9/", "-v", "--timeout", "0.3")
    assert command.proc.returncode == 1
    assert command.errors[0] == "* connecting to ws://127.0.0.1:9/"
    assert "* closed: code 1006" in command.errors
    assert command.errors[-1].startswith("pushsdk: no connection within --timeout 0.3 s")


def test_insecure_is_quiet_about_what_it_was_asked_for(
    cli: Commands, tls_server: WSServer | SSEServer
) -> None:
    """-k: no urllib3 warning block on stderr (SSE), nothing at all (WebSocket)."""
    if isinstance(tls_server, SSEServer):
        tls_server.push(b"data: x\n\n")
        extra: list[str] = []
    else:
        extra = ["--send", "x"]  # echoed
    command = cli.run(tls_server.url, "-k", "--count", "1", *extra)
    assert command.proc.returncode == 0
    assert command.lines == ["x"]
    assert command.errors == []
