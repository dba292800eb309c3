"""The writes WSClient's writer builds on, over a real socket pair, plain and TLS.

``send_now`` writes what the kernel takes without waiting and says what is left;
``write_counted`` writes all, waiting, and on failure says how much surely went out
(the writer requeues the rest, and never what went out: no duplicates).
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator

import pytest
import trustme

from pushsdk._net.tls import NOWAIT, Stream, send_now, start_tls, write_counted
from pushsdk._ws.sockio import set_write_timeout
from pushsdk._ws.writer import Writer
from tests.servers.tls import server_context

pytestmark = pytest.mark.skipif(not NOWAIT, reason="writes that do not wait: Linux")

BIG = bytes(range(256)) * 16384  # 4 MiB: more than the socket buffers hold


class Pair:
    """A client stream (a socket, or TLS over one) and the server's end, reading on demand."""

    def __init__(self, client: Stream, server: socket.socket) -> None:
        self.client, self.server = client, server

    def read_all(self, quiet: float = 0.25) -> bytes:
        """Everything the server can read until ``quiet`` seconds pass with nothing."""
        self.server.settimeout(quiet)
        data = bytearray()
        try:
            while chunk := self.server.recv(1 << 20):
                data += chunk
        except TimeoutError:
            pass
        return bytes(data)


@pytest.fixture(params=["plain", "tls"])
def pair(request: pytest.FixtureRequest, ws_ca: trustme.CA) -> Iterator[Pair]:
    near, far = socket.socketpair()
    for sock in (near, far):  # small buffers (room for a few TLS records): 4 MiB fill them
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    client: Stream = near
    server = far
    if request.param == "tls":
        accepted: list[ssl.SSLSocket] = []
        handshake = threading.Thread(
            target=lambda: accepted.append(
                server_context(ws_ca).wrap_socket(far, server_side=True)
            ),
            name="test-tls-server",
        )
        handshake.start()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ws_ca.configure_trust(context)
        client = start_tls(near, context, "localhost", time.monotonic() + 5)
        handshake.join(5)
        server = accepted[0]
    near.settimeout(None)  # as an open WSClient connection: blocking, timeouts as options
    yield Pair(client, server)
    near.close()
    server.close()


def test_send_now_leaves_what_the_kernel_did_not_take_for_sendall(pair: Pair) -> None:
    left = send_now(pair.client, BIG)
    assert left is not None, "4 MiB fit in the buffers"
    reader = threading.Thread(target=lambda: received.append(pair.read_all()))
    received: list[bytes] = []
    reader.start()
    pair.client.sendall(left)  # over TLS the stream kept its records: left is empty
    reader.join(10)
    assert received == [BIG]


def test_send_now_writes_all_when_there_is_room(pair: Pair) -> None:
    assert send_now(pair.client, b"hello") is None
    assert pair.read_all(0.2) == b"hello"


def test_write_counted_says_how_much_surely_went_out(pair: Pair) -> None:
    set_write_timeout(pair.client, 0.2)  # the server reads nothing: the write gives up
    written, error = write_counted(pair.client, BIG)
    assert isinstance(error, BlockingIOError | TimeoutError)
    assert 0 < written < len(BIG)
    assert pair.read_all() == BIG[:written]  # whole records (TLS): nothing more, nothing less


def test_write_counted_writes_all_to_a_reader(pair: Pair) -> None:
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pair.read_all()))
    reader.start()
    assert write_counted(pair.client, BIG) == (len(BIG), None)
    reader.join(10)
    assert received == [BIG]


def test_no_message_follows_the_close_frame_on_a_connection(pair: Pair) -> None:
    """Once the close frame is out (ours, or our answer to the server's), a send waits
    for the next connection: ``try_send`` declines and the client's slow path queues."""
    writer = Writer()
    writer.sock = pair.client
    writer.write_control(0x8, b"\x03\xe8", 1.0, lambda: None)
    assert writer.close_sent
    assert writer.try_send("late") == 0
    data = pair.read_all(0.2)
    assert data[:2] == b"\x88\x82" and len(data) == 8, data  # the close frame, and no more
