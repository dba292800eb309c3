"""SSEClient against a real loopback server: events, callbacks, requests sent."""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Callable

import pytest

from pushsdk import Message, ReadyState, SSEClient
from tests.servers.sse_server import SSEConn, SSEServer

from .conftest import WAIT, Recorder

MakeClient = Callable[..., SSEClient]


def stream_then_stall(*events: bytes, chunked: bool = True) -> Callable[[SSEConn], None]:
    def handler(conn: SSEConn) -> None:
        conn.start(chunked=chunked)
        for event in events:
            conn.send(event)
        conn.stall()

    return handler


def test_callbacks_and_message_fields(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    sse_server.handler = stream_then_stall(b"id: 1\ndata: hello\ndata: world\n\n")
    client = make_client(sse_server.url)
    before = time.time()
    client.start()
    (message,) = recorder.wait("message")
    assert message == Message("hello\nworld", "message", "1", sse_server.url, message.received_at)
    assert before <= message.received_at <= time.time()
    assert recorder.kinds() == ["open", "message"]
    assert client.ready_state is ReadyState.OPEN
    assert client.stats.messages_in == 1
    assert client.stats.bytes_in == len(b"id: 1\ndata: hello\ndata: world\n\n")
    client.close()
    assert recorder.kinds() == ["open", "message", "close"]
    assert recorder.of("close") == [(None, "")]
    assert client.ready_state is ReadyState.CLOSED


def test_custom_events_go_to_on_handlers(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    sse_server.handler = stream_then_stall(
        b"event: ping\ndata: p\n\n", b"data: m\n\n", b"event: other\ndata: o\n\n"
    )
    client = make_client(sse_server.url)
    pings: list[str] = []
    everything: list[str] = []
    done = threading.Event()
    client.on("ping", lambda c, m: pings.append(m.data))

    @client.on("*")
    def every(c: SSEClient, m: Message) -> None:
        everything.append(f"{m.event}:{m.data}")
        if len(everything) == 3:
            done.set()

    client.start()
    assert done.wait(WAIT)
    assert pings == ["p"]
    assert everything == ["ping:p", "message:m", "other:o"]
    assert [m.data for m in recorder.messages] == ["m"]


def test_message_id_is_empty_without_ids(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    sse_server.handler = stream_then_stall(b"data: a\n\n")
    make_client(sse_server.url).start()
    assert recorder.wait("message")[0].id == ""


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "plain"])
def test_event_dispatched_at_once_then_silence(
    sse_server: SSEServer, make_client: MakeClient, chunked: bool
) -> None:
    """One small event and then nothing: it must not wait for a buffer to fill."""
    sent = threading.Event()
    arrived: list[float] = []
    got = threading.Event()

    def handler(conn: SSEConn) -> None:
        conn.start(chunked=chunked)
        time.sleep(0.05)  # the client is now blocked reading
        sent_at.append(time.monotonic())
        conn.send(b"data: x\n\n")
        sent.set()
        conn.stall()

    sent_at: list[float] = []
    sse_server.handler = handler
    client = make_client(sse_server.url)
    client.on("*", lambda c, m: (arrived.append(time.monotonic()), got.set()))
    client.start()
    assert got.wait(WAIT)
    assert arrived[0] - sent_at[0] < 0.1


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "plain"])
def test_many_events_in_both_transfer_modes(
    sse_server: SSEServer, make_client: MakeClient, chunked: bool
) -> None:
    body = b"".join(b"id: %d\ndata: %d\n\n" % (i, i) for i in range(1000))

    def handler(conn: SSEConn) -> None:
        conn.start(chunked=chunked)
        for start in range(0, len(body), 777):  # pieces that split lines and events
            conn.send(body[start : start + 777])
        conn.stall()

    sse_server.handler = handler
    recorder_done = threading.Event()
    seen: list[Message] = []
    client = make_client(sse_server.url)
    client.on("*", lambda c, m: (seen.append(m), len(seen) == 1000 and recorder_done.set()))
    client.start()
    assert recorder_done.wait(WAIT)
    assert [(m.data, m.id) for m in seen] == [(str(i), str(i)) for i in range(1000)]


def test_request_headers(sse_server: SSEServer, make_client: MakeClient) -> None:
    sse_server.handler = stream_then_stall()
    make_client(sse_server.url, headers={"X-Custom": "1"}).start()
    (request,) = sse_server.wait_requests(1)
    assert request.method == "GET"
    assert request.path == "/events"
    assert request.headers["accept"] == "text/event-stream"
    assert request.headers["cache-control"] == "no-cache"
    assert request.headers["x-custom"] == "1"
    assert "last-event-id" not in request.headers


def test_initial_last_event_id_sent(sse_server: SSEServer, make_client: MakeClient) -> None:
    sse_server.handler = stream_then_stall()
    make_client(sse_server.url, last_event_id="41").start()
    assert sse_server.wait_requests(1)[0].headers["last-event-id"] == "41"


def test_post_with_json_body(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    def handler(conn: SSEConn) -> None:
        conn.start()
        for token in ("Hel", "lo"):
            conn.event(f'{{"token": "{token}"}}', event="delta")
        conn.event("[DONE]")
        conn.stall()

    sse_server.handler = handler
    client = make_client(sse_server.url, method="POST", json={"prompt": "hi", "stream": True})
    tokens: list[str] = []
    client.on("delta", lambda c, m: tokens.append(m.json()["token"]))
    client.start()
    recorder.wait("message")
    (request,) = sse_server.requests
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    assert request.body == b'{"prompt": "hi", "stream": true}'
    assert tokens == ["Hel", "lo"]


def test_post_with_raw_body(sse_server: SSEServer, make_client: MakeClient) -> None:
    sse_server.handler = stream_then_stall()
    make_client(sse_server.url, method="post", body="a=1").start()
    (request,) = sse_server.wait_requests(1)
    assert (request.method, request.body) == ("POST", b"a=1")


def test_gzip_content_encoding(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    def handler(conn: SSEConn) -> None:
        conn.start(headers={"Content-Encoding": "gzip"})
        gzip = zlib.compressobj(wbits=31)
        for data in ("a", "b"):
            conn.send(gzip.compress(f"data: {data}\n\n".encode()) + gzip.flush(zlib.Z_SYNC_FLUSH))
        conn.stall()

    sse_server.handler = handler
    make_client(sse_server.url).start()
    assert [m.data for m in recorder.wait("message", 2)] == ["a", "b"]


def test_iteration_in_a_with_block(sse_server: SSEServer) -> None:
    sse_server.handler = stream_then_stall(b"data: 1\n\n", b"event: x\ndata: 2\n\n")
    with SSEClient(sse_server.url) as client:
        received = []
        for message in client.messages(timeout=WAIT):
            received.append((message.event, message.data))
            if len(received) == 2:
                break
    assert received == [("message", "1"), ("x", "2")]
    assert client.ready_state is ReadyState.CLOSED


def test_iteration_ends_when_closed(sse_server: SSEServer) -> None:
    sse_server.handler = stream_then_stall(b"data: 1\n\n")
    client = SSEClient(sse_server.url)
    client.start()
    threading.Timer(0.2, client.close).start()
    assert [m.data for m in client] == ["1"]


def test_secret_headers_never_logged(
    sse_server: SSEServer,
    make_client: MakeClient,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sse_server.handler = stream_then_stall(b"data: 1\n\n")
    caplog.set_level(logging.DEBUG)
    client = make_client(
        f"http://127.0.0.1:{sse_server.port}/events?token=tok-secret",
        headers={"Authorization": "Bearer auth-secret", "X-Api-Key": "key-secret"},
    )
    client.start()
    recorder.wait("message")
    client.close()
    assert sse_server.requests[0].headers["authorization"] == "Bearer auth-secret"
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("pushsdk")]
    assert ours
    assert not [text for text in ours if "secret" in text]


def test_body_with_a_content_length(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    body = b"data: 1\n\ndata: 2\n\n"
    sse_server.handler = lambda conn: conn.respond(200, {"Content-Type": "text/event-stream"}, body)
    make_client(sse_server.url, reconnect=False).start()
    assert [m.data for m in recorder.wait("message", 2)] == ["1", "2"]
    assert recorder.wait("close") == [(None, "end of stream")]
