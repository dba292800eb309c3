"""start/close/join/run_forever/with/iteration, from every thread and callback."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from pushsdk import ReadyState
from tests.common.peers import Peer, Reject, Serve, messages, payload
from tests.common.recorder import Recorder, close_and_check
from tests.ending import ended

WAIT = 5.0


def _close_from_thread(client: Any) -> threading.Thread:
    thread = threading.Thread(target=client.close, name="closer")
    thread.start()
    return thread


def test_close_from_another_thread(peer: Peer, rec: Recorder) -> None:
    client = rec.attach(peer.client())
    client.start()
    assert client.wait_open(WAIT)
    closer = _close_from_thread(client)
    closer.join(WAIT)
    assert not closer.is_alive()
    assert ended(client)
    assert client.ready_state is ReadyState.CLOSED
    assert rec.names() == ["open", "close"]


@pytest.mark.parametrize(
    ("callback", "expected"),
    [
        ("open", ["open", "close"]),
        ("message", ["open", "close"]),
        ("error", ["open", "error", "close"]),
        ("close", ["open", "error", "close"]),
        # closed while waiting to reconnect: the client's own final on_close follows
        ("reconnect", ["open", "error", "close", "reconnect", "close"]),
    ],
)
def test_close_from_inside_a_callback(
    peer: Peer, rec: Recorder, callback: str, expected: list[str]
) -> None:
    peer.script(Serve(messages(3), end="drop"), Serve(messages(3)))
    returned = threading.Event()
    states: list[ReadyState] = []

    def close_here(client: Any, *_args: object) -> None:
        if returned.is_set():
            return
        client.close()
        states.append(client.ready_state)
        returned.set()

    rec.then[callback] = close_here
    client = rec.attach(peer.client())
    client.start()
    assert returned.wait(WAIT), "close() from a callback did not return"
    assert ended(client)
    close_and_check(client, rec)  # a second close() from outside is harmless
    assert rec.names() == expected  # and no reconnect after close()
    assert states[0] in (ReadyState.CLOSING, ReadyState.CLOSED)
    if callback == "message":
        assert rec.data() == ["m0"]  # nothing is dispatched after close()


def test_close_before_start(peer: Peer, rec: Recorder) -> None:
    client = rec.attach(peer.client())
    client.close()
    assert client.ready_state is ReadyState.CLOSED
    assert client.join(0)
    assert list(client) == []
    with pytest.raises(RuntimeError):
        client.start()
    assert peer.attempts == 0
    assert rec.calls == []


def test_close_twice_and_join_after_close(peer: Peer, rec: Recorder) -> None:
    client = rec.attach(peer.client())
    client.start()
    assert client.wait_open(WAIT)
    close_and_check(client, rec)
    close_and_check(client, rec)
    assert client.join()
    assert client.join(0)
    assert rec.names() == ["open", "close"]


def test_run_forever_in_a_thread_of_our_own(peer: Peer, rec: Recorder) -> None:
    peer.script(Serve(messages(2)))
    client = rec.attach(peer.client())
    returned = threading.Event()

    def run() -> None:
        client.run_forever()
        returned.set()

    runner = threading.Thread(target=run, name="runner")
    runner.start()
    try:
        assert rec.wait_count("message", 2)
        assert {call.thread for call in rec.calls} == {runner.ident}
        with pytest.raises(RuntimeError):
            client.start()
    finally:
        close_and_check(client, rec)
        runner.join(WAIT)
    assert returned.is_set() and not runner.is_alive()


def test_context_manager(peer: Peer, rec: Recorder) -> None:
    with rec.attach(peer.client()) as client:
        assert client.wait_open(WAIT)
        opened = client.ready_state
    rec.closed()
    assert opened is ReadyState.OPEN
    assert client.ready_state is ReadyState.CLOSED
    assert client.join(0)
    assert rec.names() == ["open", "close"]


def test_iteration_ends_when_the_client_ends_for_good(peer: Peer) -> None:
    peer.script(Serve(messages(5), end="close"))
    client = peer.client(reconnect=False)
    client.start()
    got = [message.data for message in client]  # no callbacks: nothing is missed
    assert got == [f"m{i}" for i in range(5)]
    assert client.ready_state is ReadyState.CLOSED
    assert ended(client)


def test_iteration_ends_when_closed_from_another_thread(peer: Peer) -> None:
    peer.script(Serve(messages(3)))
    client = peer.client()
    client.start()
    got = []
    closer: threading.Thread | None = None
    for message in client:
        got.append(message.data)
        if len(got) == 3:
            closer = _close_from_thread(client)
    assert got == ["m0", "m1", "m2"]
    assert closer is not None
    closer.join(WAIT)


def test_messages_timeout_raises_timeout_error(peer: Peer) -> None:
    peer.script(Serve(messages(1)))
    with peer.client() as client:
        stream = client.messages(timeout=0.2)
        assert next(stream).data == "m0"
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            next(stream)
        assert time.monotonic() - started >= 0.15


def test_iterating_a_never_started_client_raises(peer: Peer) -> None:
    client = peer.client()
    with pytest.raises(RuntimeError):
        iter(client)
    with pytest.raises(RuntimeError):
        client.messages(1.0)
    with pytest.raises(RuntimeError):
        client.join(0)


def test_start_twice_raises(peer: Peer) -> None:
    client = peer.client()
    client.start()
    try:
        with pytest.raises(RuntimeError):
            client.start()
        with pytest.raises(RuntimeError):
            client.run_forever()
    finally:
        client.close()


def test_close_after_the_client_ended_by_itself(peer: Peer, rec: Recorder) -> None:
    peer.script(Reject(404))
    client = rec.attach(peer.client())
    client.start()
    assert ended(client)
    close_and_check(client, rec)
    assert rec.names() == ["error", "close"]


def test_iteration_yields_every_event_name_in_order(peer: Peer) -> None:
    mixed = [("message", "a"), ("ping", "p"), ("message", "b"), ("pong", "q")]
    peer.script(Serve(mixed, end="close"))
    client = peer.client(reconnect=False)
    client.start()
    got = [(message.event, payload(message)) for message in client]
    assert got == mixed


def test_close_from_several_threads_at_once(peer: Peer, rec: Recorder) -> None:
    peer.script(Serve(messages(1000), interval=0.0005))
    client = rec.attach(peer.client())
    client.start()
    assert rec.wait_count("message", 10)
    closers = [_close_from_thread(client) for _ in range(4)]
    close_and_check(client, rec)
    for closer in closers:
        closer.join(WAIT)
        assert not closer.is_alive()
    assert rec.names() == ["open", "close"]


def test_no_callback_after_close_returns_while_messages_flood(peer: Peer, rec: Recorder) -> None:
    peer.script(Serve(messages(5000)))
    rec.then["message"] = lambda *_a: time.sleep(0.0005)
    client = rec.attach(peer.client())
    client.start()
    assert rec.wait_count("message", 20)
    close_and_check(client, rec)
    count = len(rec.calls)
    time.sleep(0.05)  # a callback that slipped through would show up here
    assert len(rec.calls) == count and not rec.violations


def test_a_callback_stuck_past_the_close_timeout_is_silenced(
    peer: Peer, rec: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    peer.script(Serve(messages(3)))
    entered, release = threading.Event(), threading.Event()

    def stuck(*_args: object) -> None:
        entered.set()
        release.wait(WAIT)

    rec.then["message"] = stuck
    client = rec.attach(peer.client())
    client.start()
    try:
        assert entered.wait(WAIT)
        started = time.monotonic()
        client.close(timeout=0.1)
        rec.closed()
        assert time.monotonic() - started < 3.0, "close() waited for the stuck callback"
        assert any("silenced" in r.getMessage() for r in caplog.records)
    finally:
        release.set()
    assert ended(client)
    assert not rec.violations, rec.violations  # not even the final on_close
    assert rec.names(messages=True) == ["open", "message"]


@pytest.mark.parametrize(
    ("method", "callback"),
    [("join", "open"), ("join", "close"), ("wait_open", "reconnect"), ("messages", "message")],
)
def test_waiting_on_the_client_from_its_own_callback_raises(
    peer: Peer, rec: Recorder, method: str, callback: str
) -> None:
    """It could only deadlock (as Thread.join() of the current thread would)."""
    peer.script(Serve(messages(1), end="drop"), Serve())
    calls = {
        "join": lambda c: c.join(),
        "wait_open": lambda c: c.wait_open(),
        "messages": lambda c: next(iter(c.messages())),
    }
    done = threading.Event()

    def wait_on_self(client: Any, *_args: object) -> None:
        if not done.is_set():
            done.set()
            calls[method](client)

    rec.then[callback] = wait_on_self
    client = rec.attach(peer.client())
    client.start()
    assert rec.wait(lambda r: any(isinstance(e.__cause__, RuntimeError) for e in r.errors()))
    assert rec.wait_count("open", 2 if callback != "close" else 1)
    close_and_check(client, rec)


def test_close_code_and_reason_reach_on_close(peer: Peer, rec: Recorder) -> None:
    client = rec.attach(peer.client())
    client.start()
    assert client.wait_open(WAIT)
    client.close(code=4001, reason="done here")
    rec.closed()
    expected = (4001, "done here") if peer.kind == "ws" else (None, "done here")
    assert rec.of("close") == [expected]
