"""A server that drips its TLS handshake: each byte well within any read timeout.

Only a deadline on the whole attempt ends it: ``open_timeout`` (WSClient) and
``connect_timeout`` (SSEClient), the same as for a dripped HTTP head. TLS only, by
nature; the plain-TCP counterparts are the dripped-head tests.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
import trustme

from pushsdk import ConnectError, HandshakeError, Remedy, SSEClient, WSClient
from tests.ending import run_to_end
from tests.faults.faults import Fault
from tests.faults.proxy import FaultProxy
from tests.faults.tcp import TCPServer, recv_all
from tests.servers.tls import server_context

#: One byte every 10 ms: a server's first TLS flight (about 1.5 KB) takes 15 s.
DRIP = Fault("drip", drip_bytes=1, drip_interval=0.01)
TIMEOUT = 0.5


@pytest.fixture
def dripping_tls_server(ws_ca: trustme.CA) -> Iterator[FaultProxy]:
    """A TLS server behind a proxy that forwards its bytes one at a time."""
    context = server_context(ws_ca)

    def serve(sock: socket.socket) -> None:
        with context.wrap_socket(sock, server_side=True) as tls:
            recv_all(tls)

    with TCPServer(serve) as server, FaultProxy(server.address, plan=lambda _: DRIP) as proxy:
        yield proxy


def test_a_dripped_tls_handshake_ends_at_open_timeout(
    dripping_tls_server: FaultProxy, ws_ca_file: str
) -> None:
    client = WSClient(
        dripping_tls_server.url("wss"), verify=ws_ca_file, open_timeout=TIMEOUT, reconnect=False
    )
    started = time.monotonic()
    (error,) = run_to_end(client)
    assert time.monotonic() - started < TIMEOUT + 2.0
    assert isinstance(error, ConnectError) and not isinstance(error, HandshakeError)
    assert str(error).startswith(f"timed out after {TIMEOUT} s in the TLS handshake with ")
    assert error.advice == f"; if the server is only slow, raise open_timeout ({TIMEOUT} s)"
    assert error.remedy == Remedy("longer-timeout")


def test_a_dripped_tls_handshake_ends_at_connect_timeout(
    dripping_tls_server: FaultProxy, ws_ca_file: str
) -> None:
    client = SSEClient(
        dripping_tls_server.url("https"),
        verify=ws_ca_file,
        connect_timeout=TIMEOUT,
        reconnect=False,
    )
    started = time.monotonic()
    (error,) = run_to_end(client)
    assert time.monotonic() - started < TIMEOUT + 2.0
    assert isinstance(error, ConnectError)
    assert str(error).startswith(f"timed out after {TIMEOUT} s connecting to https://")
    assert error.advice == f"; if the server is only slow, raise connect_timeout ({TIMEOUT} s)"
    assert error.remedy == Remedy("longer-timeout")
