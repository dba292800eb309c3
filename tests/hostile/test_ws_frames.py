"""Hostile WebSocket servers after the handshake: frames built to cost memory (issue 10 item 9).

The server floods the client with the fragments of one message, then a ping; once
the pong is back, the client holds the unfinished message, and the Python memory
it then holds is measured (tracemalloc: deterministic, unlike RSS) before the
last fragment is sent. Each runs over TCP and TLS.
"""

from __future__ import annotations

import socket
import threading
import tracemalloc
from collections.abc import Iterator

import pytest

from pushsdk import Message
from tests.faults.scripted import frame, read_close_code, ws_accept
from tests.faults.tcp import recv_all, recv_exactly
from tests.hostile.conftest import WAIT, Hostile

KiB = 1 << 10
TEXT, BINARY, CONT, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA

FLOODS = {
    # 50,000 empty continuation frames: before, a list entry each (~400 KiB), any cap.
    "empty-continuations": (
        frame(TEXT, b"a", fin=False) + frame(CONT, b"", fin=False) * 50_000,
        frame(CONT, b"b"),
        "ab",
        1024,
    ),
    # A 32 KiB message in 2-byte fragments: before, ~50 bytes of bookkeeping per fragment.
    "2-byte-fragments": (
        frame(BINARY, b"xy", fin=False) + frame(CONT, b"xy", fin=False) * (16 * KiB - 2),
        frame(CONT, b"xy"),
        b"xy" * 16 * KiB,
        128 * KiB,
    ),
}


@pytest.fixture
def traced() -> Iterator[None]:
    tracemalloc.start()
    yield
    tracemalloc.stop()


def _wait_for_pong(sock: socket.socket) -> None:
    """Skip the client's frames until a pong (client frames are masked)."""
    sock.settimeout(WAIT * 4)
    while True:
        first, second = recv_exactly(sock, 2)
        size = second & 0x7F
        recv_exactly(sock, size + 4)  # mask and payload (pongs here are short)
        if first & 0x0F == PONG:
            return


@pytest.mark.parametrize("flood", FLOODS)
def test_fragment_floods_cost_memory_in_proportion_to_the_payload(
    hostile: Hostile, traced: None, flood: str
) -> None:
    pieces, last, expected, max_size = FLOODS[flood]
    held: list[int] = []

    def handler(sock: socket.socket) -> None:
        ws_accept(sock)
        sock.sendall(pieces + frame(PING, b"sync"))
        _wait_for_pong(sock)
        held.append(tracemalloc.get_traced_memory()[0] - baseline)
        sock.sendall(last)
        code = read_close_code(sock)  # the client closes once it has the message: echo it
        sock.sendall(frame(CLOSE, (code or 1000).to_bytes(2, "big")))
        recv_all(sock)

    received: list[str | bytes] = []
    got = threading.Event()

    def on_message(_client: object, message: Message) -> None:
        received.append(message.data)
        got.set()

    url = hostile.serve(handler)
    client = hostile.client(url, max_message_size=max_size, on_message=on_message)
    baseline = tracemalloc.get_traced_memory()[0]
    with client:
        assert got.wait(WAIT * 4), f"no message: {client.last_error!r}"
    assert received == [expected]
    assert held[0] < 128 * KiB, f"{held[0] / KiB:.0f} KiB held for an unfinished message"
