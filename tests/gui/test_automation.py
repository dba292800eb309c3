"""Automation without code: messages sent on every open, a message repeated on a timer."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import trustme

from pushsdk import ConnectError
from pushsdk_monitor.connection.clients import Callbacks, ConnectOptions, create_client
from pushsdk_monitor.models.records import Direction
from pushsdk_monitor.settings import MonitorSettings
from pushsdk_monitor.tab import ConnectionTab
from tests.gui.fakes import FakeClient, FakeFactory
from tests.servers.raw_ws import RawWSServer
from tests.servers.tls import server_context
from tests.servers.ws_server import WSServer

WAIT_MS = 10_000
SUBSCRIBE = '{"op": "subscribe", "channel": "trades"}'


def out_rows(tab: ConnectionTab) -> list[tuple[str | bytes, str]]:
    return [
        (r.payload, r.note) for r in tab.controller.model.records() if r.direction is Direction.OUT
    ]


def test_on_open_messages_go_after_every_open(qtbot, tab, fake_factory: FakeFactory) -> None:
    options = ConnectOptions(on_open=(SUBSCRIBE, "second"))
    assert tab.connect_to("ws://fake.test/feed", options)
    client = fake_factory.last
    qtbot.waitUntil(lambda: len(client.sent) == 2, timeout=WAIT_MS)
    assert client.sent == [SUBSCRIBE, "second"]
    client.do(lambda c: c.drop(0.05, ConnectError("refused")))
    client.do(FakeClient.open)
    qtbot.waitUntil(lambda: len(client.sent) == 4, timeout=WAIT_MS)
    assert client.sent == [SUBSCRIBE, "second"] * 2
    qtbot.waitUntil(lambda: len(out_rows(tab)) == 4, timeout=WAIT_MS)
    assert all("sent on open" in note for _, note in out_rows(tab))
    assert tab.controller.counters.messages_out == 4


def test_a_repeated_message_goes_only_while_open(qtbot, tab, fake_factory: FakeFactory) -> None:
    options = ConnectOptions(repeat_message="ping", repeat_seconds=0.1)
    assert tab.connect_to("ws://fake.test/feed", options)
    client = fake_factory.last
    qtbot.waitUntil(lambda: len(client.sent) >= 3, timeout=WAIT_MS)
    client.do(lambda c: c.drop(60, ConnectError("refused")))
    qtbot.waitUntil(lambda: tab.status_panel.status.kind == "reconnecting", timeout=WAIT_MS)
    before = len(client.sent)
    qtbot.wait(350)  # three periods while away: nothing sent, nothing queued
    assert (len(client.sent), client.queued) == (before, [])
    tab.close_connection()
    assert not tab.controller.repeating


def test_a_repeat_faster_than_a_tenth_of_a_second_is_refused(tab) -> None:
    assert not tab.connect_to(
        "ws://fake.test/feed", ConnectOptions(repeat_message="x", repeat_seconds=0.01)
    )
    assert "every 0.1 s" in tab.status_panel.note_label.text()


@pytest.fixture(params=["ws", "wss"])
def server(request: pytest.FixtureRequest, ws_ca: trustme.CA) -> Iterator[WSServer]:
    served = WSServer(server_context(ws_ca) if request.param == "wss" else None)
    yield served
    served.stop()


def test_subscribe_again_after_the_server_drops(
    qtbot, settings: MonitorSettings, server: WSServer, ws_ca_file: str
) -> None:
    """On a real server: each connection receives the subscribe first (websocat #304)."""
    firsts: list[str | bytes] = []
    lock = threading.Lock()

    def handler(conn) -> None:  # type: ignore[no-untyped-def]
        first = conn.recv(timeout=5)
        with lock:
            firsts.append(first)
        for _ in conn:
            pass

    server.handler = handler
    tab = ConnectionTab(settings, factory=create_client, capacity=100)
    qtbot.addWidget(tab)
    ca = {"ca_file": ws_ca_file} if server.url.startswith("wss") else {}
    try:
        assert tab.connect_to(server.url, ConnectOptions(on_open=(SUBSCRIBE,), **ca))
        qtbot.waitUntil(lambda: len(firsts) == 1, timeout=WAIT_MS)
        server.drop()
        assert server.wait_connections(2, timeout=10)
        qtbot.waitUntil(lambda: len(firsts) == 2, timeout=WAIT_MS)
        assert firsts == [SUBSCRIBE, SUBSCRIBE]
    finally:
        tab.shutdown()


def test_the_ping_interval_reaches_the_websocket_client(raw_ws_server: RawWSServer) -> None:
    """The option's ping goes on the wire after that much silence (the SDK's own is 20 s)."""

    def ignore(*_: object) -> None:
        return None

    callbacks = Callbacks(ignore, ignore, ignore, ignore, ignore)
    client = create_client(raw_ws_server.url, callbacks, ConnectOptions(ping_interval=0.2))
    client.start()
    try:
        conn = raw_ws_server.accept()
        started = time.monotonic()
        _, opcode, _ = conn.recv_frame(5.0)
        assert opcode == 0x9  # a ping, from a server that said nothing
        assert time.monotonic() - started < 2.0
    finally:
        client.close(timeout=0.2)
