"""Sending: thread safety, the offline buffer and its limits."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time

import pytest

from pushsdk import Backoff, ConnectionClosed, ReadyState, SendBufferFull, WSClient
from tests.ending import thread_stacks
from tests.servers.raw_ws import RawConnection, RawWSServer
from tests.servers.ws_server import WSServer
from tests.ws.recorder import WAIT, Recorder


def wait_received(server: WSServer, count: int, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while len(server.received) < count and time.monotonic() < deadline:
        time.sleep(0.005)
    return len(server.received) >= count


def test_eight_threads_send_whole_uninterleaved_messages(ws_server: WSServer) -> None:
    client = WSClient(ws_server.url, reconnect=False, on_message=lambda _c, _m: None)
    threads_count, per_thread = 8, 1000
    with client:
        assert client.wait_open(WAIT)

        def sender(number: int) -> None:
            for index in range(per_thread):
                if number % 2:
                    client.send_json({"thread": number, "index": index, "pad": "x" * 100})
                else:
                    client.send(f"{number}:{index}:" + "y" * 200)

        threads = [threading.Thread(target=sender, args=(n,)) for n in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert wait_received(ws_server, threads_count * per_thread)
    order: dict[int, list[int]] = {n: [] for n in range(threads_count)}
    for message in ws_server.received:
        assert isinstance(message, str)
        if message.startswith("{"):
            body = json.loads(message)
            assert body["pad"] == "x" * 100
            order[body["thread"]].append(body["index"])
        else:
            number, index, pad = message.split(":")
            assert pad == "y" * 200
            order[int(number)].append(int(index))
    assert all(indexes == list(range(per_thread)) for indexes in order.values())
    stats = client.stats
    assert stats.messages_out == threads_count * per_thread
    assert stats.bytes_out == sum(len(m.encode()) for m in ws_server.received)


def test_sends_before_open_are_flushed_in_order(ws_server: WSServer) -> None:
    client = WSClient(ws_server.url, reconnect=False)
    for index in range(5):
        client.send(f"early {index}")
    client.send(b"\x01binary")
    with client:
        assert client.wait_open(WAIT)
        client.send("after open")
        assert wait_received(ws_server, 7)
    assert ws_server.received == [f"early {i}" for i in range(5)] + [b"\x01binary", "after open"]


def test_sends_while_reconnecting_are_flushed_on_the_next_open(ws_server: WSServer) -> None:
    recorder = Recorder()
    client = recorder.attach(WSClient(ws_server.url, reconnect=Backoff(initial=0.5, jitter=0.0)))
    with client:
        assert recorder.wait_count("open")
        client.send("first")
        assert wait_received(ws_server, 1)
        ws_server.drop()
        assert recorder.wait_count("reconnect")
        for index in range(3):
            client.send(f"queued {index}")
        assert recorder.wait_count("open", 2)
        client.send("last")
        assert wait_received(ws_server, 5)
    assert ws_server.received == ["first", "queued 0", "queued 1", "queued 2", "last"]


def test_send_buffer_full_and_closed() -> None:
    client = WSClient("ws://127.0.0.1:9/", send_buffer=2)
    client.send("a")
    client.send(b"b")
    with pytest.raises(SendBufferFull):
        client.send("c")
    client.close()
    with pytest.raises(ConnectionClosed):
        client.send("d")


def test_send_buffer_zero_refuses_offline_sends() -> None:
    client = WSClient("ws://127.0.0.1:9/", send_buffer=0)
    with pytest.raises(SendBufferFull):
        client.send("a")


def test_send_after_close_raises(ws_server: WSServer) -> None:
    client = WSClient(ws_server.url, reconnect=False)
    client.start()
    assert client.wait_open(WAIT)
    client.close()
    with pytest.raises(ConnectionClosed):
        client.send("late")
    with pytest.raises(ConnectionClosed):
        client.send_json({"late": True})


@pytest.mark.parametrize("data", [1, None, 1.5, ["x"], {"a": 1}])
def test_send_rejects_other_types(data: object) -> None:
    client = WSClient("ws://127.0.0.1:9/")
    with pytest.raises(TypeError, match="data"):
        client.send(data)  # type: ignore[arg-type]


def test_close_does_not_hang_behind_a_stuck_send(raw_ws_server: RawWSServer) -> None:
    """The server stops reading: a send blocks in the kernel, close() still returns."""
    client = WSClient(raw_ws_server.url, ping_interval=None)
    client.start()
    raw_ws_server.accept()  # never reads what the client sends
    assert client.wait_open(WAIT)
    outcome: list[BaseException] = []

    def flood() -> None:
        try:
            while True:
                client.send(b"\0" * 1024 * 1024)
        except ConnectionClosed as exc:
            outcome.append(exc)

    sender = threading.Thread(target=flood)
    sender.start()
    time.sleep(0.2)  # long enough to fill the socket buffers
    started = time.monotonic()
    client.close(timeout=1.0)
    assert time.monotonic() - started < 4.0
    sender.join(WAIT)
    assert not sender.is_alive(), thread_stacks()
    assert isinstance(outcome[0], ConnectionClosed)
    assert client.ready_state is ReadyState.CLOSED


#: More than the kernel buffers of a loopback connection hold (about 4 MiB here): a
#: send of it blocks until the server reads, which it never does on the first connection.
BIG = bytes(range(256)) * (16 * 1024 * 1024 // 256)


def reset_once_sending(conn: RawConnection) -> threading.Thread:
    """Reset (RST) the connection as soon as the client's big frame starts arriving."""

    def run() -> None:
        while (head := conn.read(2)) != b"\x82\xff":  # BIG's header (binary, 64-bit length)
            conn.read(4 + (head[1] & 0x7F))  # a small frame sent before BIG: skip it whole
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.sock.close()

    thread = threading.Thread(target=run, name="test-reset")
    thread.start()
    return thread


def data_frames_until_close(
    client: WSClient, conn: RawConnection, count: int
) -> list[tuple[int, bytes]]:
    """The client's data frames on ``conn``: ``count`` of them, then any more that come
    before its close frame (``client.close()`` is called once ``count`` have arrived)."""
    frames = []
    closer = threading.Thread(target=client.close, name="test-close")
    while True:
        if len(frames) == count and closer.ident is None:
            closer.start()
        fin, opcode, payload = conn.recv_frame(WAIT)
        if opcode == 0x8:
            conn.send(b"\x88\x02\x03\xe8")  # answer: close 1000
            closer.join(WAIT)
            return frames
        assert fin and opcode in (0x1, 0x2)
        frames.append((opcode, payload))


def test_failed_flush_goes_back_to_the_front_of_the_buffer(raw_ws_server: RawWSServer) -> None:
    """Queued [BIG, a, b]: the flush of BIG breaks, then all three arrive once, in order."""
    client = WSClient(
        raw_ws_server.url, ping_interval=None, reconnect=Backoff(initial=0.0, jitter=0.0)
    )
    for message in (BIG, "a", b"b"):
        client.send(message)
    client.start()
    try:
        resetter = reset_once_sending(raw_ws_server.accept())
        second = raw_ws_server.accept()
        resetter.join(WAIT)
        assert data_frames_until_close(client, second, 3) == [(0x2, BIG), (0x1, b"a"), (0x2, b"b")]
    finally:
        client.close()


def test_failed_send_is_sent_once_after_reconnect(raw_ws_server: RawWSServer) -> None:
    """A send() whose write breaks returns; the message goes first on the next connection."""
    client = WSClient(
        raw_ws_server.url, ping_interval=None, reconnect=Backoff(initial=0.0, jitter=0.0)
    )
    client.start()
    try:
        first = raw_ws_server.accept()
        assert client.wait_open(WAIT)
        resetter = reset_once_sending(first)
        client.send("before")
        client.send(BIG)  # blocks until the reset, then is kept for the next connection
        resetter.join(WAIT)
        # The next connection may already be flushing BIG (holding the send lock until
        # we read it): send "after" from another thread.
        after = threading.Thread(target=client.send, args=("after",), name="test-send")
        after.start()
        second = raw_ws_server.accept()
        assert data_frames_until_close(client, second, 2) == [(0x2, BIG), (0x1, b"after")]
        after.join(WAIT)
    finally:
        client.close()


def test_a_send_to_a_server_that_stopped_reading_gives_up_then_goes_first(
    raw_ws_server: RawWSServer,
) -> None:
    """Issue 10 item 8: send() does not hang on a server that reads nothing: after
    ping_timeout without progress the connection is cut, send() returns, and the message
    is the first one sent on the next connection."""
    client = WSClient(
        raw_ws_server.url,
        ping_interval=None,
        ping_timeout=0.5,
        reconnect=Backoff(initial=0.0, jitter=0.0),
    )
    client.start()
    try:
        raw_ws_server.accept()  # never reads
        assert client.wait_open(WAIT)
        sender = threading.Thread(target=client.send, args=(BIG,), name="test-send")
        sender.start()
        second = raw_ws_server.accept(timeout=15.0)
        sender.join(WAIT)
        assert not sender.is_alive(), "send() still blocked on the dead connection"
        assert "stopped reading" in str(client.last_error)
        assert data_frames_until_close(client, second, 1) == [(0x2, BIG)]
    finally:
        client.close()


def test_a_flush_may_outlast_open_timeout(raw_ws_server: RawWSServer) -> None:
    """The handshake's deadline does not cut the flush of a big buffer (no reconnect)."""
    client = WSClient(raw_ws_server.url, ping_interval=None, open_timeout=0.3)
    client.send(BIG)
    client.start()
    try:
        conn = raw_ws_server.accept()
        time.sleep(0.6)  # the server reads late: the flush blocks past open_timeout
        assert data_frames_until_close(client, conn, 1) == [(0x2, BIG)]
        assert raw_ws_server.handshakes == 1
    finally:
        client.close()
