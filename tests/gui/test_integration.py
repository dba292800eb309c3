"""The monitor on the real clients against the real demo server."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from pushsdk_monitor.demo_server import DemoServer
from pushsdk_monitor.models.records import Direction
from pushsdk_monitor.tab import ConnectionTab

WAIT_MS = 10_000
# The SSE client is written in parallel with the monitor; its tests run once it exists.
needs_sse = pytest.mark.skipif(
    importlib.util.find_spec("pushsdk.sse") is None, reason="pushsdk.sse not written yet"
)


def previews(tab: ConnectionTab, direction: Direction | None = None) -> list[str]:
    proxy = tab.controller.proxy
    records = (proxy.record(i) for i in range(proxy.rowCount()))
    return [r.preview for r in records if direction is None or r.direction is direction]


def test_websocket_tab_shows_ticks_and_echoes(qtbot, window, demo_server: DemoServer) -> None:
    tab = window.new_tab(demo_server.ws_url, connect=True)
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open", timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: sum(p.startswith("Server time: ") for p in previews(tab)) >= 3, timeout=WAIT_MS
    )
    tab.composer.editor.setPlainText("hello monitor")
    qtbot.keyClick(tab.composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: "Server received: hello monitor" in previews(tab, Direction.IN), timeout=WAIT_MS
    )
    assert "hello monitor" in previews(tab, Direction.OUT)
    shown = previews(tab)  # the message comes before the reply to it
    assert shown.index("hello monitor") < shown.index("Server received: hello monitor")
    tab.composer.encoding_combo.setCurrentText("JSON")
    tab.composer.editor.setPlainText('{"op": "ping"}')
    tab.composer.submit()
    qtbot.waitUntil(
        lambda: 'Server received: {"op": "ping"}' in previews(tab, Direction.IN), timeout=WAIT_MS
    )
    assert window.tabs.tabText(0) == f"127.0.0.1:{demo_server.port}/ws"


def test_badge_through_a_server_restart(qtbot, window, demo_server: DemoServer) -> None:
    tab = window.new_tab(demo_server.ws_url, connect=True)
    status = tab.status_panel
    qtbot.waitUntil(lambda: status.status.label == "Open", timeout=WAIT_MS)
    demo_server.stop()
    qtbot.waitUntil(lambda: status.status.kind == "reconnecting", timeout=WAIT_MS)
    assert "close" in [r.event for r in tab.controller.model.records()]
    with DemoServer(port=demo_server.port, interval=0.05):
        qtbot.waitUntil(lambda: status.status.label == "Open", timeout=WAIT_MS)
        qtbot.waitUntil(
            lambda: "<b>1</b> reconnects" in tab.status_panel.counters_label.text(),
            timeout=WAIT_MS,
        )
        events = [r.event for r in tab.controller.model.records()]
        assert events.count("open") == 2
        assert "reconnect" in events
        window.close_tab(0)  # returns at once; the client closes in the background


def test_a_send_while_the_server_is_away_is_queued_then_sent(
    qtbot, window, demo_server: DemoServer
) -> None:
    tab = window.new_tab(demo_server.ws_url, connect=True)
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open", timeout=WAIT_MS)
    demo_server.stop()
    qtbot.waitUntil(lambda: tab.status_panel.status.kind == "reconnecting", timeout=WAIT_MS)
    tab.composer.editor.setPlainText("while away")
    tab.composer.submit()
    tab.controller.flush()
    model = tab.controller.model

    def direction_of(text: str) -> str:
        row = next(r for r in range(model.rowCount()) if model.record(r).payload == text)
        return str(model.data(model.index(row, 1)))

    assert direction_of("while away") == "◷ queued"
    assert "<b>0</b> out" in tab.status_panel.counters_label.text()
    with DemoServer(port=demo_server.port, interval=0.05):
        qtbot.waitUntil(lambda: direction_of("while away") == "▲ out", timeout=WAIT_MS)
        qtbot.waitUntil(
            lambda: "Server received: while away" in previews(tab, Direction.IN), timeout=WAIT_MS
        )
        assert "<b>1</b> out" in tab.status_panel.counters_label.text()
        window.close_tab(0)


@needs_sse
def test_sse_tab_shows_events_with_ids(qtbot, window, demo_server: DemoServer) -> None:
    tab = window.new_tab(demo_server.sse_url, connect=True)
    assert tab.composer.isHidden()
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open", timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: {"message", "ping"} <= {r.event for r in tab.controller.model.records()},
        timeout=WAIT_MS,
    )
    records = [r for r in tab.controller.model.records() if r.direction is Direction.IN]
    assert records[0].preview.startswith("Connection established!")
    assert all(r.id for r in records[1:])
    tab.filter_bar.set_event_shown("ping", False)
    assert "ping" not in {
        tab.controller.proxy.record(i).event for i in range(tab.controller.proxy.rowCount())
    }


@needs_sse
def test_demo_screenshot(qtbot, tmp_path: Path) -> None:
    from pushsdk_monitor.__main__ import main

    path = tmp_path / "shot.png"
    assert main(["--demo", "--screenshot", str(path), "--after", "1.5"]) == 0
    image = QImage(str(path))
    assert image.width() >= 1000 and image.height() >= 600


@needs_sse
def test_sse_post_stream_sends_method_body_and_headers(qtbot, window, sse_server) -> None:
    tab = window.new_tab(sse_server.url)
    tab.bar.method_combo.setCurrentText("POST")
    tab.bar.set_options({"Authorization": "Bearer secret"}, '{"prompt": "hi"}')
    assert tab.connect_to(sse_server.url)
    (request,) = sse_server.wait_requests(1)
    assert (request.method, request.body) == ("POST", b'{"prompt": "hi"}')
    assert request.headers["authorization"] == "Bearer secret"
    assert request.headers["content-type"] == "application/json"
    sse_server.push("event: token\nid: 1\ndata: Hel\n\n")
    qtbot.waitUntil(lambda: "Hel" in previews(tab, Direction.IN), timeout=WAIT_MS)
    assert tab.controller.model.records()[-1].event == "token"


@needs_sse
def test_a_finished_sse_post_stream_is_not_sent_again(qtbot, window, sse_server) -> None:
    """An LLM-style stream ends after [DONE]: one billed request, not one a second."""
    tab = window.new_tab(sse_server.url)
    tab.bar.method_combo.setCurrentText("POST")
    tab.bar.set_options({"Authorization": "Bearer secret"}, '{"prompt": "hi"}')
    assert not tab.bar.reconnect_check.isChecked()
    assert tab.connect_to(sse_server.url)
    sse_server.push("data: Hel\n\n")
    sse_server.push("data: [DONE]\n\n")
    sse_server.push(None)  # the server ends the response cleanly
    qtbot.waitUntil(lambda: tab.bar.connect_button.text() == "Connect", timeout=WAIT_MS)
    assert "[DONE]" in previews(tab, Direction.IN)
    assert tab.status_panel.status.label == "Closed"
    assert len(sse_server.requests) == 1
    closes = [r.preview for r in tab.controller.model.records() if r.event == "close"]
    assert closes and "stream ended end of stream" not in closes


@needs_sse
def test_http_404_ends_the_client_and_says_why(qtbot, window, sse_server) -> None:
    sse_server.handler = lambda conn: conn.respond(404, body=b"no such stream")
    tab = window.new_tab(sse_server.url, connect=True)
    qtbot.waitUntil(lambda: tab.bar.connect_button.text() == "Connect", timeout=WAIT_MS)
    assert tab.status_panel.status.label == "Closed"
    assert "404" in tab.status_panel.error_label.full_text
    assert "HandshakeError" in tab.status_panel.error_label.full_text


@needs_sse
def test_closing_tabs_on_hung_servers_returns_at_once(
    qtbot, window, raw_ws_server, stalled_connect_url
) -> None:
    """A server that never answers a close, and one that never accepts: no GUI wait."""
    ws_tab = window.new_tab(raw_ws_server.url, connect=True)
    raw_ws_server.accept()  # handshake done; the server now ignores everything
    qtbot.waitUntil(lambda: ws_tab.status_panel.status.label == "Open", timeout=WAIT_MS)
    window.new_tab(stalled_connect_url, connect=True)
    started = time.monotonic()
    window.close_tab(1)
    window.close_tab(0)
    assert time.monotonic() - started < 0.3
    # the autouse fixtures then check every client thread ends within seconds


def test_counters_show_the_negotiated_compression(qtbot, window, demo_server: DemoServer) -> None:
    """The demo server (aiohttp) agrees to permessage-deflate: the tab says so, with ratios."""
    tab = window.new_tab(demo_server.ws_url, connect=True)
    label = tab.status_panel.counters_label
    qtbot.waitUntil(lambda: "permessage-deflate" in label.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "x in" in label.text(), timeout=WAIT_MS)
