"""The demo server speaks both protocols as the README promises, and stops cleanly."""

from __future__ import annotations

import subprocess
import sys
import threading

import requests
import websocket

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
