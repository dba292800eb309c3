"""POST streams (LLM-style): the body goes out once, the stream's clean end ends the run."""

from __future__ import annotations

from pathlib import Path

from tests.cli.harness import Commands
from tests.servers.sse_server import SSEConn, SSEServer


def _answer_tokens(conn: SSEConn) -> None:
    conn.start()
    for token in ("Hel", "lo", "[DONE]"):
        conn.event(token)
    conn.end()


def test_post_json_stream(cli: Commands, any_sse_server: tuple[SSEServer, list[str]]) -> None:
    server, trust = any_sse_server
    server.handler = _answer_tokens
    body = '{"prompt": "Hi", "stream": true}'
    command = cli.run(server.url, *trust, "--json", body, "-H", "Authorization: Bearer k-123")
    assert command.proc.returncode == 0  # a clean end of a POST stream is the end
    assert command.lines == ["Hel", "lo", "[DONE]"]
    assert command.stderr == ""
    (request,) = server.requests  # not re-sent after the end
    assert request.method == "POST"
    assert request.body == body.encode()  # as typed
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == "Bearer k-123"
    assert request.headers["accept"] == "text/event-stream"


def test_data_from_a_file_with_method(cli: Commands, sse_server: SSEServer, tmp_path: Path) -> None:
    sse_server.handler = _answer_tokens
    (tmp_path / "body.txt").write_bytes(b"raw \x00 body")
    command = cli.run(sse_server.url, "-X", "put", "-d", f"@{tmp_path / 'body.txt'}")
    assert command.proc.returncode == 0
    (request,) = sse_server.requests
    assert (request.method, request.body) == ("PUT", b"raw \x00 body")


def test_a_dropped_post_stream_is_an_error_not_a_resend(
    cli: Commands, sse_server: SSEServer
) -> None:
    def drop_midway(conn: SSEConn) -> None:
        conn.start()
        conn.event("partial")
        conn.drop()

    sse_server.handler = drop_midway
    command = cli.run(sse_server.url, "--json", "{}")
    assert command.proc.returncode == 1
    assert command.lines == ["partial"]
    assert len(command.errors) == 1 and "connection lost" in command.errors[0]
    assert len(sse_server.requests) == 1


def test_reconnect_flag_resends_a_post_stream(cli: Commands, sse_server: SSEServer) -> None:
    sse_server.handler = _answer_tokens
    command = cli.run(sse_server.url, "--json", "{}", "--reconnect", "--count", "6")
    assert command.proc.returncode == 0
    assert command.lines == ["Hel", "lo", "[DONE]"] * 2
    assert [r.method for r in sse_server.requests][:2] == ["POST", "POST"]
