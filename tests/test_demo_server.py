"""The demo server speaks both protocols as the README promises, and stops cleanly."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
import websocket

from pushsdk import SSEClient
from pushsdk_monitor.demo_server import WELCOME, DemoServer

TIMEOUT = 5.0


def _read_events(response: requests.Response, count: int) -> list[dict[str, str]]:
    events: list[dict[str, str]] = []
    fields: dict[str, str] = {}
    for line in response.iter_lines(chunk_size=1, decode_unicode=True):
        if not line:
            events.append(fields)
            fields = {}
            if len(events) == count:
                return events
            continue
        name, _, value = line.partition(": ")
        fields[name] = value
    raise AssertionError("stream ended early")


def test_websocket_sends_time_and_echoes(demo_server: DemoServer) -> None:
    ws = websocket.create_connection(demo_server.ws_url, timeout=TIMEOUT)
    try:
        ws.send("hello")
        received = [ws.recv() for _ in range(4)]
    finally:
        ws.close()
    assert "Server received: hello" in received
    assert any(str(m).startswith("Server time: ") and len(str(m)) == 21 for m in received)


def test_websocket_also_served_at_root(demo_server: DemoServer) -> None:
    url = demo_server.ws_url.removesuffix("/ws") + "/"
    ws = websocket.create_connection(url, timeout=TIMEOUT)
    try:
        ws.send("root")
        received = [ws.recv() for _ in range(3)]
    finally:
        ws.close()
    assert "Server received: root" in received


def test_stream_sends_ids_pings_and_welcome(demo_server: DemoServer) -> None:
    with requests.get(demo_server.sse_url, stream=True, timeout=TIMEOUT) as response:
        assert response.headers["Content-Type"] == "text/event-stream"
        events = _read_events(response, 6)
    assert events[0] == {"id": "1", "data": WELCOME}
    assert [int(e["id"]) for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[1]["data"].startswith("Server time: ")
    assert events[5]["event"] == "ping"


def test_stream_resumes_after_last_event_id(demo_server: DemoServer) -> None:
    headers = {"Last-Event-ID": "41"}
    with requests.get(demo_server.sse_url, stream=True, headers=headers, timeout=TIMEOUT) as r:
        events = _read_events(r, 2)
    assert [e["id"] for e in events] == ["42", "43"]


def test_stop_closes_open_connections_and_thread() -> None:
    server = DemoServer(interval=0.05).start()
    ws = websocket.create_connection(server.ws_url, timeout=TIMEOUT)
    stream = requests.get(server.sse_url, stream=True, timeout=TIMEOUT)
    before = {t.name for t in threading.enumerate()}
    assert "demo-server" in before
    server.stop()
    assert "demo-server" not in {t.name for t in threading.enumerate()}
    ws.settimeout(TIMEOUT)
    closed = False
    try:
        while ws.recv():
            pass
    except websocket.WebSocketConnectionClosedException:
        closed = True
    closed = closed or not ws.connected
    ws.close()
    stream.close()
    assert closed


def test_runs_alone_from_the_command_line() -> None:
    code = "from pushsdk_monitor.demo_server import main; main(['--help'])"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0
    assert "--port" in result.stdout


# -- the LLM-style chat stream (POST /v1/chat/completions) --------------------------------

CHAT = {"model": "demo", "messages": [{"role": "user", "content": "Hi there"}], "stream": True}


def test_chat_stream_sends_completion_chunks_then_done(demo_server: DemoServer) -> None:
    with SSEClient(demo_server.chat_url, method="POST", json=CHAT) as client:
        messages = list(client.messages(timeout=TIMEOUT))  # ends with the stream
    assert messages[-1].data == "[DONE]"
    chunks = [m.json() for m in messages[:-1]]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert len({c["id"] for c in chunks}) == 1
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == "You said: Hi there"
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert client.last_error is None


def test_chat_stream_answers_the_last_user_message(demo_server: DemoServer) -> None:
    body = {"messages": [{"role": "user", "content": "a"}, {"role": "system", "content": "b"}]}
    body["messages"].append({"role": "user", "content": "last"})
    with SSEClient(demo_server.chat_url, method="POST", json=body) as client:
        data = [m.data for m in client.messages(timeout=TIMEOUT)]
    text = "".join(json.loads(d)["choices"][0]["delta"].get("content", "") for d in data[:-1])
    assert text == "You said: last"


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"messages": [{"role": "system"}]}'])
def test_chat_stream_refuses_a_bad_body(demo_server: DemoServer, body: bytes) -> None:
    response = requests.post(demo_server.chat_url, data=body, timeout=TIMEOUT)
    assert response.status_code == 400
    assert '"messages"' in response.json()["error"]["message"]


def test_readme_sse_example_runs_as_written(
    demo_server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("## Server-Sent Events", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert "break" not in example
    base = demo_server.chat_url.removesuffix("/v1/chat/completions")
    exec(compile(example.replace("http://127.0.0.1:8080", base), "README.md", "exec"), {})
    assert capsys.readouterr().out == "You said: Hi\n"
