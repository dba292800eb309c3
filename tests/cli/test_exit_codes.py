"""Exit statuses a script can rely on, and the one line a fatal error prints.

0: a clean end; 1: a fatal error, one line on stderr; 2: bad usage; 130: Ctrl+C
after a clean close. Over TLS as well as plain TCP where a server is involved.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pushsdk.cli import main
from pushsdk.cli.parser import build_parser
from tests.cli.harness import WAIT, Commands, close_code
from tests.faults.tcp import TCPServer, recv_all
from tests.servers.sse_server import SSEConn, SSEServer
from tests.servers.ws_server import WSServer

UNAUTHORIZED = (401, {"WWW-Authenticate": "Bearer"}, b'{"error": "invalid token"}\n')


def test_ws_401_is_one_line_with_status_and_body(
    cli: Commands, any_ws_server: tuple[WSServer, list[str]]
) -> None:
    server, trust = any_ws_server
    server.rejections.append(UNAUTHORIZED)
    command = cli.run(server.url, *trust)
    assert command.proc.returncode == 1
    assert command.lines == []
    assert command.errors == [
        "pushsdk: server answered the handshake with HTTP 401 instead of 101: "
        """'{"error": "invalid token"}'; """
        'send credentials with -H "Authorization: Bearer $TOKEN"'
    ]


def test_sse_401_is_one_line_with_status_and_body(
    cli: Commands, any_sse_server: tuple[SSEServer, list[str]]
) -> None:
    server, trust = any_sse_server
    server.handler = lambda conn: conn.respond(401, body=b"<html>\n  <p>Login   first</p>\n")
    command = cli.run(server.url, *trust)
    assert command.proc.returncode == 1
    assert command.errors == [
        "pushsdk: server answered HTTP 401 Status: '<html> <p>Login first</p>'; "
        'send credentials with -H "Authorization: Bearer $TOKEN"'
    ]


@pytest.mark.parametrize("scheme", ["ws", "wss", "http", "https"])
def test_timeout_against_a_server_that_never_answers_is_a_failure(
    cli: Commands, scheme: str
) -> None:
    """Accepted, then silence (no TLS handshake, no response): never connected, exit 1."""
    with TCPServer(recv_all) as server:  # reads until the client goes, says nothing
        command = cli.run(server.url(scheme, "/feed"), "--timeout", "0.5")
    assert command.proc.returncode == 1
    assert command.errors == [
        "pushsdk: no connection within --timeout 0.5 s: still connecting "
        "(the server has not answered the handshake)"
    ]


def test_untrusted_certificate_is_a_fatal_error(cli: Commands, wss_server: WSServer) -> None:
    command = cli.run(wss_server.url)  # no --cacert: the test CA is unknown
    assert command.proc.returncode == 1
    assert len(command.errors) == 1
    assert "certificate" in command.errors[0].lower()


def test_insecure_skips_certificate_checks(cli: Commands, wss_server: WSServer) -> None:
    command = cli.run(wss_server.url, "--insecure", "--send", "x", "--count", "1")
    assert command.proc.returncode == 0
    assert command.lines == ["x"]


def test_clean_server_close_without_reconnect_is_0(cli: Commands, ws_server: WSServer) -> None:
    ws_server.handler = lambda conn: (conn.send("bye"), conn.close(1000, "done"))
    command = cli.run(ws_server.url, "--no-reconnect")
    assert command.proc.returncode == 0
    assert command.lines == ["bye"]
    assert command.stderr == ""


def test_a_hostile_error_body_is_one_line_without_escapes(
    cli: Commands, ws_server: WSServer
) -> None:
    ws_server.rejections.append((400, {}, b"bad\x1b[2J\x1b]0;owned\x07\r\nrequest" + b"x" * 500))
    command = cli.run(ws_server.url)
    assert command.proc.returncode == 1
    (line,) = command.errors
    assert "\x1b" not in line and "\x07" not in line
    assert line.startswith(  # the escape characters shown escaped, never sent to the terminal
        "pushsdk: server answered the handshake with HTTP 400 instead of 101: 'bad\\x1b[2J"
    )
    assert line.endswith("x" * 100 + "...'")  # a snippet, not the whole body


def test_a_recording_that_cannot_be_written_is_1(cli: Commands, ws_server: WSServer) -> None:
    command = cli.run(ws_server.url, "--record", "/dev/full", "--send", "x", "--count", "5")
    assert command.proc.returncode == 1
    # Only our line: no "Exception ignored" from a file left for the finalizer to flush.
    assert command.errors == ["pushsdk: cannot write /dev/full: No space left on device"]


def test_abnormal_server_close_without_reconnect_is_1(cli: Commands, ws_server: WSServer) -> None:
    ws_server.handler = lambda conn: conn.close(1008, "policy violation")
    command = cli.run(ws_server.url, "--no-reconnect")
    assert command.proc.returncode == 1
    assert command.errors == ["pushsdk: closed by the server: code 1008 policy violation"]


def test_refused_connection_without_reconnect_is_1(cli: Commands) -> None:
    command = cli.run("ws://127.0.0.1:9/", "--no-reconnect")
    assert command.proc.returncode == 1
    assert len(command.errors) == 1
    assert command.errors[0].startswith("pushsdk: c")  # cannot / could not connect
    assert command.errors[0].endswith("Connection refused")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "the following arguments are required: URL"),
        (["example.com"], "URL needs a scheme"),
        (["ftp://example.com"], "unsupported URL scheme 'ftp'"),
        (["ws://h/", "-d", "x"], "-d/--data: only for SSE"),
        (["http://h/", "--send", "x"], "--send: only for WebSocket"),
        (["http://h/", "-H", "no colon"], "-H takes 'Name: value'"),
        (["http://h/", "-H", "Bad Name: x"], "-H takes 'Name: value'"),
        (["http://h/", "--json", "{bad"], "--json is not valid JSON"),
        (["http://h/", "--json", "{}", "-d", "x"], "give -d/--data or --json, not both"),
        (["http://h/", "-X", "GE T"], "-X: not an HTTP method"),
        (["ws://h/", "--send", "x", "--interval", "1"], "--interval applies to the --send"),
        (["ws://h/", "--interval", "0", "--send", "x"], "must be more than 0 seconds"),
        (["ws://h/", "--count", "0"], "must be at least 1"),
        (["ws://h/", "--timeout", "-1"], "non-negative"),
        (["ws://h/", "--cacert", "/nonexistent/ca.pem"], "--cacert: no such file"),
        (["ws://h/", "--proxy", "ftp://proxy:1"], "proxy must be a"),
        (["ws://h/", "--no-reconnect", "--reconnect"], "not allowed with argument"),
        (["sse", "ws://h/"], "'pushsdk sse' needs an http:// or https:// URL"),
        (["http://h/", "-d", "@/nonexistent/body"], "-d @/nonexistent/body: No such file"),
        (["replay"], "the following arguments are required: FILE.jsonl"),
        (["replay", "x.jsonl", "--speed", "0"], "must be a positive number"),
    ],
)
def test_bad_usage_is_2(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    assert main(args) == 2  # in-process: the same code as the command, without a process each
    err = capsys.readouterr().err
    assert message in err
    assert err.startswith("usage: ")


def test_bad_usage_is_2_from_the_command(cli: Commands) -> None:
    command = cli.run("ws://h/", "-d", "x")
    assert command.proc.returncode == 2
    assert (
        command.errors[-1] == "pushsdk: error: -d/--data: only for SSE (http:// or https:// URLs)"
    )


def test_help_has_examples_and_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert "examples:" in text and "--until '[DONE]'" in text
    assert "130 interrupted" in text


def test_every_option_says_what_it_does() -> None:
    """A help line of a word or a bare "(WebSocket)" leaves the reader guessing."""
    vague = [
        action.option_strings[-1]
        for action in build_parser()._actions
        if action.option_strings
        and (len((action.help or "").split()) < 3 or (action.help or "").startswith("("))
    ]
    assert vague == []


@pytest.mark.parametrize("protocol", ["ws", "sse"])
def test_ctrl_c_closes_cleanly_and_exits_130(
    cli: Commands, ws_server: WSServer, sse_server: SSEServer, protocol: str
) -> None:
    url = ws_server.url if protocol == "ws" else sse_server.url
    command = cli(url, "-v", keep_stdin_open=True)
    command.wait_status("* open")
    command.interrupt()
    assert command.wait() == 130
    assert "Traceback" not in command.stderr
    assert "KeyboardInterrupt" not in command.stderr
    assert command.errors[-2:] == [
        "* interrupted: closing",
        "* closed: code 1000" if protocol == "ws" else "* closed",
    ]
    if protocol == "ws":
        assert close_code(ws_server.connections[0]) == 1000  # a clean close handshake


def test_ctrl_c_while_reconnecting_exits_130(cli: Commands) -> None:
    command = cli("ws://127.0.0.1:9/", "-v")
    command.wait_status("retrying in")
    command.interrupt()
    assert command.wait() == 130
    assert "Traceback" not in command.stderr


def test_closed_stdout_ends_quietly(sse_server: SSEServer) -> None:
    def handler(conn: SSEConn) -> None:
        conn.start()
        for n in range(100_000):
            conn.event(json.dumps({"n": n}))

    sse_server.handler = handler
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pushsdk", sse_server.url],
        stdout=write_end,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as out:
            assert out.readline() == b'{"n": 0}\n'
        # The reader of the pipe went away, as with "| head -1".
        _, err = proc.communicate(timeout=WAIT)
        assert proc.returncode == 0
        assert b"Traceback" not in err and b"BrokenPipe" not in err
    finally:
        proc.kill()
        proc.communicate()
