"""``last_event_id`` never runs ahead of the events delivered (safe to save and resume)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pushsdk import Message, ReadyState, SSEClient
from tests.ending import ended
from tests.servers.sse_server import SSEConn, SSEServer

from .conftest import WAIT, Recorder

MakeClient = Callable[..., SSEClient]
BATCH = b"id: 1\ndata: 1\n\nid: 2\ndata: 2\n\nid: 3\ndata: 3\n\n"


def serve_batch(conn: SSEConn) -> None:
    conn.start()
    conn.send(BATCH)  # one chunk: the three events arrive in one read
    conn.stall()


def test_close_from_a_callback_mid_batch(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient
) -> None:
    sse, options = server
    sse.handler = serve_batch
    delivered: list[str] = []

    def on_message(client: SSEClient, message: Message) -> None:
        delivered.append(message.data)
        client.close()

    client = make_client(sse.url, **options)
    client.on_message = on_message
    client.start()
    assert ended(client)
    assert delivered == ["1"]
    assert client.last_event_id == "1"


def test_close_from_another_thread_mid_batch(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient, recorder: Recorder
) -> None:
    """close() lands while event 1's callback runs: 2 and 3 are never delivered."""
    sse, options = server
    sse.handler = serve_batch
    delivered: list[str] = []

    def on_message(client: SSEClient, message: Message) -> None:
        delivered.append(message.data)
        deadline = time.monotonic() + WAIT
        while client.ready_state is not ReadyState.CLOSING and time.monotonic() < deadline:
            time.sleep(0.005)

    client = make_client(sse.url, **options)
    client.on_message = on_message
    client.start()
    deadline = time.monotonic() + WAIT
    while not delivered and time.monotonic() < deadline:
        time.sleep(0.005)
    client.close()
    assert delivered == ["1"]
    assert client.last_event_id == "1"


def test_an_id_without_data_still_sets_the_id(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient, recorder: Recorder
) -> None:
    sse, options = server

    def handler(conn: SSEConn) -> None:
        conn.start()
        conn.send(b"id: 1\ndata: a\n\nid: 2\n\n")
        conn.send(b"data: b\n\n")
        if conn.request.headers.get("last-event-id") == "2":
            conn.stall()
        else:
            conn.end()

    sse.handler = handler
    client = make_client(sse.url, **options)
    client.start()
    messages = recorder.wait("message", 4)
    assert [(m.data, m.id) for m in messages] == [("a", "1"), ("b", "2")] * 2
    assert [r.headers.get("last-event-id") for r in sse.wait_requests(2)] == [None, "2"]
    client.close()
    assert client.last_event_id == "2"


def test_last_event_id_is_the_current_events_inside_its_callback(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient, recorder: Recorder
) -> None:
    sse, options = server
    sse.handler = serve_batch
    seen: list[tuple[str, str]] = []
    client = make_client(sse.url, **options)
    client.on("*", lambda c, m: seen.append((m.data, c.last_event_id)))
    client.start()
    recorder.wait("message", 3)
    client.close()
    assert seen == [("1", "1"), ("2", "2"), ("3", "3")]
