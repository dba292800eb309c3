"""close() never hangs, whatever the network is doing, and slow bytes still make whole messages."""

from __future__ import annotations

import threading
import time

import pytest

from pushsdk import Backoff, ReadyState, WSClient
from pushsdk._client import BaseClient
from pushsdk.message import Message
from tests.faults.proxy import Fault, FaultProxy
from tests.faults.servers import EchoServer, client_for

WAIT = 5.0
#: close(timeout=CLOSE_TIMEOUT) may take that long plus BaseClient's forced-close grace.
CLOSE_TIMEOUT = 0.5
CLOSE_BOUND = CLOSE_TIMEOUT + 1.0 + 0.5


def _timed_close(client: BaseClient) -> float:
    started = time.monotonic()
    client.close(timeout=CLOSE_TIMEOUT)
    elapsed = time.monotonic() - started
    assert client.ready_state is ReadyState.CLOSED
    return elapsed


@pytest.mark.parametrize("upstream", ["ws", "wss", "sse"], indirect=True)
def test_close_on_a_stalled_connection_returns_in_time(
    upstream: tuple[str, tuple[str, int]],
) -> None:
    """A stalled peer never answers the close handshake: close() gives up after its timeout."""
    scheme, address = upstream
    with FaultProxy(address) as proxy:
        client = client_for(scheme, proxy.url(scheme))
        client.start()
        assert client.wait_open(WAIT)
        proxy.stall()
        assert _timed_close(client) < CLOSE_BOUND


@pytest.mark.parametrize("upstream", ["ws", "wss", "sse"], indirect=True)
def test_close_while_refused_and_backing_off_returns_at_once(
    upstream: tuple[str, tuple[str, int]],
) -> None:
    scheme, address = upstream
    waiting = threading.Event()
    with FaultProxy(address) as proxy:
        proxy.refuse()
        client = client_for(
            scheme,
            proxy.url(scheme),
            reconnect=Backoff(initial=30.0, jitter=0.0),
            first_connect_timeout=None,
            on_reconnect=lambda *_: waiting.set(),
        )
        client.start()
        assert waiting.wait(WAIT), "the refused connect never scheduled a reconnect"
        assert _timed_close(client) < 0.5, "close() must cut the backoff wait short"
        assert proxy.connections == 1


@pytest.mark.parametrize("upstream", ["ws", "wss", "sse"], indirect=True)
def test_close_while_the_connect_is_stalled_returns_in_time(
    upstream: tuple[str, tuple[str, int]],
) -> None:
    """The proxy accepts but forwards nothing: the client is stuck in its handshake."""
    scheme, address = upstream
    with FaultProxy(address, plan=lambda _: Fault("stall")) as proxy:
        client = client_for(scheme, proxy.url(scheme))
        client.start()
        assert proxy.wait_connections(1, WAIT)
        time.sleep(0.05)  # let the request go out and block on the answer
        assert client.ready_state is ReadyState.CONNECTING
        assert _timed_close(client) < CLOSE_BOUND


def test_ws_messages_dripped_a_byte_at_a_time_arrive_whole(echo_server: EchoServer) -> None:
    """Frame headers and payloads split at every byte (both ways) still make whole messages."""
    sizes = [0, 1, 125, 126, 300]
    received: list[str] = []
    done = threading.Event()

    def on_message(_client: WSClient, message: Message) -> None:
        received.append(str(message.data))
        if len(received) == len(sizes):
            done.set()

    with (
        FaultProxy(echo_server.address) as proxy,
        WSClient(proxy.url(echo_server.scheme), on_message=on_message) as client,
    ):
        assert client.wait_open(WAIT)
        proxy.drip(nbytes=1, interval=0.0005)
        proxy.drip(nbytes=1, interval=0.0005, direction="up")
        for size in sizes:
            client.send("x" * size)
        assert done.wait(WAIT)
    assert received == ["x" * size for size in sizes]
