"""A send made while not open is shown as queued, then as sent or dropped."""

from __future__ import annotations

from pushsdk import ConnectError
from pushsdk_monitor.models.log_model import COL_DIRECTION
from pushsdk_monitor.models.records import Delivery, Direction, LogRecord
from pushsdk_monitor.tab import ConnectionTab
from tests.gui.fakes import FakeClient, FakeFactory

URL = "ws://fake.test/feed"
WAIT_MS = 5000


def reconnecting(qtbot, tab: ConnectionTab, factory: FakeFactory) -> FakeClient:
    assert tab.connect_to(URL)
    client = factory.last
    client.echo = False
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open", timeout=WAIT_MS)
    client.do(lambda c: c.drop(30.0, ConnectError("refused")))
    qtbot.waitUntil(lambda: tab.status_panel.status.kind == "reconnecting", timeout=WAIT_MS)
    return client


def sent_rows(tab: ConnectionTab) -> list[tuple[str, LogRecord]]:
    model = tab.controller.model
    return [
        (model.data(model.index(row, COL_DIRECTION)), model.record(row))
        for row in range(model.rowCount())
        if model.record(row).direction is Direction.OUT
    ]


def test_a_send_while_reconnecting_is_queued_then_marked_sent(qtbot, tab, fake_factory) -> None:
    client = reconnecting(qtbot, tab, fake_factory)
    tab.composer.editor.setPlainText("while away")
    tab.composer.submit()
    qtbot.waitUntil(lambda: len(sent_rows(tab)) == 1, timeout=WAIT_MS)
    ((shown, record),) = sent_rows(tab)
    assert shown == "◷ queued"
    assert record.delivery is Delivery.QUEUED
    assert "<b>0</b> out" in tab.status_panel.counters_label.text()
    assert client.sent == [] and client.queued == ["while away"]
    tab.view.selectRow(tab.controller.proxy.row_of(record) or 0)
    assert tab.detail.record is record

    client.do(FakeClient.open)  # the SDK writes its queue, then reports OPEN
    qtbot.waitUntil(lambda: sent_rows(tab)[0][0] == "▲ out", timeout=WAIT_MS)
    ((shown, record),) = sent_rows(tab)
    assert record.delivery is Delivery.SENT
    assert "queued at" in record.note and "sent at" in record.note
    assert client.sent == ["while away"]
    assert "<b>1</b> out" in tab.status_panel.counters_label.text()
    assert tab.detail.record is record  # the pane follows the row it shows
    assert "sent at" in tab.detail.header.text()


def test_a_send_while_open_is_logged_as_sent_at_once(qtbot, tab, fake_factory) -> None:
    assert tab.connect_to(URL)
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open", timeout=WAIT_MS)
    assert tab.controller.send("now") is None
    tab.controller.flush()
    ((shown, record),) = sent_rows(tab)
    assert (shown, record.delivery, tab.controller.queued) == ("▲ out", Delivery.SENT, 0)


def test_queued_sends_are_dropped_when_the_user_disconnects(qtbot, tab, fake_factory) -> None:
    reconnecting(qtbot, tab, fake_factory)
    assert tab.controller.send("one") is None
    assert tab.controller.send("two") is None
    assert tab.controller.queued == 2
    tab.controller.flush()
    tab.close_connection()
    assert [shown for shown, _ in sent_rows(tab)] == ["✕ dropped", "✕ dropped"]
    assert all("dropped" in r.note for _, r in sent_rows(tab))
    assert "<b>0</b> out" in tab.status_panel.counters_label.text()
