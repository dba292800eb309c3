"""Sending: thread safety, the offline buffer and its limits."""

from __future__ import annotations

import json
import threading
import time

import pytest

from pushsdk import Backoff, ConnectionClosed, ReadyState, SendBufferFull, WSClient
from tests.servers.raw_ws import RawWSServer
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
    assert not sender.is_alive()
    assert isinstance(outcome[0], ConnectionClosed)
    assert client.ready_state is ReadyState.CLOSED
