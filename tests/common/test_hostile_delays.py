"""Delays a hostile server sets (Retry-After, SSE retry:) neither crash, park nor hammer.

Plain and TLS, both client kinds (the ``peer`` fixture), plus the SSE ``retry:``
field through a raw SSE server.
"""

from __future__ import annotations

import time

import pytest

from pushsdk import Backoff, HandshakeError, ReadyState, SSEClient, WSClient
from pushsdk._retry import MIN_SERVER_DELAY
from tests.common.peers import Peer, Reject
from tests.common.recorder import Recorder, close_and_check
from tests.servers.raw_ws import RawWSServer
from tests.servers.sse_server import SSEConn, SSEServer

WAIT = 5.0
WINDOW = 1.5


def test_retry_after_zero_does_not_hammer(peer: Peer, rec: Recorder) -> None:
    peer.script(default=Reject(503, {"Retry-After": "0"}))
    client = rec.attach(peer.client(reconnect=Backoff(initial=0.01, maximum=30.0, jitter=0.0)))
    client.start()
    time.sleep(WINDOW)  # counting attempts over a window is the point of this test
    close_and_check(client, rec)
    # floor 0.1 s, then growth: 0.1 0.1 0.1 0.1 0.16 0.32 0.64 -> 8 attempts in 1.5 s
    assert 3 <= peer.attempts <= 10, peer.attempts
    delays = [delay for _attempt, delay in rec.of("reconnect")]
    assert all(d >= MIN_SERVER_DELAY for d in delays)


@pytest.mark.parametrize(
    "value", ["99999999999", "Fri, 31 Dec 9999 23:59:59 GMT", "\xb2", "9" * 5000]
)
def test_a_huge_or_odd_retry_after_is_capped_and_close_still_prompt(
    peer: Peer, rec: Recorder, value: str
) -> None:
    if peer.kind == "ws" and not value.isascii():  # see the raw server's test below
        pytest.skip("the websockets test server refuses to send a non-ASCII header")
    peer.script(default=Reject(503, {"Retry-After": value}))
    backoff = Backoff(initial=0.01, maximum=2.0, jitter=0.0)
    client = rec.attach(peer.client(reconnect=backoff, first_connect_timeout=None))
    client.start()
    assert rec.wait_count("reconnect")
    (attempt, delay) = rec.of("reconnect")[0]
    assert attempt == 1 and delay <= 2.0
    started = time.monotonic()
    close_and_check(client, rec)
    assert time.monotonic() - started < 1.0
    assert client.ready_state is ReadyState.CLOSED
    assert all(isinstance(e, HandshakeError) for e in rec.errors())  # no "internal error"


def test_a_non_ascii_retry_after_on_the_wire_is_ignored_by_ws(
    raw_ws_server: RawWSServer, rec: Recorder
) -> None:
    """The byte 0xB2 (superscript two, which str.isdigit() accepts) as Retry-After,
    sent raw: the websockets test server above refuses to send it."""
    raw_ws_server.response = b"HTTP/1.1 503 Busy\r\nRetry-After: \xb2\r\nContent-Length: 0\r\n\r\n"
    backoff = Backoff(initial=0.01, maximum=2.0, jitter=0.0)
    client = rec.attach(WSClient(raw_ws_server.url, reconnect=backoff, first_connect_timeout=None))
    client.start()
    assert rec.wait_count("reconnect", 2)
    assert [delay for _, delay in rec.of("reconnect")][:2] == [0.01, 0.02]  # backoff's own
    close_and_check(client, rec)
    assert all(isinstance(e, HandshakeError) and e.status == 503 for e in rec.errors())


@pytest.fixture(params=["http", "https"])
def any_sse_server(
    request: pytest.FixtureRequest, sse_server: SSEServer, sses_server: SSEServer
) -> SSEServer:
    return sse_server if request.param == "http" else sses_server


@pytest.mark.parametrize(
    ("field", "bound"),
    [
        (b"retry: 0", 10),  # the floor, then growth: not 1,000 connections in a second
        (b"retry: 100000000000000", 1),  # capped at maximum (2 s): one connection in 1.5 s
        (b"retry: " + b"9" * 5000, 1),  # more digits than int() takes
    ],
)
def test_sse_retry_field_is_clamped(
    any_sse_server: SSEServer, sse_ca: object, field: bytes, bound: int, tmp_path: object
) -> None:
    connections = []

    def handler(conn: SSEConn) -> None:
        connections.append(time.monotonic())
        conn.start()
        conn.send(field + b"\n\ndata: x\n\n")
        conn.end()

    any_sse_server.handler = handler
    errors: list[object] = []
    verify: bool | str = True
    if any_sse_server.url.startswith("https"):
        path = f"{tmp_path}/ca.pem"
        sse_ca.cert_pem.write_to_path(path)  # type: ignore[attr-defined]
        verify = path
    client = SSEClient(
        any_sse_server.url,
        verify=verify,
        reconnect=Backoff(initial=0.01, maximum=2.0, jitter=0.0),
        on_error=lambda _c, e: errors.append(e),
    )
    client.start()
    time.sleep(WINDOW)  # counting connections over a window is the point
    client.close()
    assert 1 <= len(connections) <= bound, len(connections)
    assert errors == []  # no crash, no "internal error"
