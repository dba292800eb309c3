"""Receiving: callbacks, on()/off(), event_key routing, message sizes, limits."""

from __future__ import annotations

import json
import threading

import pytest
from websockets.exceptions import ConnectionClosed as ServerConnectionClosed
from websockets.sync.server import ServerConnection

from pushsdk import CallbackError, Message, ProtocolError, WSClient
from tests.ending import ended
from tests.servers.raw_ws import RawWSServer, frame
from tests.servers.ws_server import WSServer
from tests.ws.recorder import WAIT, Recorder

MIB = 1024 * 1024


def script(server: WSServer, *messages: str | bytes, close: tuple[int, str] | None = None) -> None:
    """Make each connection send ``messages`` and then close (or wait)."""

    def handler(conn: ServerConnection) -> None:
        for message in messages:
            conn.send(message)
        if close is not None:
            conn.close(*close)
        else:
            for _ in conn:
                pass

    server.handler = handler


def test_callbacks_handlers_and_routing(ws_server: WSServer) -> None:
    ping = json.dumps({"type": "ping", "n": 1})
    other = json.dumps({"kind": "x"})
    script(ws_server, "plain", ping, b"\x00bin", other, "{not json", "[1]", close=(4000, "bye"))
    recorder = Recorder()
    client = recorder.attach(WSClient(ws_server.url, reconnect=False, event_key="type"))
    pings: list[Message] = []
    everything: list[tuple[str, str | bytes]] = []
    removed: list[Message] = []
    client.on("ping", lambda _c, m: pings.append(m))

    @client.on("*")
    def catch_all(_client: WSClient, message: Message) -> None:
        everything.append((message.event, message.data))

    def never(_client: WSClient, message: Message) -> None:
        removed.append(message)

    assert client.on("message", never) is never
    client.off("message", never)
    with client:
        assert recorder.wait_count("close")
    assert recorder.kinds() == ["open"] + ["message"] * 5 + ["close"]
    assert recorder.messages() == ["plain", b"\x00bin", other, "{not json", "[1]"]
    assert recorder.of("close") == [("close", 4000, "bye")]
    assert [m.data for m in pings] == [ping]
    assert pings[0].event == "ping" and pings[0].json() == {"type": "ping", "n": 1}
    assert pings[0].id is None and pings[0].origin == ws_server.url and pings[0].received_at > 0
    assert [e for e, _ in everything] == [
        "message",
        "ping",
        "message",
        "message",
        "message",
        "message",
    ]
    assert removed == []


def test_event_key_routing_survives_hostile_json(raw_ws_server: RawWSServer) -> None:
    """JSON nested too deep for the parser (RecursionError, not a ValueError), numbers
    too long to turn into str: such a message is a plain "message", the connection
    stays up."""
    nested = '{"type": ' + "[" * 100_000 + "]" * 100_000 + "}"
    huge = '{"type": ' + "9" * 5000 + "}"
    recorder = Recorder()
    client = recorder.attach(WSClient(raw_ws_server.url, reconnect=False, event_key="type"))
    with client:
        conn = raw_ws_server.accept()
        for text in (nested, huge, '{"type": "tick"}'):
            conn.send(frame(0x1, text.encode()))
        assert recorder.wait_count("message", 2)
        conn.send(frame(0x8, (1000).to_bytes(2, "big")))
        assert recorder.wait_count("close")
    assert recorder.kinds() == ["open", "message", "message", "close"]
    assert recorder.messages() == [nested, huge]
    assert client.last_error is None


def test_raising_callback_is_reported_and_receiving_goes_on(ws_server: WSServer) -> None:
    script(ws_server, "one", "two", close=(1000, ""))
    recorder = Recorder()
    client = recorder.attach(WSClient(ws_server.url, reconnect=False))
    seen: list[str | bytes] = []

    def on_message(_client: WSClient, message: Message) -> None:
        seen.append(message.data)
        if message.data == "one":
            raise RuntimeError("boom")

    client.on_message = on_message
    with client:
        assert recorder.wait_count("close")
    assert seen == ["one", "two"]
    (error,) = recorder.errors()
    assert isinstance(error, CallbackError)
    assert isinstance(error.__cause__, RuntimeError)


@pytest.mark.parametrize("size", [0, 125, 126, 65536, 16 * MIB])
@pytest.mark.parametrize("kind", [str, bytes])
def test_message_sizes(ws_server: WSServer, size: int, kind: type) -> None:
    payload = (
        "é" * (size // 2) + "x" * (size % 2)
        if kind is str
        else bytes(range(256)) * (size // 256) + b"\x07" * (size % 256)
    )
    script(ws_server, payload, close=(1000, ""))
    recorder = Recorder()
    client = recorder.attach(WSClient(ws_server.url, reconnect=False))
    with client:
        assert recorder.wait_count("close", timeout=30)
    (received,) = recorder.messages()
    assert type(received) is kind and received == payload
    assert client.stats.bytes_in == (len(payload.encode()) if kind is str else len(payload))
    assert client.stats.messages_in == 1


def test_max_message_size_exceeded_closes_1009(ws_server: WSServer) -> None:
    codes: list[int | None] = []
    recorded = threading.Event()

    def handler(conn: ServerConnection) -> None:
        conn.send("small")
        conn.send("x" * 1001)
        try:
            conn.recv()
        except ServerConnectionClosed as exc:
            codes.append(exc.rcvd.code if exc.rcvd else None)
        recorded.set()

    ws_server.handler = handler
    recorder = Recorder()
    client = recorder.attach(WSClient(ws_server.url, reconnect=False, max_message_size=1000))
    with client:
        assert recorder.wait_count("close")
    assert recorder.messages() == ["small"]
    (error,) = recorder.errors()
    assert isinstance(error, ProtocolError) and error.close_code == 1009
    assert recorder.of("close")[0][1] == 1009
    assert ws_server.wait_connections(1)
    assert recorded.wait(WAIT), "the server never saw the close"
    assert codes == [1009]


def test_client_close_gets_the_server_reply(ws_server: WSServer) -> None:
    recorder = Recorder()
    client = recorder.attach(WSClient(ws_server.url, reconnect=False))
    client.start()
    assert client.wait_open(WAIT)
    client.close(4001, "done")
    assert recorder.of("close") == [("close", 4001, "done")]  # websockets echoes our code
    assert not recorder.errors()


def test_many_small_fragments_assemble_in_linear_time(raw_ws_server: RawWSServer) -> None:
    """4 MiB in 64-byte fragments (websocket-client needs about 10 s for this)."""
    done = threading.Event()
    received: list[str | bytes] = []

    def on_message(_client: WSClient, message: Message) -> None:
        received.append(message.data)
        done.set()

    client = WSClient(raw_ws_server.url, reconnect=False, ping_interval=None, on_message=on_message)
    client.start()
    try:
        conn = raw_ws_server.accept()
        chunk = b"0123456789abcdef" * 4
        count = 4 * MIB // len(chunk)
        frames = [frame(0x1, chunk, fin=False)]
        frames += [frame(0x0, chunk, fin=False)] * (count - 2)
        frames.append(frame(0x0, chunk))
        conn.send(b"".join(frames))
        assert done.wait(10.0)
        assert received == [chunk.decode() * count]
        conn.send(frame(0x8, b"\x03\xe8"))  # server close: the client answers and ends
        assert ended(client)
    finally:
        client.close()
