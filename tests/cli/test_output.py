"""``pushsdk URL`` end to end: what it prints, what it sends, when it stops.

Every test runs the real command in a subprocess against a real server on
loopback: the bundled demo server, or the scriptable fixtures of tests/servers.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pushsdk
from pushsdk_monitor.demo_server import WELCOME, DemoServer
from tests.cli.harness import WAIT, Commands
from tests.servers.sse_server import SSEConn, SSEServer
from tests.servers.ws_server import WSServer


def test_sse_text_output_is_the_data_alone(cli: Commands, demo_server: DemoServer) -> None:
    command = cli.run(demo_server.sse_url, "--count", "3")
    assert command.proc.returncode == 0
    assert command.lines[0] == WELCOME
    assert all(line.startswith("Server time: ") for line in command.lines[1:])
    assert len(command.lines) == 3
    assert command.stderr == ""  # no terminal: nothing but the data


def test_sse_jsonl_output_has_time_event_id_and_data(
    cli: Commands, demo_server: DemoServer
) -> None:
    command = cli.run(demo_server.sse_url, "--jsonl", "--count", "6")
    assert command.proc.returncode == 0
    rows = [json.loads(line) for line in command.lines]
    assert [row["id"] for row in rows] == ["1", "2", "3", "4", "5", "6"]
    assert [row["event"] for row in rows] == ["message"] * 5 + ["ping"]
    assert {row["direction"] for row in rows} == {"in"}
    assert rows[0]["data"] == WELCOME
    assert json.loads(rows[5]["data"])["type"] == "ping"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", rows[0]["time"])


def test_event_filter_counts_only_matching_events(cli: Commands, demo_server: DemoServer) -> None:
    command = cli.run(demo_server.sse_url, "--event", "ping", "--count", "2", "--jsonl")
    assert command.proc.returncode == 0
    assert [json.loads(line)["event"] for line in command.lines] == ["ping", "ping"]


def test_stdin_lines_are_sent_and_echoed(cli: Commands, demo_server: DemoServer) -> None:
    command = cli.run(
        demo_server.ws_url,
        "--until",
        "Server received: second",
        stdin=b"first\nsecond\n",
    )
    assert command.proc.returncode == 0
    echoes = [line for line in command.lines if line.startswith("Server received")]
    assert echoes == ["Server received: first", "Server received: second"]
    assert command.lines[-1] == "Server received: second"  # --until: printed, then exit


def test_binary_stdin_and_binary_output(cli: Commands, ws_server: WSServer) -> None:
    command = cli.run(ws_server.url, "--binary-stdin", "--count", "1", stdin=b"\x00\x01\xfe\xff")
    assert command.proc.returncode == 0
    assert ws_server.received == [b"\x00\x01\xfe\xff"]
    assert command.lines == ["0001feff"]  # hex by default; --binary-format base64: AAH+/w==


def test_send_is_resent_after_a_server_restart(cli: Commands) -> None:
    first = DemoServer(interval=0.05).start()
    port = first.port
    command = cli("ws", f"127.0.0.1:{port}/ws", "--send", '{"op": "subscribe"}', "-v")
    try:
        command.wait_line(lambda line: line == 'Server received: {"op": "subscribe"}')
    finally:
        first.stop()
    command.wait_status("reconnecting in")
    second = DemoServer(port=port, interval=0.05).start()
    try:
        command.wait_status("open")
        command.wait_line(lambda line: line == 'Server received: {"op": "subscribe"}')
    finally:
        second.stop()
        command.interrupt()
        assert command.wait() == 130


def test_interval_resends_periodically_while_open(cli: Commands, ws_server: WSServer) -> None:
    command = cli.run(
        ws_server.url, "--send", "hello", "--interval", "0.1", "--send", "beat", "--count", "4"
    )
    assert command.proc.returncode == 0
    assert command.lines[:2] == ["hello", "beat"]  # both on open, in order
    assert command.lines[2:] == ["beat", "beat"]  # then only the periodic one


def test_until_stops_an_sse_stream(cli: Commands, sse_server: SSEServer) -> None:
    def handler(conn: SSEConn) -> None:
        conn.start()
        for text in ("a", "b", "[DONE]", "never shown"):
            conn.event(text)
        conn.stall()

    sse_server.handler = handler
    command = cli.run(sse_server.url, "--until", "[DONE]")
    assert command.proc.returncode == 0
    assert command.lines == ["a", "b", "[DONE]"]


def test_timeout_ends_a_quiet_stream_with_status_0(cli: Commands, sse_server: SSEServer) -> None:
    started = time.monotonic()
    command = cli.run(sse_server.url, "--timeout", "0.5")
    assert command.proc.returncode == 0
    assert time.monotonic() - started >= 0.5
    assert command.lines == []


def test_timeout_without_ever_connecting_is_an_error(cli: Commands, sse_server: SSEServer) -> None:
    sse_server.handler = lambda conn: conn.respond(503, body=b"busy")
    command = cli.run(sse_server.url, "--timeout", "0.5")
    assert command.proc.returncode == 1
    *retries, last = command.errors
    assert all(
        line.startswith("* server answered HTTP 503 Status: 'busy'; retrying in ")
        for line in retries
    )
    assert last.startswith("pushsdk: no connection within --timeout 0.5 s")
    assert last.endswith("server answered HTTP 503 Status: 'busy'")


def test_status_lines_and_colours(cli: Commands, ws_server: WSServer) -> None:
    args = ("--send", "x", "--count", "1", "-v", "--color", "always", "--subprotocol", "chat")
    command = cli.run(ws_server.url, *args)
    assert command.proc.returncode == 0
    assert command.lines == ["x"]  # stdout is not a terminal: no colour there
    assert "\033[2m* connecting to ws://localhost:" in command.stderr
    assert "\033[32m* open (subprotocol chat)\033[0m" in command.stderr
    assert "* closed: code 1000" in command.stderr


def test_secrets_never_reach_stderr(cli: Commands, ws_server: WSServer) -> None:
    ws_server.rejections.append((403, {}, b"denied for token s3cr3t-query and Bearer tok-abc-123"))
    url = ws_server.url.replace("://", "://user:pa55word@") + "&token=s3cr3t-query"
    command = cli.run(url, "-H", "Authorization: Bearer tok-abc-123", "-v")
    assert command.proc.returncode == 1
    for secret in ("s3cr3t-query", "tok-abc-123", "pa55word"):
        assert secret not in command.stderr
    assert "token=***" in command.stderr
    assert "HTTP 403 instead of 101: 'denied for token <redacted> and" in command.errors[-1]


def test_record_writes_the_shared_format(
    cli: Commands, demo_server: DemoServer, tmp_path: Path
) -> None:
    path = tmp_path / "ws.jsonl"
    command = cli.run(
        demo_server.ws_url, "--record", str(path), "--until", "Server received: hi", stdin=b"hi\n"
    )
    assert command.proc.returncode == 0
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert rows[0]["format"] == "pushsdk-recording"
    assert rows[0]["protocol"] == "ws"
    opened = next(i for i, r in enumerate(rows) if r.get("event") == "open")
    sent = next(i for i, r in enumerate(rows) if r.get("direction") == "out")
    echo = next(i for i, r in enumerate(rows) if r.get("data") == "Server received: hi")
    assert rows[opened]["direction"] == "system"
    assert rows[sent]["data"] == "hi" and max(opened, sent) < echo
    assert rows[-1]["event"] == "close" and rows[-1]["data"] == "code 1000"


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("pushsdk")
    assert script.exists(), "the pushsdk console script is not installed"
    result = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=WAIT, check=False
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"pushsdk {pushsdk.__version__}"
