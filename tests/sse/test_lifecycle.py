"""SSEClient lifecycle: close from anywhere at any stage, no leaks, bad arguments."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import psutil
import pytest
import requests

from pushsdk import Message, ReadyState, SSEClient
from tests.ending import ended
from tests.servers.sse_server import SSEServer

from .conftest import WAIT, Recorder

MakeClient = Callable[..., SSEClient]
PROMPT_CLOSE = 1.0  # seconds close() may take while the client is blocked


def timed_close(client: SSEClient) -> float:
    start = time.monotonic()
    client.close()
    return time.monotonic() - start


def test_close_during_a_stalled_connect(
    stalled_connect_url: str, make_client: MakeClient, recorder: Recorder
) -> None:
    client = make_client(stalled_connect_url, connect_timeout=30)
    client.start()
    time.sleep(0.2)  # let it block in connect()
    assert client.ready_state is ReadyState.CONNECTING
    assert timed_close(client) < PROMPT_CLOSE
    assert recorder.kinds() == ["close"]
    assert recorder.errors == []


def test_close_while_waiting_for_response_headers(
    sse_server: SSEServer, make_client: MakeClient
) -> None:
    sse_server.handler = lambda conn: conn.stall()
    client = make_client(sse_server.url)
    client.start()
    sse_server.wait_requests(1)
    assert timed_close(client) < PROMPT_CLOSE


def check_prompt_close_of_a_silent_stream(
    server: SSEServer, make_client: MakeClient, recorder: Recorder, **options: Any
) -> None:
    server.handler = lambda conn: (conn.start(), conn.event("x"), conn.stall())
    client = make_client(server.url, **options)
    client.start()
    recorder.wait("message")
    assert timed_close(client) < PROMPT_CLOSE
    assert recorder.kinds() == ["open", "message", "close"]
    assert client.ready_state is ReadyState.CLOSED


def test_close_during_a_silent_stream(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    check_prompt_close_of_a_silent_stream(sse_server, make_client, recorder)


def test_close_during_a_silent_tls_stream(
    sses_server: SSEServer, make_client: MakeClient, recorder: Recorder, ca_file: str
) -> None:
    check_prompt_close_of_a_silent_stream(sses_server, make_client, recorder, verify=ca_file)


def test_close_with_a_callers_session_during_a_silent_stream(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    sse_server.handler = lambda conn: (conn.start(), conn.event("x"), conn.stall())
    with requests.Session() as session:
        client = make_client(sse_server.url, session=session)
        client.start()
        recorder.wait("message")
        assert timed_close(client) < PROMPT_CLOSE


def test_close_with_a_callers_session_during_a_stalled_connect(
    stalled_connect_url: str, make_client: MakeClient
) -> None:
    with requests.Session() as session:
        client = make_client(stalled_connect_url, session=session, connect_timeout=30)
        client.start()
        time.sleep(0.2)
        assert timed_close(client) < PROMPT_CLOSE


def test_close_from_a_callback_stops_the_batch(sse_server: SSEServer) -> None:
    body = b"".join(b"data: %d\n\n" % i for i in range(5))
    sse_server.handler = lambda conn: (conn.start(), conn.send(body), conn.stall())
    seen: list[str] = []
    closes: list[Any] = []

    def on_message(client: SSEClient, message: Message) -> None:
        seen.append(message.data)
        client.close()

    client = SSEClient(sse_server.url, on_message=on_message)
    client.on_close = lambda c, code, reason: closes.append((code, reason))
    client.start()
    assert ended(client)
    assert seen == ["0"]
    assert closes == [(None, "")]


def test_close_while_waiting_to_reconnect(sse_server: SSEServer, recorder: Recorder) -> None:
    sse_server.handler = lambda conn: conn.respond(503, {"Retry-After": "30"})
    client = recorder.attach(SSEClient(sse_server.url, first_connect_timeout=None))
    client.start()
    recorder.wait("reconnect")
    assert timed_close(client) < PROMPT_CLOSE
    assert recorder.kinds() == ["error", "reconnect", "close"]


def test_close_before_start_and_twice(sse_server: SSEServer) -> None:
    client = SSEClient(sse_server.url)
    client.close()
    client.close()
    assert client.ready_state is ReadyState.CLOSED
    assert sse_server.requests == []


def test_run_forever_in_the_calling_thread(sse_server: SSEServer) -> None:
    sse_server.handler = lambda conn: (conn.start(), conn.event("x"), conn.end())
    seen: list[str] = []
    client = SSEClient(sse_server.url, reconnect=False, on_message=lambda c, m: seen.append(m.data))
    client.run_forever()
    assert seen == ["x"]
    assert client.ready_state is ReadyState.CLOSED


def test_start_close_cycles_leak_nothing(sse_server: SSEServer) -> None:
    sse_server.handler = lambda conn: (conn.start(), conn.event("x"), conn.stall())
    process = psutil.Process()

    def cycle() -> None:
        opened = threading.Event()
        client = SSEClient(sse_server.url, on_message=lambda c, m: opened.set())
        client.start()
        assert opened.wait(WAIT)
        client.close()

    for _ in range(5):
        cycle()  # warm up lazily created resources
    threads, fds = threading.active_count(), process.num_fds()
    for _ in range(200):
        cycle()
    deadline = time.monotonic() + WAIT
    while (
        process.num_fds() > fds or threading.active_count() > threads
    ) and time.monotonic() < deadline:
        time.sleep(0.01)  # the server's handler threads end, and close, asynchronously
    assert threading.active_count() <= threads
    assert process.num_fds() <= fds


@pytest.mark.parametrize(
    ("url", "options", "error", "match"),
    [
        ("ws://127.0.0.1/x", {}, ValueError, "url"),
        ("ftp://127.0.0.1/x", {}, ValueError, "url"),
        ("http:///nohost", {}, ValueError, "url"),
        ("http://h/", {"method": "G ET"}, ValueError, "method"),
        ("http://h/", {"method": 1}, ValueError, "method"),
        ("http://h/", {"body": "a", "json": {}}, ValueError, "body or json"),
        ("http://h/", {"body": 1}, TypeError, "body"),
        ("http://h/", {"read_timeout": -1}, ValueError, "read_timeout"),
        ("http://h/", {"connect_timeout": -1}, ValueError, "connect_timeout"),
        ("http://h/", {"connect_timeout": None}, ValueError, "connect_timeout"),
        ("http://h/", {"max_event_size": 0}, ValueError, "max_event_size"),
        ("http://h/", {"max_event_size": 1.5}, TypeError, "max_event_size"),
        ("http://h/", {"last_event_id": "a\0b"}, ValueError, "last_event_id"),
        ("http://h/", {"session": object()}, TypeError, "session"),
        ("http://h/", {"verify": 1}, TypeError, "verify"),
        ("http://h/", {"headers": {"a": 1}}, TypeError, "headers"),
    ],
)
def test_bad_arguments(
    url: str, options: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        SSEClient(url, **options)


def test_close_at_any_moment_of_connecting(sse_server: SSEServer) -> None:
    """close() racing the connect, the request and the response headers never hangs."""
    sse_server.handler = lambda conn: (conn.start(), conn.event("x"), conn.stall())
    for attempt in range(60):
        client = SSEClient(sse_server.url)
        client.start()
        time.sleep((attempt % 6) * 0.0005)
        assert timed_close(client) < PROMPT_CLOSE
        assert client.ready_state is ReadyState.CLOSED
