"""Bursts of sends: frames wait behind a full socket buffer, written by a short-lived thread.

What must hold whichever way a frame goes out (written at once, or behind): every
message whole, in order, once; memory bounded while the server reads slowly; a cut
requeues what did not go out and repeats nothing that did; close() delivers what
waits behind before its close frame; the writing thread ends with the burst.
Run over ws:// and wss:// (the raw server's fixture).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any

from pushsdk import Backoff, WSClient
from pushsdk._ws.writer import BEHIND_LIMIT
from tests.servers.raw_ws import RawConnection, RawWSServer, frame
from tests.ws.recorder import WAIT

WRITER_THREAD = "pushsdk-ws-writer"


def messages(count: int) -> list[str | bytes]:
    """Text and binary messages of many sizes (0 to 299 bytes), each naming its index."""
    return [
        f"{i}:" + "t" * (i % 300) if i % 3 else f"{i}:".encode() + bytes(i % 300)
        for i in range(count)
    ]


def receive(conn: RawConnection, count: int) -> list[str | bytes]:
    """``count`` data messages from the client, as it sent them."""
    received: list[str | bytes] = []
    while len(received) < count:
        fin, opcode, payload = conn.recv_frame(WAIT)
        assert fin and opcode in (0x1, 0x2), (fin, opcode)
        received.append(payload.decode() if opcode == 0x1 else payload)
    return received


def writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == WRITER_THREAD]


def wait_until(done: object, timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)
    return bool(done())  # type: ignore[operator]


def close(client: WSClient, conn: RawConnection) -> None:
    """Close the client, the server answering its close frame (frames before it skipped)."""
    closer = threading.Thread(target=client.close, name="test-close")
    closer.start()
    try:
        assert conn.recv_close_code() == 1000
        conn.send(b"\x88\x02\x03\xe8")
    finally:
        closer.join(WAIT)


def send_all(client: WSClient, burst: list[str | bytes], seen: list[str]) -> None:
    """Send the burst, noting every 100 messages whether a writer thread runs."""
    for index, message in enumerate(burst):
        client.send(message)
        if index % 100 == 0 and writer_threads():
            seen.append(WRITER_THREAD)


def start_sending(
    client: WSClient, burst: list[str | bytes], seen: list[str] | None = None
) -> threading.Thread:
    """Send the burst from a thread of its own (see ``send_all``)."""
    sender = threading.Thread(
        target=send_all, args=(client, burst, [] if seen is None else seen), name="test-send"
    )
    sender.start()
    return sender


@contextlib.contextmanager
def open_client(server: RawWSServer, **options: Any) -> Iterator[tuple[WSClient, RawConnection]]:
    """A started client, open on the server's next connection; closed at the end."""
    client = WSClient(server.url, **{"ping_interval": None, "reconnect": False, **options})
    client.start()
    try:
        conn = server.accept()
        assert client.wait_open(WAIT)
        yield client, conn
    finally:
        client.close()


def receive_until_eof(conn: RawConnection) -> list[str | bytes]:
    """The client's whole data messages until its side ends (a frame cut short dropped)."""
    received: list[str | bytes] = []
    with contextlib.suppress(EOFError, ssl.SSLError, ConnectionError):
        while True:
            _, opcode, payload = conn.recv_frame(WAIT)
            received.append(payload.decode() if opcode == 0x1 else payload)
    return received


def kilobyte_messages(count: int) -> list[str | bytes]:
    """``count`` binary messages of about 1 KB: a burst that outlasts the socket buffers."""
    return [f"{i}:".encode() + bytes(1000) for i in range(count)]


def test_a_burst_arrives_whole_in_order_and_its_writer_thread_ends(
    raw_ws_server: RawWSServer,
) -> None:
    burst = messages(20_000)
    with open_client(raw_ws_server) as (client, conn):
        seen: list[str] = []
        sender = start_sending(client, burst, seen)
        assert receive(conn, len(burst)) == burst
        sender.join(WAIT)
        assert seen, "the burst never went behind: every message paid its own system call"
        assert wait_until(lambda: not writer_threads()), "the writer thread outlived the burst"
        assert client.stats.messages_out == len(burst)
        assert client.stats.bytes_out == sum(
            len(m.encode() if isinstance(m, str) else m) for m in burst
        )
        close(client, conn)
    assert not writer_threads()


def test_a_server_that_stops_reading_bounds_what_waits_behind(
    raw_ws_server: RawWSServer,
) -> None:
    """send() blocks once BEHIND_LIMIT bytes wait; then the server reads all, in order."""
    raw_ws_server.receive_buffer = 4096
    burst = kilobyte_messages(10_000)
    with open_client(raw_ws_server) as (client, conn):
        sender = start_sending(client, burst)
        writer = client._writer
        assert wait_until(lambda: writer.behind is not None and writer.full())
        time.sleep(0.2)  # the sender keeps trying: what waits behind must not grow
        behind = writer.behind
        assert sender.is_alive(), "send() did not block on a server that reads nothing"
        assert behind is not None and len(behind) < BEHIND_LIMIT + 1100
        assert receive(conn, len(burst)) == burst
        sender.join(WAIT)
        assert not sender.is_alive()
        close(client, conn)


def test_a_cut_in_a_burst_requeues_what_did_not_go_out_and_repeats_nothing(
    raw_ws_server: RawWSServer,
) -> None:
    """The first connection is reset mid-burst: it got a prefix, the next one gets the
    rest from some point on (what was in the kernel's buffer may be lost), never a
    message twice, the last one included."""
    raw_ws_server.receive_buffer = 4096
    burst = kilobyte_messages(16_000)
    reconnect = Backoff(initial=0.0, jitter=0.0)
    with open_client(raw_ws_server, reconnect=reconnect, send_buffer=len(burst)) as (
        client,
        first,
    ):
        sender = start_sending(client, burst)
        before = receive(first, 3_000)
        first.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        first.sock.close()  # RST: what the client still writes fails
        second = raw_ws_server.accept()
        after = [receive(second, 1)[0]]
        while after[-1] != burst[-1]:
            after += receive(second, 1)
        sender.join(WAIT)
        close(client, second)
    assert before == burst[:3_000]
    start = burst.index(after[0])
    assert start >= len(before), "a message that reached the first connection came again"
    assert after == burst[start:], "the second connection's messages are not the rest, in order"


def test_a_write_that_times_out_requeues_exactly_what_did_not_go_out(
    raw_ws_server: RawWSServer,
) -> None:
    """The server stops reading mid-burst: the client's write gives up (ping_timeout) and
    cuts the connection. Every message the kernel took whole reaches the first connection;
    the one cut short and all after it come first on the next: each once, none lost."""
    raw_ws_server.receive_buffer = 4096
    burst = kilobyte_messages(8_000)
    gave_up = threading.Event()
    options: dict[str, Any] = {
        "ping_timeout": 0.5,  # also how long a write may make no progress
        "reconnect": Backoff(initial=0.0, jitter=0.0),
        "send_buffer": len(burst),
        "on_error": lambda _client, _error: gave_up.set(),
    }
    with open_client(raw_ws_server, **options) as (client, first):
        sender = start_sending(client, burst)
        second = raw_ws_server.accept(timeout=WAIT)  # the client gave up on the first
        assert gave_up.is_set()
        before = receive_until_eof(first)
        after = receive(second, len(burst) - len(before))
        sender.join(WAIT)
        close(client, second)
    assert before + after == burst


def test_close_delivers_what_waits_behind_before_the_close_frame(
    raw_ws_server: RawWSServer,
) -> None:
    burst = messages(10_000)
    with open_client(raw_ws_server) as (client, conn):
        for message in burst:
            client.send(message)
        closer = threading.Thread(target=client.close, name="test-close")
        closer.start()
        assert receive(conn, len(burst)) == burst
        assert conn.recv_close_code() == 1000
        conn.send(b"\x88\x02\x03\xe8")
        closer.join(WAIT)
        assert not closer.is_alive()
        assert not writer_threads()


def test_a_ping_in_a_burst_is_answered_in_between_whole_frames(
    raw_ws_server: RawWSServer,
) -> None:
    burst = messages(20_000)
    with open_client(raw_ws_server) as (client, conn):
        sender = start_sending(client, burst)
        received: list[str | bytes] = receive(conn, 2_000)
        conn.send(frame(0x9, b"in the burst"))
        pongs = []
        while len(received) < len(burst) or not pongs:  # the pong may follow the burst
            fin, opcode, payload = conn.recv_frame(WAIT)
            if opcode == 0xA:
                pongs.append(payload)
                continue
            assert fin and opcode in (0x1, 0x2)
            received.append(payload.decode() if opcode == 0x1 else payload)
        sender.join(WAIT)
        assert pongs == [b"in the burst"]
        assert received == burst
        close(client, conn)


def test_a_send_after_the_close_frame_waits_for_the_next_connection(
    raw_ws_server: RawWSServer,
) -> None:
    """The instant between the client answering a server's close and letting the
    connection go: a send then must not write a frame after the close frame."""
    with open_client(raw_ws_server, reconnect=Backoff(initial=5.0)) as (client, conn):
        client._writer.write_control(0x8, b"\x03\xe8", 1.0, lambda: None)  # as _control does
        client.send("late")
        assert conn.recv_frame()[1:] == (0x8, b"\x03\xe8")
        conn.send(frame(0x8, b"\x03\xe8"))
        assert receive_until_eof(conn) == [], "the client wrote after its close frame"
        assert client._writer.queue is not None and list(client._writer.queue) == [(0x1, b"late")]
