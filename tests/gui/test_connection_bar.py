"""The connection bar against the client's life: any order of events, Enter, history."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from pushsdk import ConnectError, ReadyState
from pushsdk_monitor.connection.clients import Callbacks, ConnectOptions
from pushsdk_monitor.main_window import MainWindow
from pushsdk_monitor.tab import ConnectionTab
from tests.gui.fakes import FakeClient

URL = "ws://fake.test/feed"
POST_URL = "https://llm.test/v1/stream"
WAIT_MS = 5000


class InstantFailure(FakeClient):
    """Fails before start() returns, as an invalid host did on the SDK's thread."""

    def start(self) -> None:
        self.ready_state = ReadyState.CLOSED
        self.closed.set()
        self.callbacks.on_error(self, ConnectError("UnicodeError: label too long"))
        self.callbacks.on_close(self, 1006, "")


def test_sse_post_does_not_reconnect_by_default_and_says_so(qtbot, tab, fake_factory) -> None:
    bar = tab.bar
    bar.set_url(POST_URL)
    assert bar.reconnect_check.isChecked()  # GET streams reconnect
    assert bar.reconnect_note.isHidden()
    bar.method_combo.setCurrentText("POST")
    assert not bar.reconnect_check.isChecked()
    assert bar.reconnect_note.isVisible()
    assert bar.reconnect_note.text() == "off for POST"
    bar.reconnect_check.setChecked(True)  # the user may insist, and is told what it means
    assert bar.reconnect_note.text() == "re-sends the POST"
    bar.set_url(POST_URL + "?again=1")  # typing keeps the choice
    assert bar.reconnect_check.isChecked()
    bar.reconnect_check.setChecked(False)
    bar.connect_button.click()
    assert fake_factory.last.options.reconnect is False
    tab.close_connection()
    bar.method_combo.setCurrentText("GET")
    assert bar.reconnect_check.isChecked()
    assert bar.reconnect_note.isHidden()


def test_options_default_follows_the_sdk() -> None:
    from pushsdk_monitor.connection.clients import Transport, reconnects_by_default

    assert ConnectOptions().reconnect is None
    assert reconnects_by_default(Transport.SSE, "GET")
    assert not reconnects_by_default(Transport.SSE, "POST")
    assert reconnects_by_default(Transport.WEBSOCKET, "POST")  # no method for WebSocket


def test_an_instant_failure_leaves_the_bar_on_connect(qtbot, settings) -> None:
    made: list[InstantFailure] = []

    def factory(url: str, callbacks: Callbacks, options: ConnectOptions) -> InstantFailure:
        made.append(InstantFailure(url, callbacks, options))
        return made[-1]

    tab = ConnectionTab(settings, factory=factory)
    qtbot.addWidget(tab)
    tab.show()
    assert tab.connect_to(URL)
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Closed", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: tab.bar.connect_button.text() == "Connect", timeout=WAIT_MS)
    assert tab.bar.url_combo.isEnabled()
    assert not tab.composer.send_button.isEnabled()
    assert "UnicodeError" in tab.status_panel.error_label.full_text
    tab.bar.connect_button.click()  # and Connect works again
    assert len(made) == 2
    tab.shutdown()


def test_a_client_ending_between_ticks_leaves_the_bar_consistent(qtbot, tab, fake_factory) -> None:
    """Drop, reconnect, give up: the bar says Disconnect exactly while a client runs."""
    assert tab.connect_to(URL)
    client = fake_factory.last
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open", timeout=WAIT_MS)
    assert tab.bar.connect_button.text() == "Disconnect"
    client.do(lambda c: c.drop(0.5, ConnectError("refused")))
    qtbot.waitUntil(lambda: tab.status_panel.status.kind == "reconnecting", timeout=WAIT_MS)
    assert tab.bar.connect_button.text() == "Disconnect"
    client.close()  # gives up: ends for good
    qtbot.waitUntil(lambda: tab.bar.connect_button.text() == "Connect", timeout=WAIT_MS)
    assert tab.status_panel.status.label == "Closed"


def test_a_constructor_refusing_the_url_shows_it_in_red(qtbot, settings) -> None:
    def factory(url: str, callbacks: Callbacks, options: ConnectOptions) -> FakeClient:
        raise ValueError("url: the host has a label longer than 63 characters")

    tab = ConnectionTab(settings, factory=factory)
    qtbot.addWidget(tab)
    assert not tab.connect_to("ws://fine.test/")
    note = tab.status_panel.note_label
    assert "label longer than 63" in note.full_text
    assert "#b3261e" in note.styleSheet()
    assert "#b3261e" in tab.bar.url_combo.styleSheet()
    assert tab.bar.connect_button.text() == "Connect"
    tab.bar.set_url("ws://other.test/")  # editing clears the red outline
    assert "#b3261e" not in tab.bar.url_combo.styleSheet()


@pytest.mark.parametrize(
    ("url", "why"),
    [("ws://" + "a" * 64 + ".test/", "longer than 63"), ("ws://my host.test/", "space")],
)
def test_hosts_no_resolver_accepts_are_refused_before_connecting(
    qtbot, tab, fake_factory, url: str, why: str
) -> None:
    assert not tab.connect_to(url)
    assert why in tab.status_panel.note_label.full_text
    assert fake_factory.clients == []


def test_enter_connects_and_a_second_enter_does_not_disconnect(
    qtbot, fake_window: MainWindow, fake_factory
) -> None:
    tab = fake_window.new_tab()
    edit = tab.bar.url_combo.lineEdit()
    assert edit is not None
    qtbot.keyClicks(edit, URL)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open", timeout=WAIT_MS)
    focus = QApplication.focusWidget()
    assert focus is not tab.bar.connect_button
    assert focus is tab.composer.editor
    qtbot.keyClick(focus, Qt.Key.Key_Return)
    assert tab.controller.connected
    assert len(fake_factory.clients) == 1


def test_enter_in_the_event_key_field_connects(qtbot, tab, fake_factory) -> None:
    tab.bar.set_url(URL)
    qtbot.keyClicks(tab.bar.event_key_edit, "type")
    qtbot.keyClick(tab.bar.event_key_edit, Qt.Key.Key_Return)
    assert fake_factory.last.options.event_key == "type"


def test_history_restores_method_headers_and_body(qtbot, tab, fake_factory, settings) -> None:
    bar = tab.bar
    bar.set_url(POST_URL)
    bar.method_combo.setCurrentText("POST")
    bar.set_options({"Authorization": "Bearer s3cret", "X-Trace": "1"}, '{"prompt": "hi"}')
    bar.connect_button.click()
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open", timeout=WAIT_MS)
    tab.close_connection()
    bar.set_url("http://other.test/")
    bar.method_combo.setCurrentText("GET")
    bar.set_options({})
    combo = bar.url_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [POST_URL]
    combo.setCurrentIndex(0)
    combo.textActivated.emit(POST_URL)  # as a pick from the drop-down
    options = bar.options()
    assert (options.method, options.body, options.reconnect) == ("POST", '{"prompt": "hi"}', False)
    assert options.headers == {"Authorization": "Bearer s3cret", "X-Trace": "1"}
    # The credential is remembered for this run only, never written to disk.
    settings.sync()
    with open(settings.qsettings.fileName(), encoding="utf-8") as file:
        saved = file.read()
    assert "X-Trace" in saved
    assert "s3cret" not in saved


def test_only_urls_that_opened_join_the_history(qtbot, settings) -> None:
    made: list[InstantFailure] = []

    def factory(url: str, callbacks: Callbacks, options: ConnectOptions) -> InstantFailure:
        made.append(InstantFailure(url, callbacks, options))
        return made[-1]

    tab = ConnectionTab(settings, factory=factory)
    qtbot.addWidget(tab)
    assert tab.connect_to("ws://typo.test/")
    qtbot.waitUntil(lambda: tab.bar.connect_button.text() == "Connect", timeout=WAIT_MS)
    assert settings.recent_urls() == []
    tab.shutdown()


def test_typing_a_scheme_and_enter_does_not_complete_to_a_recent_url(
    qtbot, tab, fake_factory, settings
) -> None:
    settings.add_recent_url("ws://recent.test/feed")
    tab.bar.set_recent(settings.recent_urls())
    tab.bar.set_url("")
    edit = tab.bar.url_combo.lineEdit()
    assert edit is not None
    tab.activateWindow()
    edit.setFocus()
    qtbot.keyClicks(edit, "ws://")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert fake_factory.clients == []
    assert tab.bar.url == "ws://"
    assert "no host" in tab.status_panel.note_label.full_text


def test_a_users_disconnect_while_reconnecting_is_not_code_1006(qtbot, tab, fake_factory) -> None:
    assert tab.connect_to(URL)
    client = fake_factory.last
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open", timeout=WAIT_MS)
    client.do(lambda c: c.drop(30.0, ConnectError("refused")))
    qtbot.waitUntil(lambda: tab.status_panel.status.kind == "reconnecting", timeout=WAIT_MS)
    closed = threading.Event()
    client.do(lambda c: closed.set())
    assert closed.wait(5)
    tab.close_connection()
    client.closed.wait(5)
    client.callbacks.on_close(client, 1006, "")  # what the SDK reports then
    tab.controller.flush()
    closes = [r.preview for r in tab.controller.model.records() if r.event == "close"]
    assert closes[-1] == "disconnected by you"
