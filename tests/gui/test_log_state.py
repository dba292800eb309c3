"""What the tab says about its log: errors, the picked message, counts, close rows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pushsdk import ConnectError
from pushsdk_monitor.connection.session import Session
from pushsdk_monitor.main_window import MainWindow
from pushsdk_monitor.models.filter_proxy import LogFilter, compile_filter
from pushsdk_monitor.models.records import RecordBuffer, make_record
from pushsdk_monitor.settings import MonitorSettings
from pushsdk_monitor.tab import ConnectionTab
from tests.gui.fakes import FakeClient, FakeFactory

URL = "ws://fake.test/feed"
WAIT_MS = 5000


@pytest.fixture
def tab(qtbot, settings: MonitorSettings, fake_factory: FakeFactory) -> Iterator[ConnectionTab]:
    widget = ConnectionTab(settings, factory=fake_factory, capacity=10)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    yield widget
    widget.shutdown()


def connected(qtbot, tab: ConnectionTab, factory: FakeFactory) -> FakeClient:
    assert tab.connect_to(URL)
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open", timeout=WAIT_MS)
    return factory.last


def deliver(qtbot, tab: ConnectionTab, client: FakeClient, *payloads: str | bytes) -> None:
    def action(c: FakeClient) -> None:
        for payload in payloads:
            c.message(payload)

    client.do(action)
    model = tab.controller.model
    qtbot.waitUntil(
        lambda: model.rowCount() > 0 and model.record(model.rowCount() - 1).payload == payloads[-1],
        timeout=WAIT_MS,
    )


def test_a_reconnect_clears_the_last_error(qtbot, tab, fake_factory) -> None:
    client = connected(qtbot, tab, fake_factory)
    client.do(lambda c: c.drop(2.0, ConnectError("refused")))
    qtbot.waitUntil(tab.status_panel.error_label.isVisible, timeout=WAIT_MS)
    assert "reconnects, attempt 1" in tab.status_panel.counters_label.text()
    client.do(FakeClient.open)
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open", timeout=WAIT_MS)
    assert tab.status_panel.error_label.isHidden()
    assert tab.status_panel.status.last_error == ""
    assert "<b>1</b> reconnects ·" in tab.status_panel.counters_label.text() + " ·"


def test_the_picked_message_stays_when_the_filter_hides_it(qtbot, tab, fake_factory) -> None:
    client = connected(qtbot, tab, fake_factory)
    deliver(qtbot, tab, client, "alpha", "beta", "gamma")
    proxy = tab.controller.proxy
    tab.view.selectRow(2)  # beta
    assert tab.detail.record is not None and tab.detail.record.payload == "beta"
    tab.filter_bar.text_edit.setText("mm")  # gamma only
    tab.filter_bar.apply()
    assert [proxy.record(r).payload for r in range(proxy.rowCount())] == ["gamma"]
    assert tab.detail.record.payload == "beta"
    assert not tab.view.selectionModel().hasSelection()
    tab.filter_bar.text_edit.setText("")
    tab.filter_bar.apply()  # shown again: selected again
    assert tab.detail.record.payload == "beta"
    (selected,) = tab.view.selectionModel().selectedRows()
    assert proxy.record(selected.row()).payload == "beta"


def test_text_filters_search_binary_messages_as_text() -> None:
    binary = make_record(b'{"symbol": "BTC"}')
    undecodable = make_record(b"\xff\xfe BTC")
    accepts = compile_filter(LogFilter(text="btc"))
    assert accepts(binary)
    assert accepts(undecodable)  # the printable ASCII beside its hex says BTC
    assert not accepts(make_record(b"\xff\xfe ETH"))
    assert compile_filter(LogFilter(text=r'"symbol":\s*"B', regex=True))(binary)
    assert compile_filter(LogFilter(text="ff fe"))(undecodable)  # the hex preview still counts


def test_the_tab_says_how_much_is_shown_and_lost(qtbot, tab, fake_factory) -> None:
    client = connected(qtbot, tab, fake_factory)
    deliver(qtbot, tab, client, *(f"m{i}" for i in range(7)))
    deliver(qtbot, tab, client, *(f"m{i}" for i in range(7, 14)))  # capacity 10: 5 evicted
    label = tab.shown_label
    qtbot.waitUntil(lambda: label.text() == "10 of 10 shown · 5 evicted", timeout=WAIT_MS)
    # Faster than the window drains: the hand-off buffer (capacity too) drops the oldest.
    deliver(qtbot, tab, client, *(f"n{i}" for i in range(14)))
    qtbot.waitUntil(lambda: "dropped" in label.text(), timeout=WAIT_MS)
    assert label.text() == "10 of 10 shown · 15 evicted · 4 dropped"
    tab.filter_bar.text_edit.setText("n1")
    tab.filter_bar.apply()
    qtbot.waitUntil(lambda: label.text().startswith("4 of 10 shown"), timeout=WAIT_MS)
    assert "newest 10 rows" in label.toolTip()


def test_capacity_is_a_setting(qtbot, settings, fake_factory) -> None:
    settings.set_capacity(2_000)
    window = MainWindow(settings, factory=fake_factory)
    qtbot.addWidget(window)
    assert window.new_tab().controller.model.capacity == 2_000
    settings.set_capacity(10)  # clamped to the minimum
    assert settings.capacity() == 1_000
    window.close()


@pytest.mark.parametrize(
    ("code", "reason", "user", "connected", "text"),
    [
        (None, "end of stream", False, True, "end of stream"),
        (None, "", False, True, "stream ended"),
        (1000, "bye", False, True, "code 1000 bye"),
        (1006, "", True, True, "disconnected by you"),
        (1006, "", True, False, "disconnected by you"),
        (1006, "", False, False, "ended with no connection open"),
        (None, "", False, False, "ended with no connection open"),
    ],
)
def test_close_rows_say_what_happened(
    code: int | None, reason: str, user: bool, connected: bool, text: str
) -> None:
    session = Session(RecordBuffer(10))
    session.user_closed = user
    session.connected = connected
    assert session.close_text(code, reason) == text


def test_an_invalid_regex_is_said_next_to_the_filter(qtbot, tab) -> None:
    bar = tab.filter_bar
    bar.regex_button.setChecked(True)
    bar.text_edit.setText("time: (12")
    bar.apply()
    assert bar.regex_error_label.isVisible()
    assert bar.regex_error_label.full_text.startswith("Invalid regex (missing ), unterminated")
    bar.text_edit.setText("time: \\(12")
    bar.apply()
    assert bar.regex_error_label.isHidden()
