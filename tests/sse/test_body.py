"""Reading the body (``_sse/body.py``): the bytes that came with the response head
through http.client's buffered file, then the socket itself; over TCP and TLS."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import pytest

from pushsdk import Message, SSEClient
from tests.servers.sse_server import SSEConn, SSEServer

from .conftest import WAIT, Recorder

MakeClient = Callable[..., SSEClient]
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _events(start: int, stop: int) -> list[bytes]:
    return [b"id: %d\ndata: %d %s\n\n" % (i, i, b"x" * 100) for i in range(start, stop)]


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "plain"])
def test_body_sent_with_the_head_then_event_by_event(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient, chunked: bool
) -> None:
    """20 KiB of events in the head's write (more than http.client's 8 KiB buffer holds),
    then single events a read each: every one arrives once, in order."""
    sse, options = server
    first, later = _events(0, 160), _events(160, 170)
    frame = _chunk if chunked else bytes
    seen: list[Message] = []
    got_first = threading.Event()
    done = threading.Event()

    def handler(conn: SSEConn) -> None:
        framing = b"Transfer-Encoding: chunked" if chunked else b"Connection: close"
        conn.raw(HEAD + framing + b"\r\n\r\n" + b"".join(map(frame, first)))
        got_first.wait(WAIT)
        for event in later:
            conn.raw(frame(event))
            time.sleep(0.002)
        conn.stall()

    def on_message(client: SSEClient, message: Message) -> None:
        seen.append(message)
        if len(seen) == len(first):
            got_first.set()
        if len(seen) == len(first) + len(later):
            done.set()

    sse.handler = handler
    client = make_client(sse.url, **options)
    client.on("*", on_message)
    client.start()
    assert done.wait(WAIT)
    assert [m.id for m in seen] == [str(i) for i in range(170)]
    assert all(m.data == f"{m.id} {'x' * 100}" for m in seen)
    assert client.last_event_id == "169"


def test_chunk_framing_and_utf8_split_across_writes(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient, recorder: Recorder
) -> None:
    """Chunk-size lines, CRLFs and a character cut across writes (and chunks)."""
    sse, options = server
    body = _chunk(b"data: caf\xc3") + _chunk(b"\xa9 \xe2\x82") + _chunk(b"\xac\n\n")
    body += _chunk(b"id: 2\ndata: ok\n\n")

    def handler(conn: SSEConn) -> None:
        conn.start()
        cuts = [0, 1, 2, 3, 11, 12, 17, 18, 25, 26, 27, len(body)]
        for start, stop in pairwise(cuts):
            conn.raw(body[start:stop])
            time.sleep(0.002)
        conn.stall()

    sse.handler = handler
    make_client(sse.url, **options).start()
    messages = recorder.wait("message", 2)
    assert [(m.data, m.id) for m in messages] == [("café €", ""), ("ok", "2")]
    assert recorder.errors == []


def test_sized_body(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient, recorder: Recorder
) -> None:
    """A Content-Length body is read to its length, then the stream ends."""
    sse, options = server
    body = b"".join(_events(0, 100))

    def handler(conn: SSEConn) -> None:
        conn.raw(HEAD + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        conn.stall()

    sse.handler = handler
    make_client(sse.url, reconnect=False, **options).start()
    assert [m.id for m in recorder.wait("message", 100)] == [str(i) for i in range(100)]
    assert recorder.wait("close") == [(None, "end of stream")]


def test_close_while_reading_the_socket(
    server: tuple[SSEServer, dict[str, Any]], make_client: MakeClient, recorder: Recorder
) -> None:
    """close() wakes a read blocked on the socket itself (after the first read) at once."""
    sse, options = server
    got_a = threading.Event()

    def handler(conn: SSEConn) -> None:
        conn.start()
        conn.event("a")
        got_a.wait(WAIT)
        conn.event("b")  # read from the socket: the first read is behind the client
        conn.stall()

    sse.handler = handler
    client = make_client(sse.url, **options)
    client.on("*", lambda c, m: got_a.set())
    client.start()
    recorder.wait("message", 2)
    started = time.monotonic()
    client.close()
    assert time.monotonic() - started < 1.0
    assert recorder.of("close") == [(None, "")]
