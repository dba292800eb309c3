"""What an idle open WSClient holds: the Python objects each one keeps alive.

A program may keep thousands of quiet connections open, each with its own client
(and thread), so what one holds while idle is a cost multiplied. Counted with
tracemalloc over ws:// and wss://: every allocation still alive whose traceback
passes through pushsdk, per client, while the clients sit open after a first
message. (The thread stack and the allocator's own overhead are not Python
objects; the benchmark's scenario j measures the whole RSS.)
"""

from __future__ import annotations

import gc
import sys
import threading
import tracemalloc

from pushsdk import Message, WSClient
from tests.servers.raw_ws import WAIT, RawConnection, RawWSServer, frame

#: Clients measured together (the per-client figure is their average).
CLIENTS = 8
#: Bytes of Python objects one idle open client may hold, over ws:// and wss://.
#: Measured (alone, and among the suite): 6.5 and 7.7 KiB on CPython 3.11, 6.4 and 7.5
#: on 3.12, 6.0-6.6 and 7.2-7.9 on 3.13; 3.10 (frames on the heap: what a thread's
#: frames hold depends on where it is at the snapshot) 7.9-8.9 and 9.9-11.5 in 2026-12-08
#: runs (9.3-9.7 earlier). Before the client's Events, inbox, send buffer and instance
#: dict went: 14.7 and 15.6 on 3.11.
LIMIT = (
    {"ws": 7_500, "wss": 9_000} if sys.version_info >= (3, 11) else {"ws": 10_000, "wss": 12_000}
)


def _open_clients(
    server: RawWSServer, count: int, clients: list[WSClient], conns: list[RawConnection]
) -> None:
    """Open ``count`` clients and deliver one message to each (so each has read once)."""
    delivered = threading.Semaphore(0)

    def on_message(_client: WSClient, _message: Message[str | bytes]) -> None:
        delivered.release()

    for _ in range(count):
        client = WSClient(server.url, on_message=on_message, reconnect=False)
        clients.append(client)
        client.start()
        conn = server.accept()
        conns.append(conn)
        conn.send(frame(0x1, b"hello"))
    for _ in range(count):
        assert delivered.acquire(timeout=WAIT), "a client got no message"


def test_an_idle_open_client_holds_few_objects(raw_ws_server: RawWSServer) -> None:
    clients: list[WSClient] = []
    conns: list[RawConnection] = []
    try:
        _open_clients(raw_ws_server, 1, clients, conns)  # imports and caches: not counted
        gc.collect()
        tracemalloc.start(16)  # traces only what is allocated from here on
        try:
            _open_clients(raw_ws_server, CLIENTS, clients, conns)
            gc.collect()
            held = tracemalloc.take_snapshot()
        finally:
            tracemalloc.stop()
        ours = held.filter_traces([tracemalloc.Filter(True, "*/pushsdk/*", all_frames=True)])
        stats = ours.statistics("lineno")  # by where each object was made
        per_client = sum(stat.size for stat in stats) / CLIENTS
        biggest = "\n".join(
            f"{stat.size / CLIENTS:.0f} B at {stat.traceback}" for stat in stats[:12]
        )
        limit = LIMIT[raw_ws_server.scheme]
        assert per_client <= limit, f"{per_client:.0f} B per idle client; biggest:\n{biggest}"
    finally:
        for conn in conns:  # the server hangs up: each client ends without waiting
            conn.close()
        for client in clients:
            client.close()
