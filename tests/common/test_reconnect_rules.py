"""Which failures are retried, how long the client waits, and when it gives up."""

from __future__ import annotations

import threading

import pytest

from pushsdk import Backoff, ConnectError, ConnectionClosed, HandshakeError, ReadyState
from tests.common.peers import Peer, Reject, Serve, messages
from tests.common.recorder import Recorder, close_and_check
from tests.ending import ended

WAIT = 5.0


@pytest.mark.parametrize("attempts", [0, 1, 3])
def test_max_attempts_ends_the_client_after_that_many_failed_reconnects(
    peer: Peer, rec: Recorder, attempts: int
) -> None:
    peer.script(Serve(end="drop"), default=Reject(503))
    backoff = Backoff(initial=0.01, maximum=0.02, jitter=0, max_attempts=attempts)
    client = rec.attach(peer.client(reconnect=backoff))
    client.start()
    assert ended(client)
    rec.closed()
    assert rec.names() == ["open", "error", "close"] + ["reconnect", "error"] * attempts + (
        ["close"] if attempts else []
    )
    assert [n for n, _delay in rec.of("reconnect")] == list(range(1, attempts + 1))
    assert peer.attempts == 1 + attempts
    assert client.ready_state is ReadyState.CLOSED
    assert client.stats.reconnects == 0  # failed attempts are not reconnects


def test_reconnect_false_ends_after_the_first_drop(peer: Peer, rec: Recorder) -> None:
    peer.script(Serve(messages(2), end="drop"))
    client = rec.attach(peer.client(reconnect=False))
    client.start()
    assert ended(client)
    rec.closed()
    assert rec.names() == ["open", "error", "close"]
    assert isinstance(rec.errors()[0], ConnectionClosed)
    assert rec.data() == ["m0", "m1"]
    assert peer.attempts == 1 and client.ready_state is ReadyState.CLOSED


def test_reconnect_false_ends_after_a_clean_end(peer: Peer, rec: Recorder) -> None:
    peer.script(Serve(messages(1), end="close"))
    client = rec.attach(peer.client(reconnect=False))
    client.start()
    assert ended(client)
    assert rec.names() == ["open", "close"]


def test_a_refused_connection_is_a_connect_error(peer: Peer, rec: Recorder) -> None:
    client = rec.attach(peer.client(url=peer.refused_url, reconnect=False))
    client.start()
    assert ended(client)
    assert rec.names() == ["error", "close"]
    (error,) = rec.errors()
    assert isinstance(error, ConnectError) and not isinstance(error, HandshakeError)


@pytest.mark.parametrize("status", [401, 403, 404])
def test_a_4xx_handshake_is_final(peer: Peer, rec: Recorder, status: int) -> None:
    peer.script(Reject(status, {"X-Why": "denied"}, b"go away"), default=Serve())
    client = rec.attach(peer.client())  # reconnect on: still no second attempt
    client.start()
    assert ended(client)
    rec.closed()
    assert rec.names() == ["error", "close"]
    (error,) = rec.errors()
    assert isinstance(error, HandshakeError)
    assert error.status == status
    assert error.headers["X-Why"] == error.headers["x-why"] == "denied"  # any case, both kinds
    assert error.body == b"go away"
    assert client.last_error is error
    assert peer.attempts == 1 and client.ready_state is ReadyState.CLOSED


@pytest.mark.parametrize("status", [503, 429])
def test_retry_after_sets_the_delay(peer: Peer, rec: Recorder, status: int) -> None:
    peer.script(Reject(status, {"Retry-After": "1"}), Serve())
    # without Retry-After, 0.02 s; the server's delay is capped at maximum (5 s)
    client = rec.attach(peer.client(reconnect=Backoff(initial=0.02, maximum=5.0, jitter=0.0)))
    client.start()
    assert rec.wait_count("open", timeout=WAIT)
    close_and_check(client, rec)
    assert rec.names() == ["error", "reconnect", "open", "close"]
    assert rec.of("reconnect") == [(1, 1.0)]
    reconnect_at, open_at = rec.calls[1].at, rec.calls[2].at
    assert 0.9 <= open_at - reconnect_at < 3.0
    (error,) = rec.errors()
    assert isinstance(error, HandshakeError) and error.status == status


@pytest.mark.parametrize("status", [500, 502, 408])
def test_5xx_and_408_are_retried_with_backoff(peer: Peer, rec: Recorder, status: int) -> None:
    peer.script(Reject(status), Serve())
    client = rec.attach(peer.client())
    client.start()
    assert rec.wait_count("open")
    close_and_check(client, rec)
    assert rec.names() == ["error", "reconnect", "open", "close"]
    assert rec.of("reconnect") == [(1, 0.02)]


@pytest.mark.parametrize(("reset_after", "last_delay"), [(0.3, 0.01), (30.0, 0.04)])
def test_reset_after_restarts_growth_only_after_a_lasting_connection(
    peer: Peer, rec: Recorder, reset_after: float, last_delay: float
) -> None:
    peer.script(
        Serve(end="drop"),
        Serve(end="drop"),
        Serve(end="drop", linger=0.4),  # lasts longer than reset_after=0.3
        Serve(),
    )
    backoff = Backoff(initial=0.01, maximum=10.0, multiplier=2.0, jitter=0, reset_after=reset_after)
    client = rec.attach(peer.client(reconnect=backoff))
    client.start()
    assert rec.wait_count("open", 4)
    close_and_check(client, rec)
    delays = [delay for _attempt, delay in rec.of("reconnect")]
    assert delays == pytest.approx([0.01, 0.02, last_delay])
    assert [attempt for attempt, _delay in rec.of("reconnect")] == [1, 1, 1]


def test_a_failed_reconnect_does_not_reset_growth(peer: Peer, rec: Recorder) -> None:
    peer.script(Serve(end="drop"), Reject(503), Reject(503), Serve())
    backoff = Backoff(initial=0.01, maximum=10.0, multiplier=2.0, jitter=0)
    client = rec.attach(peer.client(reconnect=backoff))
    client.start()
    assert rec.wait_count("open", 2)
    close_and_check(client, rec)
    assert rec.of("reconnect") == [(1, 0.01), (2, 0.02), (3, 0.04)]


def test_close_interrupts_a_long_retry_after(peer: Peer, rec: Recorder) -> None:
    waiting = threading.Event()
    rec.then["reconnect"] = lambda *_a: waiting.set()
    peer.script(Reject(503, {"Retry-After": "3600"}))
    backoff = Backoff(initial=0.02, maximum=3600.0, jitter=0.0)
    client = rec.attach(peer.client(reconnect=backoff, first_connect_timeout=None))
    client.start()
    assert waiting.wait(WAIT)
    close_and_check(client, rec, timeout=2.0)
    assert rec.of("reconnect") == [(1, 3600.0)]
    assert rec.names() == ["error", "reconnect", "close"]


def test_a_handshake_error_keeps_at_most_64_kib_of_body(peer: Peer, rec: Recorder) -> None:
    body = bytes(range(256)) * 400  # 100 KiB
    peer.script(Reject(403, {}, body))
    client = rec.attach(peer.client())
    client.start()
    assert ended(client)
    (error,) = rec.errors()
    assert isinstance(error, HandshakeError)
    assert 0 < len(error.body) <= 64 * 1024
    assert body.startswith(error.body)
