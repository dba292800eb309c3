"""Request options of ``pushsdk URL`` that reach the wire, plain and over TLS:
``--last-event-id``, ``--compression``, ``--read-timeout``; ``-q``; the base package.
"""

from __future__ import annotations

import contextlib
import os
import pty
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pushsdk.recording import Entry, Header, write_jsonl
from tests.cli.harness import WAIT, Commands
from tests.servers.sse_server import SSEConn, SSEServer
from tests.servers.ws_server import WSServer


def test_last_event_id_is_sent_on_the_first_request(
    cli: Commands, any_sse_server: tuple[SSEServer, list[str]]
) -> None:
    server, trust = any_sse_server

    def handler(conn: SSEConn) -> None:
        conn.start()
        conn.event("after 41", id="42")

    server.handler = handler
    command = cli.run(server.url, *trust, "--last-event-id", "41", "--count", "1")
    assert command.proc.returncode == 0
    assert command.lines == ["after 41"]
    assert server.requests[0].headers["last-event-id"] == "41"


@pytest.mark.parametrize(("flag", "offered"), [([], True), (["--compression", "off"], False)])
def test_compression_is_offered_unless_turned_off(
    cli: Commands, any_ws_server: tuple[WSServer, list[str]], flag: list[str], offered: bool
) -> None:
    server, trust = any_ws_server
    command = cli.run(server.url, *trust, *flag, "--send", "x", "--count", "1")
    assert command.proc.returncode == 0
    extensions = server.request_headers[0].get("Sec-WebSocket-Extensions") or ""
    assert ("permessage-deflate" in extensions) is offered


def test_read_timeout_ends_a_silent_stream(
    cli: Commands, any_sse_server: tuple[SSEServer, list[str]]
) -> None:
    server, trust = any_sse_server

    def handler(conn: SSEConn) -> None:
        conn.start()
        conn.event("then silence")
        conn.stall()

    server.handler = handler
    command = cli.run(server.url, *trust, "--read-timeout", "0.3", "--no-reconnect")
    assert command.proc.returncode == 1
    assert command.lines == ["then silence"]
    (error,) = command.errors
    assert "read_timeout" in error


def test_quiet_keeps_status_lines_out_but_not_errors(cli: Commands) -> None:
    shown = cli.run("ws://127.0.0.1:9/", "-v", "--no-reconnect")
    assert any("connecting to" in line for line in shown.stderr.splitlines())
    quiet = cli.run("ws://127.0.0.1:9/", "-v", "-q", "--no-reconnect")
    assert quiet.proc.returncode == 1
    (error,) = quiet.stderr.splitlines()
    assert error.startswith("pushsdk: cannot connect to 127.0.0.1:9")


def test_replay_binds_the_host_given(cli: Commands, tmp_path: Path) -> None:
    path = tmp_path / "sse.jsonl"
    write_jsonl([Entry(0.0, "in", "message", "1", "hello")], path, Header("sse", "x", 0.0))
    server = cli("replay", str(path), "--port", "0", "--host", "localhost")
    url = server.line()
    assert url.startswith("http://localhost:")
    command = cli.run(url, "--count", "1")
    assert command.lines == ["hello"]
    server.interrupt()
    assert server.wait() == 130


def test_the_command_loads_neither_qt_nor_aiohttp() -> None:
    """It is in the base package: ``pip install pushsdk`` alone must run it."""
    source = """
        import sys
        from pushsdk.cli import main
        try:
            main(["--help"])
        except SystemExit:
            pass
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in {"PySide6", "aiohttp"})
        print(loaded)
        """
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(source)],
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=True,
    )
    assert result.stdout.splitlines()[-1] == "[]"


def test_sse_subcommand_with_an_inline_body(
    cli: Commands, any_sse_server: tuple[SSEServer, list[str]]
) -> None:
    server, trust = any_sse_server

    def handler(conn: SSEConn) -> None:
        conn.start()
        conn.event("answer")
        conn.end()

    server.handler = handler
    address = server.url.split("://", 1)[1]
    scheme = server.url.split("://", 1)[0]
    command = cli.run("sse", f"{scheme}://{address}", *trust, "-X", "PUT", "-d", "q=1")
    assert command.proc.returncode == 0  # a non-GET stream that ends cleanly: done
    assert command.lines == ["answer"]
    (request,) = server.requests
    assert (request.method, request.body) == ("PUT", b"q=1")


def test_binary_as_base64(cli: Commands, any_ws_server: tuple[WSServer, list[str]]) -> None:
    server, trust = any_ws_server
    command = cli.run(
        server.url, *trust, "--binary-stdin", "--binary-format", "base64", "--count", "1",
        stdin=b"\x00\x01\xfe\xff",
    )  # fmt: skip
    assert command.proc.returncode == 0
    assert command.lines == ["AAH+/w=="]


def test_on_a_terminal_status_lines_and_colours_come_by_themselves(
    any_ws_server: tuple[WSServer, list[str]],
) -> None:
    """stderr a TTY (a real pseudo-terminal), no -v: status lines, in colour."""
    server, trust = any_ws_server
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "pushsdk", server.url, *trust, "--send", "x", "--count", "1"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=follower,
        )
        os.close(follower)
        out, _ = process.communicate(timeout=WAIT)
        seen = b""
        with contextlib.suppress(OSError):  # EIO once the command has exited
            while chunk := os.read(leader, 65536):
                seen += chunk
    finally:
        os.close(leader)
    assert process.returncode == 0
    assert out.decode().splitlines() == ["x"]  # stdout is not a terminal: data alone
    text = seen.decode()
    assert "connecting to" in text and "open" in text
    assert "\x1b[" in text  # coloured
