"""wait_open, ready_state, stats and last_error, seen from outside and from callbacks."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from pushsdk import ConnectError, ConnectionClosed, ReadyState
from tests.common.peers import Peer, Serve, Silent, messages
from tests.common.recorder import Recorder, close_and_check
from tests.ending import ended

WAIT = 5.0


def test_wait_open_true_once_open(peer: Peer, rec: Recorder) -> None:
    client = rec.attach(peer.client())
    assert client.ready_state is ReadyState.CONNECTING
    client.start()
    assert client.wait_open(WAIT) is True
    assert client.wait_open(0) is True
    close_and_check(client, rec)
    assert client.wait_open(0) is False


def test_wait_open_false_on_timeout_and_when_the_client_ends(peer: Peer, rec: Recorder) -> None:
    peer.script(Silent())
    client = rec.attach(peer.client())
    client.start()
    assert peer.wait_attempts(1)
    assert client.wait_open(0.1) is False
    assert client.ready_state is ReadyState.CONNECTING
    close_and_check(client, rec)
    refused = peer.client(url=peer.refused_url, reconnect=False)
    refused.start()
    started = time.monotonic()
    with pytest.raises(ConnectError):  # the error that ended it, not False after WAIT
        refused.wait_open(WAIT)
    assert time.monotonic() - started < WAIT / 2, "wait_open did not return when the client ended"
    assert ended(refused)


def test_ready_state_through_a_reconnect_and_close(peer: Peer, rec: Recorder) -> None:
    peer.script(Serve(messages(1), end="drop"), Serve(messages(1, "n")))
    seen: dict[str, list[ReadyState]] = {}

    def note(client: Any, *_args: object) -> None:
        name = rec.calls[-1].name
        seen.setdefault(name, []).append(client.ready_state)

    for name in ("open", "message", "error", "close", "reconnect"):
        rec.then[name] = note
    client = rec.attach(peer.client())
    states = [client.ready_state]
    client.start()
    assert rec.wait(lambda r: r.count("message") == 2)
    states.append(client.ready_state)
    close_and_check(client, rec)
    states.append(client.ready_state)
    assert states == [ReadyState.CONNECTING, ReadyState.OPEN, ReadyState.CLOSED]
    assert seen["open"] == [ReadyState.OPEN] * 2
    assert seen["message"] == [ReadyState.OPEN] * 2
    assert seen["reconnect"] == [ReadyState.CONNECTING]
    assert seen["close"][-1] is ReadyState.CLOSED  # the final close


def test_close_from_a_callback_switches_to_closing_at_once(peer: Peer, rec: Recorder) -> None:
    states: list[ReadyState] = []

    def close_here(client: Any) -> None:
        client.close()
        states.append(client.ready_state)

    rec.then["open"] = close_here
    client = rec.attach(peer.client())
    client.start()
    assert ended(client)
    close_and_check(client, rec)
    assert states == [ReadyState.CLOSING]


def test_stats_and_last_error(peer: Peer, rec: Recorder) -> None:
    gate = threading.Event()
    peer.script(Serve(messages(3), end="drop", gate=gate), Serve(messages(2, "n")))
    during: list[Any] = []
    rec.then["close"] = lambda c, *_a: during.append(c.stats)
    client = rec.attach(peer.client())
    before = client.stats
    assert (before.messages_in, before.bytes_in, before.reconnects) == (0, 0, 0)
    assert before.connected_since is None
    no_error = client.last_error
    assert no_error is None
    started = time.time()
    client.start()
    assert rec.wait_count("message", 3)
    first = client.stats
    assert first.messages_in == 3
    assert first.bytes_in >= len(b"m0m1m2")
    assert first.reconnects == 0
    assert first.connected_since is not None and started <= first.connected_since <= time.time()
    still_fine = client.last_error
    assert still_fine is None
    gate.set()
    assert rec.wait(lambda r: r.count("message") == 5)
    second = client.stats
    assert second.messages_in == 5 and second.bytes_in > first.bytes_in
    assert second.reconnects == 1
    assert second.connected_since is not None and second.connected_since >= first.connected_since
    assert during[0].connected_since is None  # on_close: no longer connected
    (error,) = rec.errors()
    assert isinstance(error, ConnectionClosed)
    assert client.last_error is error
    close_and_check(client, rec)
    assert client.stats.connected_since is None
    assert client.stats.messages_in == 5
