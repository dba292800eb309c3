"""A connection tab driven by a fake client that calls back from its own thread."""

from __future__ import annotations

import csv
import json
import threading
import time
from pathlib import Path

from PySide6.QtCore import Qt

from pushsdk import ConnectError
from pushsdk_monitor.connection.clients import Callbacks, ConnectOptions
from pushsdk_monitor.models.records import Direction
from pushsdk_monitor.settings import MonitorSettings
from pushsdk_monitor.tab import ConnectionTab
from pushsdk_monitor.views.detail_pane import HEX_CAP, TEXT_CAP, DetailPane
from tests.gui.fakes import FakeClient, FakeFactory

URL = "ws://fake.test/feed"
WAIT_MS = 5000


def connect(qtbot, tab: ConnectionTab, factory: FakeFactory, url: str = URL) -> FakeClient:
    assert tab.connect_to(url)
    client = factory.last
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: tab.controller.model.rowCount() > 0, timeout=WAIT_MS)  # the open row
    return client


def rows(tab: ConnectionTab) -> list[tuple[str, str, str]]:
    proxy = tab.controller.proxy
    return [
        (r.direction.value, r.event, r.preview)
        for r in (proxy.record(i) for i in range(proxy.rowCount()))
    ]


def deliver(client: FakeClient, *messages: tuple[str | bytes, str]) -> None:
    def action(c: FakeClient) -> None:
        for data, event in messages:
            c.message(data, event)

    client.do(action)


def test_messages_from_the_client_thread_become_rows(qtbot, tab, fake_factory) -> None:
    client = connect(qtbot, tab, fake_factory)
    deliver(client, ("one", "message"), ("two", "message"), ("beat", "ping"))
    qtbot.waitUntil(lambda: len(rows(tab)) == 4, timeout=WAIT_MS)
    assert rows(tab) == [
        ("system", "open", "connected"),
        ("in", "message", "one"),
        ("in", "message", "two"),
        ("in", "ping", "beat"),
    ]
    qtbot.waitUntil(lambda: "<b>3</b> in (10 B)" in tab.status_panel.counters_label.text())
    assert client.options.reconnect is True
    assert tab.bar.connect_button.text() == "Disconnect"
    assert not tab.bar.url_combo.isEnabled()


def test_composer_validates_and_ctrl_enter_sends(qtbot, tab, fake_factory) -> None:
    client = connect(qtbot, tab, fake_factory)
    composer = tab.composer
    assert composer.isVisible()
    composer.encoding_combo.setCurrentText("JSON")
    composer.editor.setPlainText("{'not': json}")
    assert "invalid JSON" in composer.error_label.text()
    assert not composer.send_button.isEnabled()
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert client.sent == []

    composer.editor.setPlainText('{"op": "subscribe"}')
    assert composer.error_label.text() == ""
    assert composer.send_button.isEnabled()
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: ("in", "message", 'echo: {"op": "subscribe"}') in rows(tab))
    assert client.sent == ['{"op": "subscribe"}']
    assert ("out", "message", '{"op": "subscribe"}') in rows(tab)
    assert composer.editor.toPlainText() == '{"op": "subscribe"}'  # kept for resending

    composer.encoding_combo.setCurrentText("Hex")
    assert "invalid hex" in composer.error_label.text()
    composer.editor.setPlainText("de ad be ef")
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    composer.encoding_combo.setCurrentText("Base64")
    composer.editor.setPlainText("aGk=")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Enter, Qt.KeyboardModifier.ControlModifier)
    assert client.sent[1:] == [b"\xde\xad\xbe\xef", b"hi"]
    qtbot.waitUntil(lambda: ("out", "message", "68 69  |hi|") in rows(tab))

    composer.encoding_combo.setCurrentText("Text")
    composer.editor.setPlainText("")
    qtbot.keyClick(composer.editor, Qt.Key.Key_A)
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)  # a plain Enter is a newline
    assert composer.editor.toPlainText() == "a\n"
    assert len(client.sent) == 3
    assert composer.history[:2] == ["aGk=", "de ad be ef"]


def test_composer_is_off_while_disconnected_and_for_sse(qtbot, tab, fake_factory) -> None:
    assert not tab.composer.send_button.isEnabled()
    tab.composer.editor.setPlainText("hello")
    assert not tab.composer.send_button.isEnabled()
    tab.bar.set_url("http://fake.test/stream")
    assert tab.composer.isHidden()
    assert tab.bar.method_combo.isVisible()
    assert tab.bar.event_key_edit.isHidden()
    tab.bar.set_url(URL)
    assert tab.composer.isVisible()
    assert tab.controller.send("x") == "not connected"


def test_a_failed_send_is_shown_not_raised(qtbot, tab, fake_factory) -> None:
    client = connect(qtbot, tab, fake_factory)
    client.close()
    tab.composer.editor.setPlainText("late")
    tab.composer.submit()
    assert "ConnectionClosed" in tab.composer.error_label.text()
    qtbot.waitUntil(lambda: any("send failed" in p for _, _, p in rows(tab)))


def test_filter_bar(qtbot, tab, fake_factory) -> None:
    client = connect(qtbot, tab, fake_factory)
    deliver(
        client,
        ("Server time: 12:00:01", "message"),
        ('{"type": "trade", "px": 1}', "trade"),
        ("heartbeat", "ping"),
        ("Server time: 12:00:02", "message"),
    )
    qtbot.waitUntil(lambda: len(rows(tab)) == 5)
    bar = tab.filter_bar

    def shown() -> list[str]:
        return [preview for _, _, preview in rows(tab)]

    qtbot.keyClicks(bar.text_edit, "server TIME")
    qtbot.waitUntil(lambda: len(shown()) == 2)  # debounced, case-insensitive
    bar.case_button.setChecked(True)
    assert shown() == []
    bar.case_button.setChecked(False)
    bar.text_edit.setText(r"\d+:\d+:02")
    bar.apply()
    assert shown() == []  # literal until Regex is on
    bar.regex_button.setChecked(True)
    assert shown() == ["Server time: 12:00:02"]
    bar.text_edit.setText("time: (12")  # invalid regex: matched literally
    bar.apply()
    assert "Invalid regex" in bar.text_edit.toolTip()
    assert shown() == []
    bar.text_edit.setText("heartbeat|connected")
    bar.apply()
    assert bar.text_edit.toolTip() == ""
    bar.exclude_button.setChecked(True)
    assert shown() == [
        "Server time: 12:00:01",
        '{"type": "trade", "px": 1}',
        "Server time: 12:00:02",
    ]
    bar.text_edit.clear()
    bar.apply()
    bar.direction_buttons[Direction.IN].setChecked(False)
    assert shown() == ["connected"]
    bar.direction_buttons[Direction.IN].setChecked(True)
    bar.direction_buttons[Direction.SYSTEM].setChecked(False)
    assert bar.events == {"open", "message", "trade", "ping"}
    bar.set_event_shown("message", False)
    bar.set_event_shown("ping", False)
    assert shown() == ['{"type": "trade", "px": 1}']
    assert bar.events_button.text() == "Events (2 hidden)"
    deliver(client, ("later", "message"), ("new kind", "news"))
    qtbot.waitUntil(lambda: "news" in bar.events)
    qtbot.waitUntil(lambda: shown() == ['{"type": "trade", "px": 1}', "new kind"])


def test_selection_shows_json_text_and_hex(qtbot, tab, fake_factory) -> None:
    client = connect(qtbot, tab, fake_factory)
    deliver(
        client, ('{"a": {"b": [1, true]}}', "message"), (b"\x00AB\xff", "message"), ("plain", "x")
    )
    qtbot.waitUntil(lambda: len(rows(tab)) == 4)
    detail = tab.detail
    tab.view.selectRow(1)
    assert detail.tabs.currentIndex() == DetailPane.JSON
    assert (
        detail.json_view.toPlainText()
        == '{\n  "a": {\n    "b": [\n      1,\n      true\n    ]\n  }\n}'
    )
    assert "23 bytes" in detail.header.text()
    tab.view.selectRow(2)
    assert detail.tabs.currentIndex() == DetailPane.HEX
    assert detail.hex_view.toPlainText().startswith("00000000  00 41 42 ff")
    assert detail.hex_view.toPlainText().endswith("|.AB.|")
    assert not detail.tabs.isTabEnabled(DetailPane.JSON)
    tab.view.selectRow(3)
    assert detail.tabs.currentIndex() == DetailPane.TEXT
    assert detail.text_view.toPlainText() == "plain"
    tab.filter_bar.text_edit.setText("plain")
    tab.filter_bar.apply()  # the selected row is now proxy row 0
    tab.view.selectRow(0)
    assert detail.record is not None and detail.record.payload == "plain"
    tab.filter_bar.text_edit.setText("nothing matches")
    tab.filter_bar.apply()  # the selection goes; the message stays in the pane
    assert detail.record is not None and detail.record.payload == "plain"
    tab.clear_button.click()
    assert detail.record is None
    assert tab.controller.model.rowCount() == 0


def test_large_payloads_are_capped_until_show_all(qtbot, tab, fake_factory) -> None:
    client = connect(qtbot, tab, fake_factory)
    big = "x" * (TEXT_CAP + 10)
    deliver(client, (big, "message"), (bytes(HEX_CAP + 1), "message"))
    qtbot.waitUntil(lambda: len(rows(tab)) == 3)
    detail = tab.detail
    tab.view.selectRow(1)
    assert len(detail.text_view.toPlainText()) == TEXT_CAP
    assert detail.show_all_button.isVisible()
    qtbot.mouseClick(detail.show_all_button, Qt.MouseButton.LeftButton)
    assert len(detail.text_view.toPlainText()) == len(big)
    assert not detail.show_all_button.isVisible()
    tab.view.selectRow(2)
    assert detail.hex_view.toPlainText().count("\n") == HEX_CAP // 16 - 1
    detail.show_all_button.click()
    assert detail.hex_view.toPlainText().count("\n") == HEX_CAP // 16


def test_export_writes_the_filtered_rows(qtbot, tab, fake_factory, tmp_path: Path) -> None:
    client = connect(qtbot, tab, fake_factory)
    deliver(client, ('{"n": 1}', "message"), ("beat", "ping"), (b"\x01\x02", "message"))
    qtbot.waitUntil(lambda: len(rows(tab)) == 4)
    tab.filter_bar.direction_buttons[Direction.SYSTEM].setChecked(False)
    tab.filter_bar.text_edit.setText("beat")
    tab.filter_bar.exclude_button.setChecked(True)
    assert tab.export(tmp_path / "log.jsonl") == 2
    lines = [json.loads(x) for x in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert [(x["data"], x["encoding"]) for x in lines] == [('{"n": 1}', "text"), ("AQI=", "base64")]
    assert tab.export(tmp_path / "log.CSV") == 2
    with open(tmp_path / "log.CSV", newline="") as file:
        assert [r["data"] for r in csv.DictReader(file)] == ['{"n": 1}', "AQI="]


def test_badge_follows_a_drop_and_a_reconnect(qtbot, tab, fake_factory) -> None:
    client = connect(qtbot, tab, fake_factory)
    assert tab.status_panel.error_label.full_text == ""
    client.do(lambda c: c.drop(3.0, ConnectError("connection refused")))
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Reconnecting in 3 s")
    assert tab.status_panel.error_label.full_text == "Last error: ConnectError: connection refused"
    qtbot.waitUntil(lambda: [e for _, e, _ in rows(tab)][-3:] == ["error", "close", "reconnect"])
    client.do(FakeClient.open)
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open")
    qtbot.waitUntil(lambda: "<b>1</b> reconnects" in tab.status_panel.counters_label.text())
    tab.close_connection()
    assert tab.status_panel.status.label == "Closed"
    assert tab.bar.connect_button.text() == "Connect"
    client.closed.wait(5)
    assert client.close_calls == [1.0]


def test_a_client_that_ends_for_good_offers_connect_again(qtbot, tab, fake_factory) -> None:
    client = connect(qtbot, tab, fake_factory)
    client.close()  # as after an HTTP 404: the client ends by itself
    qtbot.waitUntil(lambda: tab.bar.connect_button.text() == "Connect")
    assert tab.status_panel.status.label == "Closed"


def test_pause_keeps_counting_and_resume_shows_everything(qtbot, tab, fake_factory) -> None:
    client = connect(qtbot, tab, fake_factory)
    tab.pause_button.setChecked(True)
    deliver(client, *[(f"m{i}", "message") for i in range(5)])
    qtbot.waitUntil(lambda: tab.pause_button.text() == "Paused (5)")
    assert len(rows(tab)) == 1
    assert "<b>5</b> in" in tab.status_panel.counters_label.text()
    tab.pause_button.setChecked(False)
    assert [p for _, _, p in rows(tab)][1:] == [f"m{i}" for i in range(5)]
    assert tab.pause_button.text() == "Pause"


def test_follow_tail_only_while_at_the_bottom(qtbot, tab, fake_factory) -> None:
    client = connect(qtbot, tab, fake_factory)
    bar = tab.view.verticalScrollBar()
    deliver(client, *[(f"m{i}", "message") for i in range(200)])
    qtbot.waitUntil(lambda: len(rows(tab)) == 201)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum() > 0)
    bar.setSliderPosition(10)  # as the user drags the scroll bar
    assert not tab.follow_button.isChecked()
    deliver(client, *[(f"n{i}", "message") for i in range(50)])
    qtbot.waitUntil(lambda: len(rows(tab)) == 251)
    assert bar.value() == 10
    tab.follow_button.setChecked(False)
    tab.follow_button.setChecked(True)
    assert bar.value() == bar.maximum()


def test_bad_url_is_reported_without_a_client(qtbot, tab, fake_factory) -> None:
    tab.bar.set_url("ftp://nope")
    tab.bar.connect_button.click()
    assert "Cannot connect" in tab.status_panel.note_label.full_text
    assert fake_factory.clients == []
    assert tab.bar.connect_button.text() == "Connect"


def test_connection_options_reach_the_factory(qtbot, tab, fake_factory) -> None:
    tab.bar.set_url("http://fake.test/stream")
    tab.bar.method_combo.setCurrentText("POST")
    tab.bar.reconnect_check.setChecked(False)
    tab.bar.set_options({"Authorization": "Bearer t"}, '{"q": 1}')
    assert tab.bar.request_button.text() == "Options (1 header)…"
    tab.bar.set_options({"Authorization": "Bearer t", "X-Trace": "1"}, '{"q": 1}')
    assert tab.bar.request_button.text() == "Options (2 headers)…"
    tab.bar.set_options({"Authorization": "Bearer t"}, '{"q": 1}')
    tab.bar.connect_button.click()
    options = fake_factory.last.options
    assert (options.method, options.body, options.reconnect) == ("POST", '{"q": 1}', False)
    assert options.headers == {"Authorization": "Bearer t"}
    assert tab.title == "fake.test/stream"


def test_settings_keep_recent_urls_and_composer_history(qtbot, tab, fake_factory, settings) -> None:
    connect(qtbot, tab, fake_factory)
    tab.composer.editor.setPlainText("first")
    tab.composer.submit()
    tab.close_connection()
    connect(qtbot, tab, fake_factory, "ws://other.test/")
    settings.sync()
    again = MonitorSettings(
        type(settings.qsettings)(settings.qsettings.fileName(), settings.qsettings.format())
    )
    assert again.recent_urls() == ["ws://other.test/", URL]
    assert again.composer_history(URL) == ["first"]
    assert again.composer_history("ws://other.test/") == []
    items = [tab.bar.url_combo.itemText(i) for i in range(tab.bar.url_combo.count())]
    assert items == ["ws://other.test/", URL]


def test_shutdown_never_waits_for_a_hung_close(qtbot, settings) -> None:
    release = threading.Event()

    class HungClient(FakeClient):
        def close(self, code: int = 1000, reason: str = "", timeout: float = 5.0) -> None:
            release.wait(10)
            super().close(code, reason, timeout)

    made: list[HungClient] = []

    def factory(url: str, callbacks: Callbacks, options: ConnectOptions) -> HungClient:
        made.append(HungClient(url, callbacks, options))
        return made[-1]

    tab = ConnectionTab(settings, factory=factory)
    qtbot.addWidget(tab)
    tab.connect_to(URL)
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open")
    started = time.monotonic()
    tab.shutdown()
    assert time.monotonic() - started < 0.5
    release.set()
    assert made[0].closed.wait(5)


def test_composer_history_is_offered_per_url(qtbot, tab, fake_factory, settings) -> None:
    settings.set_composer_history(URL, ["older", '{"op": 1}'])
    connect(qtbot, tab, fake_factory)
    actions = tab.composer.history_menu.actions()
    assert [a.data() for a in actions] == ["older", '{"op": 1}']
    actions[1].trigger()
    assert tab.composer.editor.toPlainText() == '{"op": 1}'
    tab.composer.submit()
    assert settings.composer_history(URL) == ['{"op": 1}', "older"]


def test_system_rows_for_errors_are_marked(qtbot, tab, fake_factory) -> None:
    client = connect(qtbot, tab, fake_factory)
    client.do(lambda c: c.drop(5.0, ConnectError("boom")))
    qtbot.waitUntil(lambda: "error" in [e for _, e, _ in rows(tab)])
    model = tab.controller.model
    row = next(i for i in range(model.rowCount()) if model.record(i).event == "error")
    background = model.data(model.index(row, 0), Qt.ItemDataRole.BackgroundRole)
    assert background.color().name() == "#fdecea"
    assert model.data(model.index(row, 4)) == ""  # no size for system rows
