"""A URL typed without a scheme speaks the tab's kind: ws:// in a WebSocket tab,
http:// in an SSE tab (as wscat, websocat and curl assume one); garbage is refused
with what to type."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from pushsdk_monitor.demo_server import DemoServer
from pushsdk_monitor.tab import ConnectionTab

WAIT_MS = 10_000


def type_url(qtbot, tab: ConnectionTab, text: str) -> None:
    """Select the URL field's text, type ``text`` over it and press Enter, as a user does."""
    edit = tab.bar.url_combo.lineEdit()
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_a_new_tab_assumes_ws(qtbot, window, demo_server: DemoServer) -> None:
    tab = window.new_tab()
    typed = f"127.0.0.1:{demo_server.port}/ws"
    type_url(qtbot, tab, typed)
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open", timeout=WAIT_MS)
    assert tab.controller.url == f"ws://{typed}"
    assert tab.bar.url == f"ws://{typed}"  # the field shows what it connected to
    assert tab.bar.transport_label.text() == "WebSocket"
    assert window.settings.recent_urls()[0] == f"ws://{typed}"


def test_an_sse_tab_assumes_http(qtbot, window, demo_server: DemoServer) -> None:
    # The tab's kind is that of the last URL with a scheme it showed: here SSE.
    tab = window.new_tab("http://127.0.0.1:1/old-stream")
    assert tab.bar.transport_label.text() == "SSE"
    typed = f"127.0.0.1:{demo_server.port}/stream"
    tab.bar.url_combo.lineEdit().selectAll()
    qtbot.keyClicks(tab.bar.url_combo.lineEdit(), typed)
    assert tab.bar.transport_label.text() == "SSE"  # while typing, before connecting
    assert "http:// is assumed" in tab.bar.transport_label.toolTip()
    assert tab.bar.method_combo.isVisibleTo(tab)  # SSE tab controls stay
    qtbot.keyClick(tab.bar.url_combo.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open", timeout=WAIT_MS)
    assert tab.controller.url == f"http://{typed}"
    qtbot.waitUntil(lambda: tab.controller.model.rowCount() >= 2, timeout=WAIT_MS)  # events


def test_a_secure_scheme_is_never_assumed(qtbot, fake_window, fake_factory) -> None:
    """wss:// or https:// must be typed, as in curl and wscat: the kind of tab is kept,
    its TLS is not."""
    for secure, assumed in (("wss://feed.test/a", "ws"), ("https://feed.test/a", "http")):
        tab = fake_window.new_tab(secure)
        type_url(qtbot, tab, "feed.test:8443/b")
        assert fake_factory.last.url == f"{assumed}://feed.test:8443/b"


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("hello world", "URL host contains a space"),
        ("localhost:http/feed", "URL port must be a number within 0-65535"),
        (":8080/feed", "URL has no host"),
    ],
)
def test_garbage_is_refused_saying_what_to_type(
    qtbot, fake_window, fake_factory, typed: str, why: str
) -> None:
    tab = fake_window.new_tab()
    type_url(qtbot, tab, typed)
    note = tab.status_panel.note_label.full_text
    assert note == (
        f"Cannot connect to {typed!r}: type host:port/path or a ws://, wss://, http:// or"
        f" https:// URL ({why})"
    )
    assert tab.bar.url == typed  # left as typed, to correct
    assert "b3261e" in tab.bar.url_combo.styleSheet()  # outlined in red
    assert not fake_factory.clients
    assert tab.bar.transport_label.text() == "—"


def test_an_unknown_scheme_is_refused_as_before(qtbot, fake_window) -> None:
    tab = fake_window.new_tab()
    type_url(qtbot, tab, "ftp://example.com/feed")
    assert tab.status_panel.note_label.full_text == (
        "Cannot connect: URL must start with ws://, wss://, http:// or https://"
    )
