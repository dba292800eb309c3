"""A run that cannot connect says why on stderr, terminal or not, in the command's words.

Each failed attempt gets a line with its error and when the next try is; timeouts name
the options that set them (``--connect-timeout``, ``--timeout``) with the real figures;
a refused login says how to send credentials with this command. Plain and TLS servers
where the wire is involved.
"""

from __future__ import annotations

import re

import pytest

from pushsdk.cli.advice import gave_up_text
from tests.cli.harness import Commands
from tests.faults.tcp import TCPServer, recv_all
from tests.servers.sse_server import SSEServer
from tests.servers.ws_server import WSServer

#: A port nothing listens on (the discard service is not run here).
REFUSED = 9
TOKEN_HEADER = '-H "Authorization: Bearer $TOKEN"'
BEARER = f"send credentials with {TOKEN_HEADER}"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        (f"ws://127.0.0.1:{REFUSED}/", f"cannot connect to 127.0.0.1:{REFUSED}"),
        (f"http://127.0.0.1:{REFUSED}/", f"cannot connect to http://127.0.0.1:{REFUSED}/"),
    ],
    ids=["ws", "sse"],
)
def test_each_failed_attempt_says_why_and_when_the_next_is(
    cli: Commands, url: str, why: str
) -> None:
    """stderr is a pipe and there is no -v: the retries are said all the same."""
    command = cli(url)
    first = command.wait_status("retrying in")
    second = command.wait_status("retrying in")
    command.interrupt()
    assert command.wait() == 130
    assert command.lines == []
    pattern = rf"\* {re.escape(why)}: Connection refused; retrying in \d+\.\d s \(attempt {{}}\)"
    assert re.fullmatch(pattern.format(1), first)
    assert re.fullmatch(pattern.format(2), second)


def test_quiet_keeps_the_retries_to_itself(cli: Commands) -> None:
    command = cli.run(f"ws://127.0.0.1:{REFUSED}/", "-q", "--timeout", "0.6")
    assert command.proc.returncode == 1
    (line,) = command.errors
    assert line.startswith("pushsdk: no connection within --timeout 0.6 s")


@pytest.mark.parametrize("scheme", ["ws", "wss", "http", "https"])
def test_an_attempt_cut_at_its_deadline_names_connect_timeout(cli: Commands, scheme: str) -> None:
    """Accepted, then silence (no TLS handshake, no response)."""
    with TCPServer(recv_all) as server:
        url = server.url(scheme, "/feed")
        command = cli.run(url, "--connect-timeout", "0.2", "--timeout", "1")
    assert command.proc.returncode == 1
    *retries, last = command.errors
    where = {
        "ws": "waiting for the server's answer to the WebSocket upgrade",
        "wss": "in the TLS handshake with",
        "http": f"connecting to {url}",
        "https": f"connecting to {url}",
    }[scheme]
    cut = f"timed out after 0.2 s {where}"
    advice = "; if the server is only slow, give a longer --connect-timeout"
    assert retries and all(line.startswith(f"* {cut}") and advice in line for line in retries)
    assert re.fullmatch(
        rf"pushsdk: no connection within --timeout 1 s( \(\d+ attempts\))?: "
        rf"{re.escape(cut)}.*{re.escape(advice)}",
        last,
    )
    assert "open_timeout" not in command.stderr and "connect_timeout" not in command.stderr


def test_giving_up_gives_the_real_figures_and_the_option() -> None:
    """The SDK's 30 s budget is too slow to wait for here; this is the line it ends with."""
    last = "timed out after 10 s in the TLS handshake with example.com:443"
    assert gave_up_text(last, 31.4, 3, None) == (
        f"no connection after 31 s (3 attempts): {last}; to keep trying longer, give --timeout S"
    )
    assert gave_up_text("refused", 2.0, 1, 2.0) == "no connection within --timeout 2 s: refused"


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_websocket_login_says_how_to_send_credentials(
    cli: Commands, any_ws_server: tuple[WSServer, list[str]], status: int
) -> None:
    server, trust = any_ws_server
    server.rejections.append((status, {}, b"no"))
    command = cli.run(server.url, *trust)
    assert command.proc.returncode == 1
    hint = {401: BEARER, 403: f"if it needs credentials, send them with {TOKEN_HEADER}"}[status]
    assert command.errors == [
        f"pushsdk: server answered the handshake with HTTP {status} instead of 101: 'no'; {hint}"
    ]


def test_refused_sse_credentials_are_named_not_shown(
    cli: Commands, any_sse_server: tuple[SSEServer, list[str]]
) -> None:
    server, trust = any_sse_server
    server.handler = lambda conn: conn.respond(401, body=b"expired")
    command = cli.run(server.url, *trust, "-H", "Authorization: Bearer tok-1234")
    assert command.proc.returncode == 1
    assert command.errors == [
        "pushsdk: server answered HTTP 401 Status: 'expired'; "
        "the credentials sent (-H Authorization) were not accepted: check them"
    ]


def test_a_basic_challenge_gets_the_basic_example(
    cli: Commands, any_sse_server: tuple[SSEServer, list[str]]
) -> None:
    server, trust = any_sse_server
    server.handler = lambda conn: conn.respond(401, {"WWW-Authenticate": 'Basic realm="x"'})
    command = cli.run(server.url, *trust)
    assert command.proc.returncode == 1
    (line,) = command.errors
    assert line.endswith(
        'send credentials with -H "Authorization: Basic $(printf %s USER:PASSWORD | base64)"'
    )
