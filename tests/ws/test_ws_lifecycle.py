"""Lifecycle (start, close from anywhere, iteration), handshake options, bad arguments."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator

import psutil
import pytest
from websockets.sync.server import ServerConnection

from pushsdk import ConnectError, Message, ReadyState, WSClient
from tests.ending import ended
from tests.servers.raw_ws import RawWSServer, frame
from tests.servers.ws_server import WSServer
from tests.ws.recorder import WAIT, Recorder


@pytest.fixture
def silent_listener() -> Iterator[str]:
    """A TCP port that accepts connections (backlog) but never answers the handshake."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield f"ws://127.0.0.1:{listener.getsockname()[1]}/"


def stream(server: WSServer, count: int | None = None) -> None:
    """Make connections send numbered messages (forever, or ``count`` then close)."""

    def handler(conn: ServerConnection) -> None:
        index = 0
        while count is None or index < count:
            if server.stopping.is_set():
                return
            conn.send(str(index))
            index += 1
            if count is None:
                time.sleep(0.001)
        conn.close()

    server.handler = handler


def test_run_forever_closed_from_another_thread(ws_server: WSServer) -> None:
    recorder = Recorder()
    client = recorder.attach(WSClient(ws_server.url))
    runner = threading.Thread(target=client.run_forever)
    runner.start()
    assert client.wait_open(WAIT)
    assert client.ready_state is ReadyState.OPEN
    client.close()
    runner.join(WAIT)
    assert not runner.is_alive()
    assert recorder.kinds() == ["open", "close"]
    assert client.ready_state is ReadyState.CLOSED
    assert client.join(0)


def test_close_from_inside_a_callback(ws_server: WSServer) -> None:
    stream(ws_server)
    recorder = Recorder()
    client = recorder.attach(WSClient(ws_server.url))

    def on_message(c: WSClient, message: Message) -> None:
        recorder.add("message", message.data)
        if message.data == "3":
            c.close()

    client.on_message = on_message
    client.start()
    assert ended(client)
    assert recorder.kinds()[-1] == "close"
    assert recorder.messages()[:4] == ["0", "1", "2", "3"]
    assert recorder.of("close")[0][1] == 1000


def test_no_callback_after_close_returns(ws_server: WSServer) -> None:
    stream(ws_server)
    recorder = Recorder()
    client = recorder.attach(WSClient(ws_server.url))
    client.start()
    assert recorder.wait_count("message", 20)
    client.close()
    seen = len(recorder.events)
    assert recorder.kinds()[-1] == "close"
    assert not recorder.wait(lambda events: len(events) > seen, timeout=0.2)


def test_iteration_yields_every_message_and_ends(ws_server: WSServer) -> None:
    stream(ws_server, count=50)
    with WSClient(ws_server.url, reconnect=False) as client:
        received = [message.data for message in client]
    assert received == [str(i) for i in range(50)]


def test_messages_timeout(ws_server: WSServer) -> None:
    with WSClient(ws_server.url, reconnect=False) as client, pytest.raises(TimeoutError):
        next(client.messages(timeout=0.05))


def test_request_headers_subprotocol_and_origin(ws_server: WSServer) -> None:
    client = WSClient(
        ws_server.url,
        reconnect=False,
        headers={"Authorization": "Bearer s3cret", "X-Custom": "yes"},
        subprotocols=["chat", "other"],
        origin="https://example.test",
    )
    with client:
        assert client.wait_open(WAIT)
        assert client.subprotocol == "chat"
    (headers,) = ws_server.request_headers
    assert headers["Authorization"] == "Bearer s3cret"
    assert headers["X-Custom"] == "yes"
    assert headers["Origin"] == "https://example.test"
    assert headers["Sec-WebSocket-Protocol"].replace(" ", "") == "chat,other"


def test_secrets_never_reach_the_logs(
    ws_server: WSServer, caplog: pytest.LogCaptureFixture
) -> None:
    ws_server.rejections = [(401, {}, b"")]
    caplog.set_level(logging.DEBUG, logger="pushsdk")
    client = WSClient(
        ws_server.url.replace("?q=1", "?token=s3cret"),
        headers={"Authorization": "Bearer s3cret"},
        reconnect=False,
    )
    client.start()
    assert ended(client)
    assert caplog.records
    assert "s3cret" not in caplog.text


def test_unreachable_host_reports_connect_error() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    recorder = Recorder()
    client = recorder.attach(WSClient(f"ws://127.0.0.1:{port}/", reconnect=False))
    client.start()
    assert ended(client)
    assert recorder.kinds() == ["error", "close"]
    assert isinstance(recorder.errors()[0], ConnectError)


def test_open_timeout_bounds_the_handshake(silent_listener: str) -> None:
    recorder = Recorder()
    client = recorder.attach(WSClient(silent_listener, reconnect=False, open_timeout=0.2))
    client.start()
    assert ended(client)
    (error,) = recorder.errors()
    assert isinstance(error, ConnectError) and "timed out" in str(error)


def test_close_interrupts_a_connect_in_progress(silent_listener: str) -> None:
    recorder = Recorder()
    client = recorder.attach(WSClient(silent_listener, open_timeout=60))
    client.start()
    time.sleep(0.1)  # let the handshake start waiting for the server
    started = time.monotonic()
    client.close()
    assert time.monotonic() - started < 1.0
    assert recorder.kinds() == ["close"]
    assert recorder.of("close") == [("close", 1006, "")]


def test_start_close_cycles_leak_nothing(ws_server: WSServer) -> None:
    process = psutil.Process()

    def cycle() -> None:
        client = WSClient(ws_server.url)
        client.start()
        assert client.wait_open(WAIT)
        client.close()

    cycle()
    fds, threads = process.num_fds(), threading.active_count()
    for _ in range(200):
        cycle()
    deadline = time.monotonic() + WAIT  # the server's handler threads end on their own
    while time.monotonic() < deadline and (
        process.num_fds() > fds or threading.active_count() > threads
    ):
        time.sleep(0.01)
    assert process.num_fds() <= fds
    assert threading.active_count() <= threads


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"url": "ftp://example.com/"}, ValueError, "url"),
        ({"url": "http://example.com/"}, ValueError, "url"),
        ({"url": "ws:///nohost"}, ValueError, "url"),
        ({"ping_interval": -1}, ValueError, "ping_interval"),
        ({"ping_timeout": -0.5}, ValueError, "ping_timeout"),
        ({"open_timeout": -1}, ValueError, "open_timeout"),
        ({"open_timeout": None}, ValueError, "open_timeout"),
        ({"max_message_size": 0}, ValueError, "max_message_size"),
        ({"send_buffer": -1}, ValueError, "send_buffer"),
        ({"subprotocols": "chat"}, TypeError, "subprotocols"),
        ({"subprotocols": [1]}, TypeError, "subprotocols"),
        ({"event_key": 5}, TypeError, "event_key"),
        ({"sslopt": {"bogus": 1}}, ValueError, "sslopt"),
        ({"ssl_context": "yes"}, TypeError, "ssl_context"),
        ({"proxy": "ftp://host:21"}, ValueError, "proxy"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], error: type[Exception], name: str) -> None:
    arguments: dict[str, object] = {"url": "ws://127.0.0.1:9/"} | kwargs
    with pytest.raises(error, match=name):
        WSClient(**arguments)  # type: ignore[arg-type]


def test_unresolvable_host_reports_connect_error() -> None:
    recorder = Recorder()
    client = recorder.attach(WSClient("ws://nonexistent.invalid/", reconnect=False))
    client.start()
    assert ended(client)
    (error,) = recorder.errors()
    assert isinstance(error, ConnectError) and "resolve" in str(error)


def test_cookies_a_server_sets_are_not_sent_by_later_clients(raw_ws_server: RawWSServer) -> None:
    """websocket-client keeps Set-Cookie in one jar per process and sends it in every
    later handshake to that domain: a server could plant cookies for another host."""
    raw_ws_server.headers = [
        "Set-Cookie: planted=1; Domain=127.0.0.1; Path=/",
        "set-cookie: other=2; Domain=example.com",
    ]
    for attempt in range(2):
        client = WSClient(raw_ws_server.url, reconnect=False, ping_interval=None)
        client.start()
        try:
            conn = raw_ws_server.accept()
            assert client.wait_open(WAIT)
            assert "cookie" not in conn.request_headers, f"attempt {attempt}"
            conn.send(frame(0x8, (1000).to_bytes(2, "big")))  # the server ends it
            assert client.join(WAIT)
        finally:
            client.close()
            client.join(WAIT)
