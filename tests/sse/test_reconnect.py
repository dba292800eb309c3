"""SSEClient reconnect rules: resume with Last-Event-ID, statuses, timeouts, limits."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from pushsdk import (
    Backoff,
    ConnectionClosed,
    HandshakeError,
    ProtocolError,
    ReadyState,
    SSEClient,
)
from tests.ending import ended
from tests.servers.sse_server import SSEConn, SSEServer

from .conftest import Recorder

MakeClient = Callable[..., SSEClient]


def scripted(*handlers: Callable[[SSEConn], None]) -> Callable[[SSEConn], None]:
    """Answer the n-th request with the n-th handler (the last one repeats)."""
    calls = iter(handlers)
    last = handlers[-1]

    def handler(conn: SSEConn) -> None:
        next(calls, last)(conn)

    return handler


def events_then(end: str, *events: bytes, chunked: bool = True) -> Callable[[SSEConn], None]:
    def handler(conn: SSEConn) -> None:
        conn.start(chunked=chunked)
        for event in events:
            conn.send(event)
        if end == "eof":
            conn.end()
        elif end == "drop":
            conn.drop()
        else:
            conn.stall()

    return handler


def status(
    code: int, headers: dict[str, str] | None = None, body: bytes = b""
) -> Callable[[SSEConn], None]:
    return lambda conn: conn.respond(code, headers, body)


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "plain"])
def test_end_of_stream_reconnects_with_last_event_id(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder, chunked: bool
) -> None:
    sse_server.handler = scripted(
        events_then("eof", b"id: 5\ndata: a\n\n", b"data: b\n\n", chunked=chunked),
        events_then("stall", b"data: c\n\n"),
    )
    make_client(sse_server.url).start()
    messages = recorder.wait("message", 3)
    assert [(m.data, m.id) for m in messages] == [("a", "5"), ("b", "5"), ("c", "5")]
    first, second = sse_server.wait_requests(2)
    assert "last-event-id" not in first.headers
    assert second.headers["last-event-id"] == "5"
    # A clean end of stream is not an error.
    assert recorder.kinds()[:5] == ["open", "message", "message", "close", "reconnect"]
    assert recorder.of("close")[0] == (None, "end of stream")
    assert recorder.errors == []


def test_id_without_data_is_resumed_from(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    sse_server.handler = scripted(
        events_then("drop", b"id: 1\ndata: a\n\n", b"id: 2\n\n", b"id: 3\ndata: cut"),
        events_then("stall", b"data: b\n\n"),
    )
    make_client(sse_server.url).start()
    recorder.wait("message", 2)
    assert sse_server.wait_requests(2)[1].headers["last-event-id"] == "2"
    assert [m.id for m in recorder.messages] == ["1", "2"]
    (error,) = recorder.errors
    assert isinstance(error, ConnectionClosed)
    kinds = recorder.kinds()
    assert kinds[: kinds.index("open", 1) + 1] == [
        "open",
        "message",
        "error",
        "close",
        "reconnect",
        "open",
    ]


def test_unicode_last_event_id_sent_as_utf8(sse_server: SSEServer, make_client: MakeClient) -> None:
    sse_server.handler = scripted(events_then("eof", "id: é€\n\n".encode()), events_then("stall"))
    make_client(sse_server.url).start()
    raw = sse_server.wait_requests(2)[1].headers["last-event-id"]
    assert raw.encode("latin-1").decode() == "é€"


def test_retry_field_sets_the_reconnect_delay(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    sse_server.handler = scripted(events_then("eof", b"retry: 300\n\n"), events_then("stall"))
    client = make_client(sse_server.url, reconnect=Backoff(initial=5.0, jitter=0.0))
    client.start()
    assert recorder.wait("reconnect") == [(1, 0.3)]
    recorder.wait("open", 2)


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "plain"])
def test_read_timeout_reconnects_a_silent_stream(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder, chunked: bool
) -> None:
    sse_server.handler = events_then("stall", b"id: 9\ndata: a\n\n", chunked=chunked)
    make_client(sse_server.url, read_timeout=0.2).start()
    recorder.wait("open", 2)
    error = recorder.errors[0]
    assert isinstance(error, ConnectionClosed)
    assert "read_timeout" in str(error)
    assert sse_server.wait_requests(2)[1].headers["last-event-id"] == "9"


def test_comments_count_as_traffic(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    def handler(conn: SSEConn) -> None:
        conn.start()
        for _ in range(8):
            conn.send(b": keep-alive\n")
            time.sleep(0.05)
        conn.event("done")
        conn.stall()

    sse_server.handler = handler
    make_client(sse_server.url, read_timeout=0.25).start()
    recorder.wait("message")
    assert recorder.kinds() == ["open", "message"]


@pytest.mark.parametrize("code", [500, 503, 408, 429])
def test_retryable_statuses_reconnect(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder, code: int
) -> None:
    sse_server.handler = scripted(
        status(code, {"X-Why": "busy"}, b"try later"), events_then("stall", b"data: ok\n\n")
    )
    make_client(sse_server.url).start()
    recorder.wait("message")
    (error,) = recorder.errors
    assert isinstance(error, HandshakeError)
    assert (error.status, error.body, error.headers["X-Why"]) == (code, b"try later", "busy")
    assert recorder.kinds() == ["error", "reconnect", "open", "message"]


def test_retry_after_is_honoured(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    sse_server.handler = status(429, {"Retry-After": "7"})
    client = make_client(sse_server.url, reconnect=Backoff(initial=0.01, maximum=30, jitter=0))
    client.on_reconnect = lambda c, attempt, delay: (recorder._add("reconnect", delay), c.close())
    client.start()
    assert recorder.wait("reconnect") == [7.0]
    assert ended(client)


@pytest.mark.parametrize(
    ("answer", "expected_status"),
    [
        (status(204), 204),
        (status(404, body=b"no such stream"), 404),
        (status(401), 401),
        (events_then("stall", b"data: x\n\n"), 200),  # wrong Content-Type, below
    ],
    ids=["204", "404", "401", "wrong-content-type"],
)
def test_permanent_failures_do_not_reconnect(
    sse_server: SSEServer,
    make_client: MakeClient,
    recorder: Recorder,
    answer: Callable[[SSEConn], None],
    expected_status: int,
) -> None:
    if expected_status == 200:

        def answer(conn: SSEConn) -> None:
            conn.start(content_type="text/html; charset=utf-8")
            conn.send(b"data: x\n\n")
            conn.stall()

    sse_server.handler = answer
    client = make_client(sse_server.url)
    client.start()
    assert ended(client)
    (error,) = recorder.errors
    assert isinstance(error, HandshakeError)
    assert error.status == expected_status
    if expected_status == 404:
        assert error.body == b"no such stream"
    assert recorder.kinds() == ["error", "close"]
    assert recorder.of("close") == [(None, "")]
    assert client.ready_state is ReadyState.CLOSED
    assert len(sse_server.requests) == 1


def test_content_type_parameters_allowed(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    def handler(conn: SSEConn) -> None:
        conn.start(content_type="Text/Event-Stream; charset=utf-8")
        conn.event("x")
        conn.stall()

    sse_server.handler = handler
    make_client(sse_server.url).start()
    assert recorder.wait("message")[0].data == "x"


def test_oversized_event_reconnects(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    sse_server.handler = scripted(
        events_then("stall", b"id: 1\ndata: small\n\n" + b"data: " + b"x" * 500 + b"\n\n"),
        events_then("stall", b"data: again\n\n"),
    )
    make_client(sse_server.url, max_event_size=100).start()
    assert [m.data for m in recorder.wait("message", 2)] == ["small", "again"]
    (error,) = recorder.errors
    assert isinstance(error, ProtocolError)
    assert sse_server.wait_requests(2)[1].headers["last-event-id"] == "1"


def test_malformed_chunking_reconnects(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    def broken(conn: SSEConn) -> None:
        conn.start()
        conn.raw(b"zz\r\ndata: x\n\n\r\n")
        conn.stall()

    sse_server.handler = scripted(broken, events_then("stall", b"data: ok\n\n"))
    make_client(sse_server.url).start()
    assert recorder.wait("message")[0].data == "ok"
    assert isinstance(recorder.errors[0], ProtocolError)


def test_refused_connection_retries_until_max_attempts(
    make_client: MakeClient, recorder: Recorder
) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(
        f"http://127.0.0.1:{port}/", reconnect=Backoff(initial=0.01, jitter=0, max_attempts=2)
    )
    client.start()
    assert ended(client)
    assert recorder.kinds() == ["error", "reconnect", "error", "reconnect", "error", "close"]


def test_connect_timeout_covers_the_response_headers(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    sse_server.handler = lambda conn: conn.stall()
    client = make_client(sse_server.url, connect_timeout=0.2, reconnect=False)
    client.start()
    assert ended(client)
    (error,) = recorder.errors
    assert "timed out" in str(error)


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "plain"])
def test_connect_timeout_does_not_limit_a_silent_stream(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder, chunked: bool
) -> None:
    def handler(conn: SSEConn) -> None:
        conn.start(chunked=chunked)
        time.sleep(0.5)
        conn.event("late")
        conn.stall()

    sse_server.handler = handler
    make_client(sse_server.url, connect_timeout=0.2).start()
    assert recorder.wait("message")[0].data == "late"
    assert recorder.kinds() == ["open", "message"]


@pytest.mark.parametrize(
    "cut", [b"HTTP/1.1 200 OK\r\n", b"HTTP/1.1 200 OK\r\nContent-Type: text/ev"]
)
def test_head_cut_short_reconnects(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder, cut: bytes
) -> None:
    sse_server.handler = scripted(lambda conn: conn.raw(cut), events_then("stall", b"data: ok\n\n"))
    make_client(sse_server.url).start()
    assert recorder.wait("message")[0].data == "ok"
    assert not isinstance(recorder.errors[0], HandshakeError)


def test_wrong_content_type_keeps_the_body(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    sse_server.handler = lambda conn: conn.respond(200, {"Content-Type": "text/html"}, b"<p>hi")
    client = make_client(sse_server.url)
    client.start()
    assert ended(client)
    (error,) = recorder.errors
    assert isinstance(error, HandshakeError)
    assert (error.status, error.body) == (200, b"<p>hi")
