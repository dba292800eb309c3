"""Hostile SSE servers: each attack once fixed, over plain TCP and over TLS.

Whatever a server sends must not crash the client thread, hang it past a
deadline, grow memory past a bound, or make it fetch the same thing forever.
"""

from __future__ import annotations

import time
import tracemalloc
import zlib
from collections.abc import Callable
from typing import Any

import pytest

from pushsdk import ConnectError, HandshakeError, ProtocolError, ReadyState, Remedy, SSEClient
from pushsdk._sse.check import ERROR_BODY_LIMIT
from tests.ending import ended
from tests.servers.sse_server import SSEConn, SSEServer

from .conftest import WAIT, Recorder

MakeClient = Callable[..., SSEClient]


def dribble(conn: SSEConn, data: bytes, pause: float) -> None:
    """Send ``data`` one byte per ``pause`` seconds until the client hangs up."""
    for byte in data:
        if conn.server.stopping.is_set():
            return
        conn.raw(bytes([byte]))  # OSError once the client is gone ends the handler
        time.sleep(pause)


# -- an event past max_event_size: skipped once, the stream goes on -----------------------

HUGE_LINE = b"id: 2\ndata: " + b"x" * 500 + b"\n\n"
HUGE_LINES = b"id: 2\nevent: big\n" + b"data: 0123456789\n" * 30 + b"\n"


@pytest.mark.parametrize("huge", [HUGE_LINE, HUGE_LINES], ids=["one-line", "many-lines"])
def test_oversized_event_skipped_once_and_the_stream_goes_on(
    server: tuple[SSEServer, dict[str, Any]],
    make_client: MakeClient,
    recorder: Recorder,
    huge: bytes,
) -> None:
    sse, options = server

    def handler(conn: SSEConn) -> None:
        conn.start()
        conn.send(b"id: 1\ndata: small\n\n" + huge + b"id: 3\ndata: after\n\n")
        conn.stall()

    sse.handler = handler
    client = make_client(sse.url, max_event_size=100, **options)
    client.start()
    messages = recorder.wait("message", 2)
    assert [(m.data, m.id) for m in messages] == [("small", "1"), ("after", "3")]
    (error,) = recorder.wait("error")  # reported once the read's events are dispatched
    assert isinstance(error, ProtocolError)
    assert "max_event_size (100" in str(error)
    assert len(sse.requests) == 1, "an oversized event must not cost a reconnect"
    assert client.ready_state is ReadyState.OPEN


@pytest.mark.parametrize("huge", [HUGE_LINE, HUGE_LINES], ids=["one-line", "many-lines"])
def test_oversized_event_never_fetched_again_by_a_resuming_server(
    server: tuple[SSEServer, dict[str, Any]],
    make_client: MakeClient,
    recorder: Recorder,
    huge: bytes,
) -> None:
    """A server honouring Last-Event-ID that ends the stream after the oversized event:
    the ID moves past it, so the next request asks for what follows (no livelock)."""
    sse, options = server

    def handler(conn: SSEConn) -> None:
        conn.start()
        if conn.request.headers.get("last-event-id") == "2":
            conn.send(b"id: 3\ndata: after\n\n")
            conn.stall()
            return
        conn.send(b"id: 1\ndata: small\n\n" + huge)
        conn.end()

    sse.handler = handler
    make_client(sse.url, max_event_size=100, **options).start()
    messages = recorder.wait("message", 2)
    assert [m.data for m in messages] == ["small", "after"]
    requests = sse.wait_requests(2)
    assert [r.headers.get("last-event-id") for r in requests] == [None, "2"]
    assert len(recorder.wait("error")) == 1


def test_endless_line_discarded_with_bounded_memory(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient, recorder: Recorder
) -> None:
    """A line that never ends is discarded as it comes (the parser keeps nothing of it);
    the stream resynchronises at the blank line after it."""
    sse, options = server
    sent = []

    def handler(conn: SSEConn) -> None:
        conn.start()
        conn.send(b"data: " + b"x" * 50)
        for _ in range(64):
            conn.send(b"x" * 16384)
        sent.append(1)
        conn.send(b"\nid: 9\n\ndata: after\n\n")
        conn.stall()

    sse.handler = handler
    client = make_client(sse.url, max_event_size=1000, **options)
    client.start()
    assert recorder.wait("message")[0].data == "after"
    assert sent
    assert len(recorder.wait("error")) == 1
    assert client.last_event_id == "9"
    assert len(sse.requests) == 1


def test_a_gzip_bomb_is_inflated_a_read_at_a_time(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient, recorder: Recorder
) -> None:
    """64 KiB of gzip that inflates to 64 MiB, in one chunk: each read inflates only what
    it asks for (urllib3 2.6 and later; 2.2 inflated a whole read at once, 64 MiB here),
    so the client holds a read's worth, not the bomb's size."""
    sse, options = server
    packer = zlib.compressobj(9, wbits=31)
    bomb = packer.compress(b"data: ")
    for _ in range(64):
        bomb += packer.compress(b"x" * (1 << 20))
    bomb += packer.compress(b"\n\ndata: after\n\n") + packer.flush(zlib.Z_SYNC_FLUSH)

    def handler(conn: SSEConn) -> None:
        conn.start(headers={"Content-Encoding": "gzip"})
        conn.send(bomb)
        conn.stall()

    sse.handler = handler
    client = make_client(sse.url, max_event_size=1 << 20, **options)
    tracemalloc.start()
    try:
        client.start()
        assert recorder.wait("message")[0].data == "after"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(bomb) < 128 << 10
    assert peak < 16 << 20, f"{peak / (1 << 20):.0f} MiB held at once"
    assert len(recorder.wait("error")) == 1  # the 64 MiB line, skipped


# -- a retry: field of any length ----------------------------------------------------------


def test_retry_field_of_100k_digits(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient, recorder: Recorder
) -> None:
    sse, options = server

    def handler(conn: SSEConn) -> None:
        conn.start()
        conn.send(b"retry: " + b"9" * 100_000 + b"\n\ndata: ok\n\n")
        conn.stall()

    sse.handler = handler
    client = make_client(sse.url, **options)
    client.start()
    assert recorder.wait("message")[0].data == "ok"
    assert recorder.errors == []
    assert client.ready_state is ReadyState.OPEN


# -- chunk sizes with many leading zeros (RFC 9112 allows them) ---------------------------


def test_chunk_sizes_with_leading_zeros(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient, recorder: Recorder
) -> None:
    sse, options = server

    def handler(conn: SSEConn) -> None:
        conn.start()
        event = b"data: hello\n\n"
        conn.raw(b"%024x\r\n%s\r\n" % (len(event), event))
        conn.stall()

    sse.handler = handler
    make_client(sse.url, **options).start()
    assert recorder.wait("message")[0].data == "hello"
    assert recorder.errors == []


# -- connect_timeout is one deadline for the attempt; an error body is bounded --------------


def test_dribbled_response_head_cut_at_connect_timeout(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient, recorder: Recorder
) -> None:
    """One byte per 0.1 s keeps every read well inside connect_timeout, yet the head
    (about 25 s of it) must not hold the attempt past the deadline."""
    sse, options = server
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nX-Pad: " + b"a" * 200
    sse.handler = lambda conn: dribble(conn, head, 0.1)
    client = make_client(sse.url, connect_timeout=0.5, reconnect=False, **options)
    client.start()
    (error,) = recorder.wait("error", timeout=WAIT)
    assert isinstance(error, ConnectError)
    assert str(error).startswith("timed out after 0.5 s connecting to ")
    assert error.advice == "; if the server is only slow, raise connect_timeout (0.5 s)"
    assert error.remedy == Remedy("longer-timeout")
    assert ended(client)


def test_trickled_error_body_cut_short(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient, recorder: Recorder
) -> None:
    """A 503 whose body comes one byte per 0.05 s (less than the pause that ends a
    body): the status is reported within a bounded time, with what arrived of it."""
    sse, options = server

    def handler(conn: SSEConn) -> None:
        conn.raw(b"HTTP/1.1 503 Busy\r\nContent-Length: 100000\r\n\r\n")
        dribble(conn, b"e" * 100_000, 0.05)

    sse.handler = handler
    client = make_client(sse.url, reconnect=False, **options)
    client.start()
    (error,) = recorder.wait("error", timeout=WAIT)
    assert isinstance(error, HandshakeError)
    assert error.status == 503
    assert 0 < len(error.body) < 100
    assert set(error.body) == {ord("e")}
    assert ended(client)


def test_large_error_body_capped(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient, recorder: Recorder
) -> None:
    sse, options = server
    sse.handler = lambda conn: conn.respond(500, body=b"e" * (1 << 20))
    make_client(sse.url, reconnect=False, **options).start()
    (error,) = recorder.wait("error")
    assert isinstance(error, HandshakeError)
    assert error.body == b"e" * ERROR_BODY_LIMIT
    assert ERROR_BODY_LIMIT <= 8 * 1024


def test_error_body_that_decodes_to_nothing_cut_by_the_deadline(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient, recorder: Recorder
) -> None:
    """A gzip body of empty deflate blocks, trickled in: every read brings bytes but the
    decoder yields nothing, so no socket timeout fires; the watchdog still ends it."""
    sse, options = server
    gzip_header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    empty_block = b"\x00\x00\x00\xff\xff"

    def handler(conn: SSEConn) -> None:
        conn.raw(b"HTTP/1.1 503 Busy\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n")
        conn.raw(gzip_header)
        while not conn.server.stopping.is_set():
            conn.raw(empty_block)
            time.sleep(0.02)

    sse.handler = handler
    client = make_client(sse.url, reconnect=False, **options)
    client.start()
    (error,) = recorder.wait("error", timeout=WAIT)
    assert isinstance(error, HandshakeError)
    assert (error.status, error.body) == (503, b"")
    assert ended(client)
