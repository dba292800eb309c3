"""permessage-deflate against a hostile server: bombs, bad frames, bad negotiation.

Every server here is the raw-socket one, which sends exact bytes; the client must
fail with the RFC's close code (1009 too big, 1002 protocol error, 1007 bad UTF-8)
or, for a handshake it cannot accept, with a HandshakeError that ends the client
instead of reconnecting to a server that will answer the same way again.
"""

from __future__ import annotations

import contextlib
import functools
import random
import threading
import time
import zlib

import psutil
import pytest

from pushsdk import HandshakeError, ProtocolError, WSClient
from tests.ending import ended
from tests.servers.raw_ws import RawConnection, RawWSServer, frame
from tests.ws.deflate_peer import DeflatePeer

#: zlib-ng inflates over ws://, the standard library's zlib over wss:// (conftest.py).
pytestmark = pytest.mark.usefixtures("inflate_backend")

TEXT, BINARY, CONT, CLOSE, PING = 0x1, 0x2, 0x0, 0x8, 0x9
WAIT = 10.0
MiB = 1 << 20


@functools.cache
def bomb() -> bytes:
    """~1 MiB of raw deflate that inflates to 1 GiB of zeros (no sync tail).

    After a full flush deflate starts afresh, so every 1 MiB block of zeros after the
    first compresses to the same bytes: the bomb is built without inflating 1 GiB.
    """
    zeros = bytes(MiB)
    zobj = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = zobj.compress(zeros) + zobj.flush(zlib.Z_FULL_FLUSH)
    block = zobj.compress(zeros) + zobj.flush(zlib.Z_FULL_FLUSH)
    assert zobj.compress(zeros) + zobj.flush(zlib.Z_FULL_FLUSH) == block
    data = first + block * 1023
    check = zlib.decompressobj(-15)
    assert len(check.decompress(data[: len(first) + len(block) * 3])) == 4 * MiB
    return data


def compressed(payload: bytes) -> bytes:
    zobj = zlib.compressobj(6, zlib.DEFLATED, -15)
    return (zobj.compress(payload) + zobj.flush(zlib.Z_SYNC_FLUSH))[:-4]


def start(server: RawWSServer, extension: str | None = "permessage-deflate", **options: object):
    server.extensions = extension
    errors: list[Exception] = []
    messages: list[str | bytes] = []
    options.setdefault("reconnect", False)
    client = WSClient(
        server.url,
        ping_interval=None,
        on_error=lambda _c, e: errors.append(e),
        on_message=lambda _c, m: messages.append(m.data),
        **options,  # type: ignore[arg-type]
    )
    client.start()
    return client, errors, messages


def send_quietly(conn: RawConnection, data: bytes) -> None:
    """Write ``data``; the client may hang up before it has all of it."""
    with contextlib.suppress(OSError):
        conn.send(data)


def assert_failed(client: WSClient, errors: list[Exception], code: int) -> ProtocolError:
    assert ended(client)
    assert len(errors) == 1 and isinstance(errors[0], ProtocolError), errors
    assert errors[0].close_code == code
    return errors[0]


class PeakRSS:
    """The highest RSS of this process while the block runs, sampled every millisecond."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self.start = self.peak = self._process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="rss-sampler")

    def _sample(self) -> None:
        while not self._stop.wait(0.001):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(WAIT)

    @property
    def growth(self) -> int:
        return self.peak - self.start


@pytest.mark.parametrize("fragments", [1, 10_000])
def test_decompression_bomb_closes_1009_with_bounded_memory(
    raw_ws_server: RawWSServer, fragments: int
) -> None:
    """1 MiB inflating to 1 GiB, in one frame or 10,000: 1009 after at most
    max_message_size of output, not after inflating it (CVE-2018-1000518)."""
    limit = 16 * MiB
    data = bomb()
    size = -(-len(data) // fragments)
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    frames = b"".join(
        frame(BINARY if i == 0 else CONT, c, fin=i == len(chunks) - 1, rsv=4 if i == 0 else 0)
        for i, c in enumerate(chunks)
    )
    client, errors, messages = start(raw_ws_server, max_message_size=limit)
    try:
        conn = raw_ws_server.accept()
        with PeakRSS() as rss:
            began = time.monotonic()
            conn.send_while_reading(frames)
            assert conn.recv_close_code(WAIT) == 1009
            took = time.monotonic() - began
        error = assert_failed(client, errors, 1009)
        assert "max_message_size" in str(error)
        assert messages == []
        assert rss.growth < 2 * limit + 16 * MiB, f"RSS grew {rss.growth / MiB:.0f} MiB"
        print(f"\nbomb in {fragments} frame(s): 1009 after {took:.3f} s, "
              f"RSS +{rss.growth / MiB:.1f} MiB")  # fmt: skip
    finally:
        client.close()


def test_message_inflating_to_exactly_the_limit_is_delivered(raw_ws_server: RawWSServer) -> None:
    client, errors, messages = start(raw_ws_server, max_message_size=1000)
    try:
        conn = raw_ws_server.accept()
        conn.send(frame(BINARY, compressed(b"a" * 1000), rsv=4))
        conn.send(frame(BINARY, compressed(b"b" * 1001), rsv=4))
        assert conn.recv_close_code(WAIT) == 1009
        assert_failed(client, errors, 1009)
        assert messages == [b"a" * 1000]
    finally:
        client.close()


def test_each_fragmented_compressed_message_gets_the_whole_limit(
    raw_ws_server: RawWSServer,
) -> None:
    """The bytes a compressed message took on the wire are not carried over to the next
    (a 906-byte message, then a 506-byte one, under max_message_size=1000)."""
    client, errors, messages = start(raw_ws_server, max_message_size=1000)
    noise = random.Random(7)
    payloads = [noise.randbytes(900), noise.randbytes(500)]  # incompressible
    try:
        conn = raw_ws_server.accept()
        for payload in payloads:
            wire = compressed(payload)
            conn.send(frame(BINARY, wire[:300], fin=False, rsv=4) + frame(CONT, wire[300:]))
        deadline = time.monotonic() + WAIT
        while len(messages) < 2 and not errors and time.monotonic() < deadline:
            time.sleep(0.01)
        assert messages == payloads
        assert not errors
    finally:
        client.close()


@pytest.mark.parametrize(
    ("extension", "sends", "reason"),
    [
        (None, [frame(TEXT, compressed(b"hello"), rsv=4)], "compression was not negotiated"),
        (
            "permessage-deflate",
            [frame(TEXT, compressed(b"hel"), fin=False, rsv=4), frame(CONT, b"lo", rsv=4)],
            "continuation",
        ),
        ("permessage-deflate", [frame(PING, b"", rsv=4)], "control"),
        ("permessage-deflate", [frame(TEXT, compressed(b"x"), rsv=2)], "reserved bits"),
        ("permessage-deflate", [frame(TEXT, compressed(b"x"), rsv=1)], "reserved bits"),
        ("permessage-deflate", [frame(TEXT, b"\xff\xff\xff\xff", rsv=4)], "corrupt deflate"),
        (
            "permessage-deflate",
            [frame(BINARY, compressed(b"ok"), fin=False, rsv=4), frame(CONT, b"\x07\x00garbage")],
            "corrupt deflate",
        ),
    ],
    ids=[
        "rsv1-unnegotiated",
        "rsv1-continuation",
        "rsv1-ping",
        "rsv2",
        "rsv3",
        "corrupt",
        "corrupt-fragment",
    ],
)
def test_protocol_errors_close_1002(
    raw_ws_server: RawWSServer, extension: str | None, sends: list[bytes], reason: str
) -> None:
    client, errors, messages = start(raw_ws_server, extension)
    try:
        conn = raw_ws_server.accept()
        for data in sends:
            send_quietly(conn, data)
        assert conn.recv_close_code(WAIT) == 1002
        error = assert_failed(client, errors, 1002)
        assert reason in str(error)
        assert messages == []
    finally:
        client.close()


def test_rsv1_refused_when_compression_is_off(raw_ws_server: RawWSServer) -> None:
    client, errors, _ = start(raw_ws_server, None, compression=None)
    try:
        conn = raw_ws_server.accept()
        assert "sec-websocket-extensions" not in conn.request_headers  # no offer at all
        conn.send(frame(TEXT, compressed(b"hello"), rsv=4))
        assert conn.recv_close_code(WAIT) == 1002
        assert_failed(client, errors, 1002)
    finally:
        client.close()


def test_invalid_utf8_after_inflating_fails_fast_with_1007(raw_ws_server: RawWSServer) -> None:
    """The bad bytes are in the first fragment; the message never ends: still 1007."""
    client, errors, _ = start(raw_ws_server)
    try:
        conn = raw_ws_server.accept()
        zobj = zlib.compressobj(6, zlib.DEFLATED, -15)
        first = zobj.compress("κόσμε".encode() + b"\xf4\x90\x80\x80") + zobj.flush(
            zlib.Z_SYNC_FLUSH
        )
        conn.send(frame(TEXT, first, fin=False, rsv=4))  # ... and nothing more
        assert conn.recv_close_code(WAIT) == 1007
        assert_failed(client, errors, 1007)
    finally:
        client.close()


def test_context_takeover_and_final_block_are_honoured(raw_ws_server: RawWSServer) -> None:
    """Messages that reference the previous one; and one ending with BFINAL (RFC 7692
    7.2.3.4), after which the sender starts a new stream."""
    client, errors, messages = start(raw_ws_server)
    try:
        conn = raw_ws_server.accept()
        peer = DeflatePeer(conn, "permessage-deflate")
        peer.send(TEXT, b"the same words again " * 10)
        peer.send(TEXT, b"the same words again " * 10)  # a few bytes: a back-reference
        final = zlib.compressobj(6, zlib.DEFLATED, -15)
        conn.send(frame(TEXT, final.compress(b"final block") + final.flush(), rsv=4))
        conn.send(frame(TEXT, compressed(b"after a new stream"), rsv=4))
        conn.send(frame(CLOSE, (1000).to_bytes(2, "big")))
        assert conn.recv_close_code(WAIT) == 1000
        assert ended(client)
        assert not errors
        assert messages == ["the same words again " * 10] * 2 + [
            "final block",
            "after a new stream",
        ]
    finally:
        client.close()


BAD_ANSWERS = {
    "not-offered": "x-webkit-deflate-frame",
    "two-extensions": "permessage-deflate, permessage-deflate",
    "unknown-param": "permessage-deflate; foo",
    "duplicate-param": "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
    "bits-16": "permessage-deflate; server_max_window_bits=16",
    "bits-7": "permessage-deflate; client_max_window_bits=7",
    "bits-leading-zero": "permessage-deflate; server_max_window_bits=09",
    "server-bits-no-value": "permessage-deflate; server_max_window_bits",
    "flag-with-value": "permessage-deflate; client_no_context_takeover=1",
    "malformed": "permessage-deflate;; server_no_context_takeover",
    "malformed-quote": 'permessage-deflate; server_max_window_bits="10',
}


@pytest.mark.parametrize("answer", list(BAD_ANSWERS.values()), ids=list(BAD_ANSWERS))
def test_bad_extension_answer_fails_the_handshake_for_good(
    raw_ws_server: RawWSServer, answer: str
) -> None:
    client, errors, _ = start(raw_ws_server, answer, reconnect=True)
    try:
        assert ended(client)
        assert raw_ws_server.handshakes == 1, "must not reconnect to the same answer"
        assert len(errors) == 1 and isinstance(errors[0], HandshakeError), errors
        assert "Sec-WebSocket-Extensions" in str(errors[0])
        assert errors[0].status == 101
    finally:
        client.close()


def test_extension_answer_without_an_offer_fails(raw_ws_server: RawWSServer) -> None:
    client, errors, _ = start(raw_ws_server, "permessage-deflate", compression=None)
    try:
        assert ended(client)
        assert len(errors) == 1 and isinstance(errors[0], HandshakeError)
        assert "no extension was offered" in str(errors[0])
    finally:
        client.close()


def test_reconnect_renegotiates_and_queued_messages_use_the_new_agreement(
    raw_ws_server: RawWSServer,
) -> None:
    """Connection 1 agrees 9-bit windows, no context takeover; connection 2 declines.
    Messages queued between them go out uncompressed on connection 2."""
    big = b'{"op":"subscribe","args":["' + b"trade:XBTUSD," * 40 + b'"]}'
    opened = threading.Semaphore(0)

    def on_close(client: WSClient, _code: int | None, _reason: str) -> None:
        if client.stats.reconnects == 0:
            client.send(big.decode())  # queued: the client is between connections
            client.send(big)

    extension = "permessage-deflate; client_no_context_takeover; client_max_window_bits=9"
    # The callbacks go to the constructor: set after start(), the first open could beat them.
    client, _, _ = start(
        raw_ws_server,
        extension,
        reconnect=True,
        on_close=on_close,
        on_open=lambda _c: opened.release(),
    )
    try:
        conn = raw_ws_server.accept()
        assert opened.acquire(timeout=WAIT)
        assert client.extension == extension
        peer = DeflatePeer(conn, extension)
        client.send(big.decode())
        client.send(big.decode())
        assert peer.recv_message() == (TEXT, big)
        assert peer.recv_message() == (TEXT, big)
        assert peer.compressed_in == 2
        raw_ws_server.extensions = None
        conn.close()  # drop TCP: the client reconnects
        conn2 = raw_ws_server.accept()
        assert opened.acquire(timeout=WAIT)
        assert client.extension is None
        assert conn2.recv_frame() == (True, TEXT, big) and conn2.last_rsv == 0
        assert conn2.recv_frame() == (True, BINARY, big) and conn2.last_rsv == 0
    finally:
        client.close()


def test_stats_count_wire_and_message_bytes_up_to_the_close(raw_ws_server: RawWSServer) -> None:
    """Messages and the close frame in one read: the last batch is counted too."""
    client, errors, messages = start(raw_ws_server)
    try:
        conn = raw_ws_server.accept()
        payloads = [b"abc" * 100, b"xyz" * 200]
        wire = [compressed(p) for p in payloads]
        conn.send(
            b"".join(frame(BINARY, w, rsv=4) for w in wire)
            + frame(TEXT, b"plain")
            + frame(CLOSE, (1000).to_bytes(2, "big"))
        )
        assert conn.recv_close_code(WAIT) == 1000
        assert ended(client)
        assert not errors and messages == [*payloads, "plain"]
        stats = client.stats
        assert stats.bytes_in == sum(map(len, payloads)) + 5
        assert stats.wire_bytes_in == sum(map(len, wire)) + 5
    finally:
        client.close()
