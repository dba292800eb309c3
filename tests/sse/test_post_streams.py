"""Safe defaults for non-GET streams: a POST is never sent again unless asked for.

An LLM-style POST stream that ends after ``[DONE]`` must not be POSTed again (with
the same body and credentials); ``reconnect=`` given explicitly restores re-sending.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from pushsdk import Backoff, ConnectionClosed, HandshakeError, ReadyState, SSEClient
from tests.ending import ended
from tests.servers.sse_server import SSEConn, SSEServer

from .conftest import FAST, WAIT, Recorder

MakeClient = Callable[..., SSEClient]
CHAT = {"messages": [{"role": "user", "content": "Hi"}], "stream": True}


def llm_stream(conn: SSEConn) -> None:
    conn.start()
    for piece in ("Hel", "lo", "[DONE]"):
        conn.event(piece)
    conn.end()


def test_post_ending_after_done_is_sent_once(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient, recorder: Recorder
) -> None:
    sse, options = server
    sse.handler = llm_stream
    client = make_client(sse.url, method="POST", json=CHAT, reconnect=None, **options)
    client.start()
    assert ended(client)
    assert len(sse.requests) == 1
    assert [m.data for m in recorder.messages] == ["Hel", "lo", "[DONE]"]
    assert recorder.kinds() == ["open", "message", "message", "message", "close"]
    assert recorder.of("close") == [(None, "end of stream")]
    assert client.last_error is None
    assert client.ready_state is ReadyState.CLOSED


def test_iterating_a_post_stream_ends_with_the_stream(
    server: tuple[SSEServer, dict[str, Any]],
) -> None:
    sse, options = server
    sse.handler = llm_stream
    with SSEClient(sse.url, method="POST", json=CHAT, **options) as client:
        received = [message.data for message in client.messages(timeout=WAIT)]
    assert received == ["Hel", "lo", "[DONE]"]
    assert len(sse.requests) == 1


def test_post_dropped_mid_stream_is_reported_and_not_sent_again(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient, recorder: Recorder
) -> None:
    sse, options = server

    def drop_midway(conn: SSEConn) -> None:
        conn.start()
        conn.event("Hel")
        recorder.wait("message")  # a reset could discard the response still unread
        conn.drop()

    sse.handler = drop_midway
    client = make_client(sse.url, method="POST", json=CHAT, reconnect=None, **options)
    client.start()
    assert ended(client)
    (error,) = recorder.errors
    assert isinstance(error, ConnectionClosed)
    assert len(sse.requests) == 1
    assert recorder.kinds()[-1] == "close"


def test_post_answered_503_is_not_sent_again(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    sse_server.handler = lambda conn: conn.respond(503)
    client = make_client(sse_server.url, method="POST", json=CHAT, reconnect=None)
    client.start()
    assert ended(client)
    assert isinstance(recorder.errors[0], HandshakeError)
    assert len(sse_server.requests) == 1


@pytest.mark.parametrize("reconnect", [True, FAST], ids=["True", "Backoff"])
def test_post_sent_again_when_asked_explicitly(
    sse_server: SSEServer, make_client: MakeClient, reconnect: bool | Backoff
) -> None:
    sse_server.handler = llm_stream
    make_client(sse_server.url, method="POST", json=CHAT, reconnect=reconnect).start()
    second = sse_server.wait_requests(2)[1]
    assert (second.method, second.body) == ("POST", json.dumps(CHAT).encode())


def test_get_reconnects_by_default(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient
) -> None:
    sse, options = server
    sse.handler = llm_stream
    make_client(sse.url, reconnect=None, **options).start()
    assert len(sse.wait_requests(2)) == 2
