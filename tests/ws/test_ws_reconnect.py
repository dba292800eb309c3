"""Reconnecting: after drops, server closes, dead peers and refused handshakes."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from websockets.sync.server import ServerConnection

from pushsdk import Backoff, ConnectError, ConnectionClosed, HandshakeError, ReadyState, WSClient
from tests.ending import ended
from tests.servers.raw_ws import RawConnection, RawWSServer, frame
from tests.servers.ws_server import WSServer
from tests.ws.recorder import WAIT, Recorder

FAST = Backoff(initial=0.05, maximum=1.0, multiplier=2.0, jitter=0.0, reset_after=0.0)


def test_reconnects_after_tcp_drop(ws_server: WSServer) -> None:
    recorder = Recorder()
    with recorder.attach(WSClient(ws_server.url, reconnect=FAST)):
        assert recorder.wait_count("open")
        ws_server.drop()
        assert recorder.wait_count("open", 2)
    kinds = recorder.kinds()
    assert kinds[:5] == ["open", "error", "close", "reconnect", "open"]
    assert isinstance(recorder.errors()[0], ConnectionClosed)
    assert recorder.of("close")[0][1] == 1006
    assert recorder.of("reconnect")[0][1:] == (1, 0.05)


def test_reconnects_after_server_close_without_error(ws_server: WSServer) -> None:
    first = True

    def handler(conn: ServerConnection) -> None:
        nonlocal first
        if first:
            first = False
            conn.close(1012, "restart")
        else:
            for _ in conn:
                pass

    ws_server.handler = handler
    recorder = Recorder()
    client = recorder.attach(WSClient(ws_server.url, reconnect=FAST))
    with client:
        assert recorder.wait_count("open", 2)
        assert client.stats.reconnects == 1
    assert recorder.kinds()[:4] == ["open", "close", "reconnect", "open"]
    assert recorder.of("close")[0][1:] == (1012, "restart")


def test_reconnects_after_unanswered_ping(raw_ws_server: RawWSServer) -> None:
    recorder = Recorder()
    client = WSClient(raw_ws_server.url, reconnect=FAST, ping_interval=0.1, ping_timeout=0.2)
    with recorder.attach(client):
        conn = raw_ws_server.accept()
        _, opcode, _ = conn.recv_frame(WAIT)  # the client pings after 0.1 s of silence
        assert opcode == 0x9
        raw_ws_server.accept()  # no pong: the client gives up and reconnects
        assert recorder.wait_count("open", 2)
    error = recorder.errors()[0]
    assert isinstance(error, ConnectionClosed) and "ping_timeout" in str(error)


#: How soon a dead peer must be given up: ping_timeout (0.5 s) plus a loaded machine's slack.
DEAD_PEER_BOUND = 15.0


def flood_pings(conn: RawConnection) -> None:
    """Send pings until the connection fails; never read."""
    # No timeout of our own: over TLS the client reads slowly while its pongs block, and
    # a flood that gave up first would leave it nothing to detect. Stopping the server
    # (or the client's cut) ends the flood.
    conn.sock.settimeout(None)
    pings = frame(0x9, b"p" * 125) * 64
    try:
        while True:
            conn.send(pings)
    except OSError:
        return


def test_a_server_flooding_pings_without_reading_is_taken_for_dead(
    raw_ws_server: RawWSServer,
) -> None:
    """Issue 10 item 8: the pongs fill the buffers of a server that never reads; the pong
    write that then blocks fails after ping_timeout instead of holding the client thread
    (and the connection, OPEN) forever."""
    # A small receive buffer, so that the pongs fill it fast: set before the connection
    # exists, as shrinking it after makes the kernel drop segments the window allowed,
    # ACKs with them, and the flood then crawls at the pace of retransmission timeouts.
    raw_ws_server.receive_buffer = 4096
    recorder = Recorder()
    client = WSClient(raw_ws_server.url, reconnect=FAST, ping_timeout=0.5)
    with recorder.attach(client):
        conn = raw_ws_server.accept()
        assert recorder.wait_count("open")
        flood = threading.Thread(target=flood_pings, args=(conn,), name="test-flood")
        started = time.monotonic()
        flood.start()
        raw_ws_server.accept(timeout=DEAD_PEER_BOUND)  # given up: this is the reconnect
        detected = time.monotonic() - started
        flood.join(WAIT)
        assert not flood.is_alive()
    error = recorder.errors()[0]
    assert isinstance(error, ConnectionClosed) and "stopped reading" in str(error)
    assert recorder.kinds()[:4] == ["open", "error", "close", "reconnect"]
    print(f"\nping flood over {raw_ws_server.scheme}: dead peer detected in {detected:.2f} s")


def test_answered_pings_keep_the_connection(raw_ws_server: RawWSServer) -> None:
    recorder = Recorder()
    client = WSClient(raw_ws_server.url, reconnect=FAST, ping_interval=0.05, ping_timeout=0.2)
    with recorder.attach(client):
        conn = raw_ws_server.accept()
        for _ in range(5):
            _, opcode, payload = conn.recv_frame(WAIT)
            assert opcode == 0x9
            conn.send(bytes([0x8A, len(payload)]) + payload)
        assert recorder.kinds() == ["open"]
    assert raw_ws_server.handshakes == 1


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured(ws_server: WSServer, status: int) -> None:
    ws_server.rejections = [(status, {"Retry-After": "1"}, b"busy")]
    recorder = Recorder()
    with recorder.attach(WSClient(ws_server.url, reconnect=FAST)):
        assert recorder.wait_count("open")
    assert recorder.kinds()[:3] == ["error", "reconnect", "open"]
    error = recorder.errors()[0]
    assert isinstance(error, HandshakeError) and error.status == status and error.body == b"busy"
    assert recorder.of("reconnect")[0][1:] == (1, 1.0)


def test_backoff_grows_and_resets_after_a_good_connection(ws_server: WSServer) -> None:
    ws_server.rejections = [(500, {}, b"")] * 3
    recorder = Recorder()
    with recorder.attach(WSClient(ws_server.url, reconnect=FAST)):
        assert recorder.wait_count("open")
        ws_server.drop()
        assert recorder.wait_count("open", 2)
    reconnects = [event[1:] for event in recorder.of("reconnect")]
    assert reconnects == [(1, 0.05), (2, 0.1), (3, 0.2), (1, 0.05)]


def test_jitter_varies_the_delay(ws_server: WSServer) -> None:
    ws_server.rejections = [(502, {}, b"")] * 4
    backoff = Backoff(initial=0.04, maximum=1.0, multiplier=2.0, jitter=0.5)
    recorder = Recorder()
    with recorder.attach(WSClient(ws_server.url, reconnect=backoff)):
        assert recorder.wait_count("open")
    delays = [event[2] for event in recorder.of("reconnect")]
    assert len(delays) == 4
    for attempt, delay in enumerate(delays):
        base = 0.04 * 2**attempt
        assert base * 0.5 <= delay <= base * 1.5
    assert delays != [0.04, 0.08, 0.16, 0.32]


def test_max_attempts_ends_the_client() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # nothing listens here
    recorder = Recorder()
    client = recorder.attach(
        WSClient(f"ws://127.0.0.1:{port}/", reconnect=Backoff(initial=0.01, max_attempts=2))
    )
    client.start()
    assert ended(client)
    assert recorder.kinds() == ["error", "reconnect", "error", "reconnect", "error", "close"]
    assert all(isinstance(error, ConnectError) for error in recorder.errors())
    assert recorder.of("close") == [("close", 1006, "")]
    assert client.ready_state is ReadyState.CLOSED


def test_4xx_handshake_is_final(ws_server: WSServer) -> None:
    ws_server.rejections = [(403, {"X-Why": "forbidden here"}, b"go away")]
    recorder = Recorder()
    client = recorder.attach(WSClient(ws_server.url, reconnect=FAST))
    client.start()
    assert ended(client)
    assert recorder.kinds() == ["error", "close"]
    (error,) = recorder.errors()
    assert isinstance(error, HandshakeError)
    assert error.status == 403 and error.body == b"go away"
    assert error.headers["x-why"] == "forbidden here"
    assert client.ready_state is ReadyState.CLOSED
    assert len(ws_server.request_headers) == 1


def test_close_interrupts_the_reconnect_wait(ws_server: WSServer) -> None:
    recorder = Recorder()
    client = recorder.attach(WSClient(ws_server.url, reconnect=Backoff(initial=30.0, jitter=0.0)))
    client.start()
    assert recorder.wait_count("open")
    ws_server.drop()
    assert recorder.wait_count("reconnect")
    started = time.monotonic()
    client.close()
    assert time.monotonic() - started < 1.0
    assert recorder.kinds()[-1] == "close"
    assert client.ready_state is ReadyState.CLOSED


def test_redirect_is_a_final_handshake_error(ws_server: WSServer) -> None:
    ws_server.rejections = [(301, {"Location": "ws://127.0.0.1:9/"}, b"")]
    recorder = Recorder()
    client = recorder.attach(WSClient(ws_server.url, reconnect=FAST))
    client.start()
    assert ended(client)
    (error,) = recorder.errors()
    assert isinstance(error, HandshakeError) and error.status == 301
