"""Threading rules: one client thread, one callback at a time, in order; on()/off()
from anywhere; a raising callback becomes a CallbackError (SPEC: Threading rules)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterable

import pytest

from pushsdk import CallbackError, Message
from pushsdk._signals import start_without_signals
from tests.common.peers import Peer, Serve, messages
from tests.common.recorder import Recorder, close_and_check

COUNT = 200


def test_callbacks_run_on_the_client_thread_one_at_a_time_in_order(
    peer: Peer, rec: Recorder
) -> None:
    peer.script(Serve(messages(COUNT), end="drop"), Serve(messages(3, "n")))
    client = rec.attach(peer.client())
    client.start()
    assert rec.wait(lambda r: r.count("open") == 2 and r.count("message") == COUNT + 3)
    close_and_check(client, rec)
    threads = {call.thread for call in rec.calls}
    assert len(threads) == 1 and threading.get_ident() not in threads
    assert rec.data() == [f"m{i}" for i in range(COUNT)] + ["n0", "n1", "n2"]
    assert not rec.violations  # no two callbacks overlapped


@pytest.mark.parametrize("where", ["on_open", "on_message", "handler"])
def test_a_raising_callback_is_reported_logged_and_survived(
    peer: Peer, rec: Recorder, where: str, caplog: pytest.LogCaptureFixture
) -> None:
    boom = RuntimeError("boom")

    def explode(*_args: object) -> None:
        raise boom

    peer.script(Serve([*messages(3), ("ping", "p")]))
    client = rec.attach(peer.client())
    if where == "handler":
        client.on("ping", explode)
    else:
        rec.then["open" if where == "on_open" else "message"] = explode
    with caplog.at_level(logging.ERROR, logger=peer.logger):
        client.start()
        assert rec.wait_count("message", 3)
        assert rec.wait(lambda r: r.count("error") >= 1)
        close_and_check(client, rec)
    errors = rec.errors()
    assert errors and all(isinstance(e, CallbackError) for e in errors)
    assert all(e.__cause__ is boom for e in errors)
    assert len(errors) == (3 if where == "on_message" else 1)
    assert client.last_error is errors[-1]
    assert rec.data() == ["m0", "m1", "m2"]  # the client kept receiving
    logged = [r for r in caplog.records if r.name == peer.logger and r.exc_info]
    assert logged and all(r.exc_info[1] is boom for r in logged)  # type: ignore[index]


def test_a_raising_on_error_is_only_logged(
    peer: Peer, rec: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    peer.script(Serve(messages(1), end="drop"), Serve(messages(1, "n")))
    client = rec.attach(peer.client())

    def fail(*_args: object) -> None:
        raise ValueError("on_error itself failed")

    rec.then["error"] = fail
    with caplog.at_level(logging.ERROR, logger=peer.logger):
        client.start()
        assert rec.wait(lambda r: r.count("open") == 2 and r.count("message") == 2)
        close_and_check(client, rec)
    assert rec.names() == ["open", "error", "close", "reconnect", "open", "close"]
    assert not any(isinstance(e, CallbackError) for e in rec.errors())
    assert any(isinstance(r.exc_info[1], ValueError) for r in caplog.records if r.exc_info), (
        "the failing on_error was not logged"
    )


def test_on_and_off_from_another_thread_while_messages_flow(peer: Peer) -> None:
    peer.script(Serve(messages(COUNT), interval=0.001))
    seen: list[str] = []
    always: list[str] = []
    done = threading.Event()
    client = peer.client()

    def toggled(_client: object, message: Message) -> None:
        seen.append(str(message.data))

    def every(_client: object, message: Message) -> None:
        always.append(str(message.data))
        if message.data == f"m{COUNT - 1}":
            done.set()

    client.on("message", every)
    client.start()
    while not done.is_set():
        client.on("message", toggled)
        client.off("message", toggled)
        done.wait(0.001)
    client.close()
    assert always == [f"m{i}" for i in range(COUNT)]
    assert set(seen) <= set(always)
    assert client.last_error is None


def test_on_and_off_from_inside_callbacks(peer: Peer) -> None:
    peer.script(Serve(messages(5)))
    once: list[str] = []
    later: list[str] = []
    got_all = threading.Event()
    client = peer.client()

    def only_once(c: object, message: Message) -> None:
        once.append(str(message.data))
        client.off("message", only_once)

    def added_later(_c: object, message: Message) -> None:
        later.append(str(message.data))
        if message.data == "m4":
            got_all.set()

    def adder(_c: object, message: Message) -> None:
        if message.data == "m1":
            client.on("message", added_later)

    client.on("message", only_once)
    client.on("message", adder)
    client.start()
    assert got_all.wait(5)
    client.close()
    assert once == ["m0"]
    assert later == [
        "m2",
        "m3",
        "m4",
    ]  # added while m1 was dispatched: from the next one (as in a browser)


def test_a_raising_on_close_does_not_follow_the_final_close(
    peer: Peer, rec: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    """on_close stays the last callback; the failure is still logged (and reported to
    on_error when the client goes on: before on_reconnect)."""
    peer.script(Serve(end="drop"), Serve())
    boom = RuntimeError("on_close failed")

    def fail(*_args: object) -> None:
        raise boom

    rec.then["close"] = fail
    client = rec.attach(peer.client())
    with caplog.at_level(logging.ERROR, logger=peer.logger):
        client.start()
        assert rec.wait_count("open", 2)
        close_and_check(client, rec)
    assert rec.names() == ["open", "error", "close", "error", "reconnect", "open", "close"]
    callback_errors = [e for e in rec.errors() if isinstance(e, CallbackError)]
    assert len(callback_errors) == 1 and callback_errors[0].__cause__ is boom
    assert sum(1 for r in caplog.records if r.exc_info and r.exc_info[1] is boom) == 2


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="no signal masks (Windows)")
def test_the_client_thread_leaves_ctrl_c_to_the_main_thread(peer: Peer) -> None:
    """The kernel gives Ctrl+C to any thread that does not block it, and only the main
    thread runs Python's handler: the client thread must block it, or a main thread
    waiting in join() or ``for message in client`` may never see it."""
    peer.script(Serve(messages(1)))
    masks: list[set[int]] = []
    opened = threading.Event()

    def on_open(_client: object) -> None:
        masks.append(set(signal.pthread_sigmask(signal.SIG_BLOCK, [])))
        opened.set()

    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    client = peer.client(on_open=on_open)
    client.start()
    try:
        assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before  # the caller's is kept
        assert opened.wait(10)
    finally:
        client.close()
    assert {signal.SIGINT, signal.SIGTERM} <= masks[0]


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="no signal masks (Windows)")
def test_a_ctrl_c_as_a_thread_starts_leaves_no_signal_blocked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CPython runs a pending Ctrl+C handler inside ``pthread_sigmask``, after the mask
    changed. Raised while a client's thread starts (``start()``, ``run_forever()``'s
    helpers), that KeyboardInterrupt must not leave the caller's signals blocked:
    every later Ctrl+C would then wait, unseen, for ever."""
    real = signal.pthread_sigmask
    before = real(signal.SIG_BLOCK, [])

    def ctrl_c_pending(how: int, mask: Iterable[int]) -> set[int]:
        previous = real(how, mask)
        if how == signal.SIG_BLOCK and signal.SIGINT in set(mask):
            raise KeyboardInterrupt  # what the pending handler raises as the call returns
        return previous

    monkeypatch.setattr(signal, "pthread_sigmask", ctrl_c_pending)
    thread = threading.Thread(target=lambda: None)
    try:
        with pytest.raises(KeyboardInterrupt):
            start_without_signals(thread)
        assert real(signal.SIG_BLOCK, []) == before
    finally:
        real(signal.SIG_SETMASK, before)  # a failure must not break Ctrl+C for later tests
