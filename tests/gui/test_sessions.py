"""Saved sessions: open tabs restored with their requests, named requests, secrets kept
on disk only when asked and masked on screen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from pushsdk_monitor.connection.clients import ConnectOptions
from pushsdk_monitor.main_window import MainWindow
from pushsdk_monitor.sessions.serialize import (
    TabState,
    options_from_dict,
    options_to_dict,
    tab_from_dict,
)
from pushsdk_monitor.settings import MonitorSettings
from tests.gui.fakes import FakeFactory

SECRET = "Bearer sk-live-123456789"
FULL = ConnectOptions(
    headers={"Authorization": SECRET, "X-Trace": "1"},
    reconnect=False,
    method="POST",
    body='{"q": 1}',
    subprotocols=("v2",),
    verify=False,
    proxy="http://127.0.0.1:3128",
    close_code=4000,
    close_reason="bye",
    ping_interval=5.0,
    on_open=("sub",),
    repeat_message="ping",
    repeat_seconds=2.0,
)


def reopen(settings: MonitorSettings) -> MonitorSettings:
    settings.sync()
    qsettings = settings.qsettings
    return MonitorSettings(QSettings(qsettings.fileName(), qsettings.format()))


def test_options_round_trip_without_secrets_unless_asked() -> None:
    kept = options_from_dict(options_to_dict(FULL, keep_secrets=True))
    assert kept == FULL
    dropped = options_from_dict(options_to_dict(FULL, keep_secrets=False))
    assert dropped.headers == {"X-Trace": "1"}
    assert dropped == ConnectOptions(**{**FULL.__dict__, "headers": {"X-Trace": "1"}})
    assert options_to_dict(ConnectOptions(), keep_secrets=False) == {}


def test_damaged_data_gives_defaults() -> None:
    assert options_from_dict("nonsense") == ConnectOptions()
    bad = {"close_code": "x", "verify": "yes", "subprotocols": 3, "headers": [], "nope": 1}
    assert options_from_dict(bad) == ConnectOptions()
    assert options_from_dict({"ca_file": "/no/such.pem", "proxy": "http://p:1"}).ca_file == ""
    assert tab_from_dict({"url": 3}) is None
    assert tab_from_dict({"url": "ws://h"}) == TabState("ws://h")


def test_tabs_come_back_with_requests_and_history(qtbot, settings, fake_factory) -> None:
    window = MainWindow(settings, factory=fake_factory)
    qtbot.addWidget(window)
    live = window.new_tab(
        "ws://fake.test/live", connect=True, options=ConnectOptions(on_open=("s",))
    )
    qtbot.waitUntil(lambda: live.status_panel.status.label == "Open")
    live.composer.editor.setPlainText("hello")
    live.composer.submit()
    post = window.new_tab("http://fake.test/llm", options=FULL)
    post.composer.set_history(["unused"])
    window.new_tab()  # empty: not saved
    window.close()

    factory = FakeFactory()
    again = MainWindow(reopen(settings), factory=factory)
    qtbot.addWidget(again)
    assert again.restore_tabs() == 2
    first, second = again.all_tabs()
    assert first.bar.url == "ws://fake.test/live"
    assert first.bar.options().on_open == ("s",)
    assert first.composer.history == ["hello"]
    assert first.controller.connected  # it was live, and a WebSocket may reconnect
    assert second.bar.url == "http://fake.test/llm"
    assert not second.controller.connected  # a POST is never sent again by itself
    restored = second.bar.options()
    assert restored.headers == {"X-Trace": "1"}  # the secret stayed in memory only
    assert (restored.body, restored.method, restored.proxy) == (FULL.body, "POST", FULL.proxy)
    again.close()
    for client in factory.clients:
        client.close(timeout=5)


def test_secrets_are_kept_when_the_user_asks(qtbot, settings, fake_factory) -> None:
    window = MainWindow(settings, factory=fake_factory)
    qtbot.addWidget(window)
    window.keep_secrets_action.setChecked(True)
    window.new_tab("http://fake.test/llm", options=FULL)
    window.close()
    assert SECRET in Path(settings.qsettings.fileName()).read_text()
    again = MainWindow(reopen(settings), factory=fake_factory)
    qtbot.addWidget(again)
    assert again.keep_secrets_action.isChecked()
    again.restore_tabs()
    assert again.tab(0).bar.options().headers["Authorization"] == SECRET
    again.close()


def test_secrets_are_masked_on_screen(qtbot, settings, fake_factory) -> None:
    window = MainWindow(settings, factory=fake_factory)
    qtbot.addWidget(window)
    tab = window.new_tab("http://fake.test/llm", options=FULL)
    tip = tab.bar.request_button.toolTip()
    assert "X-Trace: 1" in tip and "Authorization: Bear…" in tip
    assert "sk-live" not in tip
    window.close()
    assert "sk-live" not in Path(settings.qsettings.fileName()).read_text()


def test_named_requests(qtbot, settings, fake_factory, monkeypatch) -> None:
    window = MainWindow(settings, factory=fake_factory)
    qtbot.addWidget(window)
    window.new_tab("http://fake.test/llm", options=FULL)
    monkeypatch.setattr(
        "pushsdk_monitor.main_window.QInputDialog.getText", lambda *a, **k: ("LLM chat", True)
    )
    window.save_request_dialog()
    window._fill_requests_menu()
    (action,) = [a for a in window.requests_menu.actions() if a.text() == "LLM chat"]
    assert action.toolTip() == "http://fake.test/llm"
    action.trigger()
    opened = window.current_tab()
    assert opened is not None and opened.bar.url == "http://fake.test/llm"
    assert opened.bar.options().body == FULL.body
    assert opened.bar.options().headers["Authorization"] == SECRET  # this run: in memory
    assert list(reopen(settings).saved_requests()) == ["LLM chat"]
    settings.delete_request("LLM chat")
    assert settings.saved_requests() == {}
    window.close()
