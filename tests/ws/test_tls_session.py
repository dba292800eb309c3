"""``TLSSession`` with byte strings alone: a server ``ssl.SSLObject`` on memory BIOs, no socket."""

from __future__ import annotations

import ssl

import pytest
import trustme

from pushsdk._net.tls import TLSSession
from tests.servers.tls import server_context

BIG = bytes(range(256)) * 400  # 100 KiB: several records


class Server:
    """The server side of a session, pumped by hand."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = context.wrap_bio(self.incoming, self.outgoing, server_side=True)

    def handshake(self) -> bool:
        try:
            self.tls.do_handshake()
        except ssl.SSLWantReadError:
            return False
        return True

    def records(self, data: bytes) -> bytes:
        """The records carrying ``data``."""
        self.tls.write(data)
        return self.outgoing.read()

    def receive(self, records: bytes) -> bytes:
        self.incoming.write(records)
        return self.tls.read(1 << 20)


def client_for(ca: trustme.CA, name: str = "localhost") -> TLSSession:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies; no system CAs to load
    ca.configure_trust(context)
    return TLSSession(context, name)


def connect(client: TLSSession, server: Server) -> None:
    """Run the handshake both ways until both ends are done."""
    for _ in range(10):
        client_done = client.handshake()
        server.incoming.write(client.pull())
        server_done = server.handshake()
        client.receive(server.outgoing.read())
        if client_done and server_done:
            return
    raise AssertionError("the handshake did not complete")


@pytest.fixture(scope="module")
def context(ws_ca: trustme.CA) -> ssl.SSLContext:
    return server_context(ws_ca)  # a key pair costs a while: one for the module


@pytest.fixture
def pair(ws_ca: trustme.CA, context: ssl.SSLContext) -> tuple[TLSSession, Server]:
    client, server = client_for(ws_ca), Server(context)
    connect(client, server)
    return client, server


def test_data_both_ways(pair: tuple[TLSSession, Server]) -> None:
    client, server = pair
    assert server.receive(client.encrypt(b"hello")) == b"hello"
    client.receive(server.records(b"world"))
    buffer = bytearray(100)
    assert client.read_into(buffer, 100) == 5
    assert buffer[:5] == b"world"


def test_read_fills_the_buffer_from_several_records(pair: tuple[TLSSession, Server]) -> None:
    client, server = pair
    client.receive(server.records(BIG))
    buffer = bytearray(len(BIG) + 10)
    assert client.read_into(buffer, len(buffer)) == len(BIG)
    assert buffer[: len(BIG)] == BIG
    assert client.read_into(buffer, len(buffer)) == -1  # nothing more: receive first


def test_read_stops_at_nbytes_and_keeps_the_rest(pair: tuple[TLSSession, Server]) -> None:
    client, server = pair
    client.receive(server.records(BIG))
    head, rest = bytearray(1000), bytearray(len(BIG))
    assert client.read_into(head, 1000) == 1000
    assert client.read_into(rest, len(rest)) == len(BIG) - 1000
    assert bytes(head) + bytes(rest[: len(BIG) - 1000]) == BIG


def test_every_received_record_is_read_before_more_is_asked_for(
    pair: tuple[TLSSession, Server],
) -> None:
    client, server = pair  # OpenSSL may take several records from the BIO at once
    client.receive(b"".join(server.records(bytes([65 + i]) * 10) for i in range(5)))
    buffer, got = bytearray(100), b""
    while (count := client.read_into(buffer, 100)) > 0:
        got += buffer[:count]
    assert count == -1
    assert got == b"".join(bytes([65 + i]) * 10 for i in range(5))


def test_a_record_in_pieces_waits_for_its_end(pair: tuple[TLSSession, Server]) -> None:
    client, server = pair
    records = server.records(b"split")
    buffer = bytearray(100)
    client.receive(records[:7])
    assert client.read_into(buffer, 100) == -1
    client.receive(records[7:])
    assert client.read_into(buffer, 100) == 5


def test_close_notify_ends_the_stream_after_the_data(pair: tuple[TLSSession, Server]) -> None:
    client, server = pair
    client.receive(server.records(b"last words"))
    with pytest.raises(ssl.SSLWantReadError):
        server.tls.unwrap()  # sends close_notify, then would wait for ours
    client.receive(server.outgoing.read())
    buffer = bytearray(100)
    assert client.read_into(buffer, 100) == 10
    assert client.read_into(buffer, 100) == 0
    assert client.read_into(buffer, 100) == 0


def test_eof_without_close_notify_ends_the_stream_too(pair: tuple[TLSSession, Server]) -> None:
    client, server = pair
    client.receive(server.records(b"cut"))
    client.receive_eof()
    buffer = bytearray(100)
    assert client.read_into(buffer, 100) == 3
    assert client.read_into(buffer, 100) == 0


def test_a_corrupt_record_fails_and_leaves_an_alert(pair: tuple[TLSSession, Server]) -> None:
    client, server = pair
    records = bytearray(server.records(b"tampered with"))
    records[-1] ^= 0xFF
    client.receive(bytes(records))
    with pytest.raises(ssl.SSLError):
        client.read_into(bytearray(100), 100)
    assert client.has_output
    with pytest.raises(ssl.SSLError, match="ALERT_BAD_RECORD_MAC"):
        server.receive(client.pull())  # the server learns why
    assert not client.has_output


def test_a_certificate_for_another_name_fails_the_handshake(
    ws_ca: trustme.CA, context: ssl.SSLContext
) -> None:
    client, server = client_for(ws_ca, "example.org"), Server(context)
    with pytest.raises(ssl.SSLCertVerificationError):
        connect(client, server)
    with pytest.raises(ssl.SSLError, match="ALERT"):
        server.incoming.write(client.pull())  # the server learns why
        server.handshake()
