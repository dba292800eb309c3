"""on()/off() and the decorator form, "*", on_message, and the Message handed over."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest

from pushsdk import Message
from tests.common.peers import Peer, Serve, payload
from tests.common.recorder import Recorder, close_and_check

MIXED = [("message", "a"), ("ping", "p1"), ("message", "b"), ("pong", "q"), ("ping", "p2")]


def test_event_routing(peer: Peer, rec: Recorder) -> None:
    peer.script(Serve(MIXED))
    client = rec.attach(peer.client())
    pings: list[Message] = []
    every: list[Message] = []
    removed: list[Message] = []
    done = threading.Event()

    @client.on("ping")
    def on_ping(_client: object, message: Message) -> None:
        pings.append(message)

    def on_any(_client: object, message: Message) -> None:
        every.append(message)
        if len(every) == len(MIXED):
            done.set()

    def never(_client: object, message: Message) -> None:
        removed.append(message)

    assert client.on("*", on_any) is on_any
    client.on("pong", never)
    client.off("pong", never)
    client.off("pong", never)  # removing twice is harmless
    assert callable(on_ping) and on_ping.__name__ == "on_ping"  # the decorator returns it
    client.start()
    assert done.wait(5)
    close_and_check(client, rec)
    assert [payload(m) for m in pings] == ["p1", "p2"]
    assert [m.event for m in pings] == ["ping", "ping"]
    assert [(m.event, payload(m)) for m in every] == [(e, d) for e, d in MIXED]
    assert [m.event for m in rec.messages()] == ["message", "message"]
    assert rec.data() == ["a", "b"]
    assert removed == []


def test_off_without_a_handler_removes_them_all(peer: Peer) -> None:
    peer.script(Serve([("ping", "p"), ("message", "end")]))
    pings: list[Message] = []
    done = threading.Event()
    client = peer.client(on_message=lambda _c, _m: done.set())
    client.on("ping", lambda _c, m: pings.append(m))
    client.on("ping", lambda _c, m: pings.append(m))
    client.off("ping")
    client.start()
    assert done.wait(5)
    client.close()
    assert pings == []


@pytest.mark.parametrize("event", ["", None, 3])
def test_a_bad_event_name_is_refused(peer: Peer, event: object) -> None:
    client = peer.client()
    with pytest.raises((ValueError, TypeError)):
        client.on(event, lambda _c, _m: None)  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        client.on("ping", "not callable")  # type: ignore[call-overload]


def test_messages_are_frozen_and_say_where_and_when(peer: Peer, rec: Recorder) -> None:
    peer.script(Serve([("message", "hello")]))
    client = rec.attach(peer.client())
    before = time.time()
    client.start()
    assert rec.wait_count("message")
    after = time.time()
    close_and_check(client, rec)
    (message,) = rec.messages()
    assert isinstance(message, Message)
    assert message.data == "hello" and message.event == "message"
    assert message.origin == peer.url
    assert before <= message.received_at <= after
    if peer.kind == "ws":
        assert message.id is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.data = "changed"  # type: ignore[misc]
