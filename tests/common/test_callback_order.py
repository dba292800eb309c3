"""Callback order across drops and reconnects, and when on_close fires (SPEC: Common)."""

from __future__ import annotations

import itertools
import time

import pytest

from pushsdk import Backoff, ConnectError, ConnectionClosed, PushError, ReadyState
from tests.common.peers import FAST, Peer, Reject, Serve, Silent, messages
from tests.common.recorder import Recorder, close_and_check
from tests.ending import ended


def abnormal(peer: Peer) -> int | None:
    return 1006 if peer.kind == "ws" else None


def test_a_drop_gives_error_close_reconnect_open(peer: Peer, rec: Recorder) -> None:
    peer.script(Serve(messages(2), end="drop"), Serve())
    client = rec.attach(peer.client())
    client.start()
    assert rec.wait_count("open", 2)
    close_and_check(client, rec)
    assert rec.names() == ["open", "error", "close", "reconnect", "open", "close"]
    assert rec.data() == ["m0", "m1"]
    assert isinstance(rec.errors()[0], PushError)
    assert rec.of("reconnect") == [(1, FAST.initial)]


def test_a_clean_end_is_not_an_error(peer: Peer, rec: Recorder) -> None:
    peer.script(Serve(messages(1), end="close"), Serve())
    client = rec.attach(peer.client())
    client.start()
    assert rec.wait_count("open", 2)
    close_and_check(client, rec)
    assert rec.names() == ["open", "close", "reconnect", "open", "close"]
    assert rec.of("close")[0] == ((1000, "bye") if peer.kind == "ws" else (None, "end of stream"))


def test_attempt_counts_from_one_and_resets_after_an_open(peer: Peer, rec: Recorder) -> None:
    peer.script(Reject(503), Reject(503), Serve(end="drop"), Reject(503), Serve())
    client = rec.attach(peer.client())
    client.start()
    assert rec.wait_count("open", 2)
    close_and_check(client, rec)
    assert rec.names() == [
        "error", "reconnect", "error", "reconnect", "open",
        "error", "close", "reconnect", "error", "reconnect", "open", "close",
    ]  # fmt: skip
    assert [attempt for attempt, _delay in rec.of("reconnect")] == [1, 2, 1, 2]


def test_on_close_reports_the_end_of_each_connection_once(peer: Peer, rec: Recorder) -> None:
    peer.script(Serve(end="drop"), Serve(end="close"), Serve(end="drop"), Serve())
    client = rec.attach(peer.client())
    client.start()
    assert rec.wait_count("open", 4)
    close_and_check(client, rec)
    assert rec.count("open") == rec.count("close") == 4
    names = rec.names()
    assert all(a != b for a, b in itertools.pairwise(names) if a in ("open", "close"))


def test_a_fatal_handshake_ends_with_error_then_close(peer: Peer, rec: Recorder) -> None:
    peer.script(Reject(401))
    client = rec.attach(peer.client())
    client.start()
    assert ended(client, 5)
    rec.closed()
    assert rec.names() == ["error", "close"]
    assert rec.of("close") == [(abnormal(peer), "")]
    assert client.ready_state is ReadyState.CLOSED


def test_max_attempts_spent_ends_with_one_close(peer: Peer, rec: Recorder) -> None:
    client = rec.attach(peer.client(url=peer.refused_url, reconnect=Backoff(
        initial=0.01, jitter=0, max_attempts=2)))  # fmt: skip
    client.start()
    assert ended(client, 5)
    assert rec.names() == ["error", "reconnect", "error", "reconnect", "error", "close"]
    assert rec.of("close") == [(abnormal(peer), "")]
    assert all(isinstance(e, ConnectError) for e in rec.errors())


def test_close_while_connecting_gives_one_abnormal_close(peer: Peer, rec: Recorder) -> None:
    peer.script(Silent())
    client = rec.attach(peer.client())
    client.start()
    assert peer.wait_attempts(1)
    started = time.monotonic()
    close_and_check(client, rec)
    assert time.monotonic() - started < 2.0, "close() while connecting did not interrupt"
    assert rec.names() == ["close"]
    assert rec.of("close") == [(abnormal(peer), "")]


def test_close_during_a_tcp_connect_that_hangs(
    peer: Peer, rec: Recorder, stalled_connect_url: str
) -> None:
    url = stalled_connect_url.replace("http://", "ws://") if peer.kind == "ws" else None
    client = rec.attach(peer.client(url=url or stalled_connect_url))
    client.start()
    assert client.wait_open(0.2) is False
    started = time.monotonic()
    close_and_check(client, rec)
    assert time.monotonic() - started < 2.0, "close() did not interrupt the TCP connect"
    assert rec.of("close") == [(abnormal(peer), "")]


def test_close_while_waiting_to_reconnect_gives_one_abnormal_close(
    peer: Peer, rec: Recorder
) -> None:
    client = rec.attach(peer.client(url=peer.refused_url, reconnect=Backoff(
        initial=30.0, jitter=0), first_connect_timeout=None))  # fmt: skip
    client.start()
    assert rec.wait_count("reconnect")
    started = time.monotonic()
    close_and_check(client, rec)
    assert time.monotonic() - started < 2.0, "close() did not cut the backoff wait short"
    assert rec.names() == ["error", "reconnect", "close"]
    assert rec.of("close") == [(abnormal(peer), "")]


def test_close_of_an_open_connection_is_the_last_callback(peer: Peer, rec: Recorder) -> None:
    peer.script(Serve(messages(50), interval=0.001))
    client = rec.attach(peer.client())
    client.start()
    assert rec.wait_count("message", 5)
    close_and_check(client, rec)
    assert rec.names() == ["open", "close"]
    code, _reason = rec.of("close")[0]
    assert code == (1000 if peer.kind == "ws" else None)


@pytest.mark.parametrize("peer", ["sse"], indirect=True)
def test_a_stream_cut_inside_a_chunked_body_is_an_error(peer: Peer, rec: Recorder) -> None:
    """A FIN before the last chunk is a dropped connection, not a clean end of stream."""
    peer.script(Serve(messages(2), end="cut"), Serve())
    client = rec.attach(peer.client())
    client.start()
    assert rec.wait_count("open", 2)
    close_and_check(client, rec)
    assert rec.names() == ["open", "error", "close", "reconnect", "open", "close"]
    assert isinstance(rec.errors()[0], ConnectionClosed)
