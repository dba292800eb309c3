"""Follow is one state: kept through resizes and splitter drags, shown by its button."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractSlider

from pushsdk_monitor.tab import ConnectionTab
from tests.gui.fakes import FakeClient, FakeFactory

URL = "ws://fake.test/feed"
WAIT_MS = 5000


def fill(qtbot, tab: ConnectionTab, client: FakeClient, count: int, prefix: str) -> None:
    before = tab.controller.model.rowCount()

    def action(c: FakeClient) -> None:
        for i in range(count):
            c.message(f"{prefix}{i}")

    client.do(action)
    qtbot.waitUntil(lambda: tab.controller.model.rowCount() == before + count, timeout=WAIT_MS)


def at_bottom(tab: ConnectionTab) -> bool:
    bar = tab.view.verticalScrollBar()
    return bar.maximum() > 0 and bar.value() == bar.maximum()


def connected(qtbot, tab: ConnectionTab, factory: FakeFactory) -> FakeClient:
    assert tab.connect_to(URL)
    qtbot.waitUntil(lambda: tab.controller.model.rowCount() == 1, timeout=WAIT_MS)
    return factory.last


def test_follow_survives_resizes_and_splitter_drags(qtbot, tab, fake_factory) -> None:
    client = connected(qtbot, tab, fake_factory)
    fill(qtbot, tab, client, 300, "m")
    qtbot.waitUntil(lambda: at_bottom(tab), timeout=WAIT_MS)
    tab.resize(1200, 900)  # taller: the bottom moves
    qtbot.waitUntil(lambda: at_bottom(tab), timeout=WAIT_MS)
    tab.resize(1200, 500)
    qtbot.waitUntil(lambda: at_bottom(tab), timeout=WAIT_MS)
    tab.log_splitter.setSizes([200, 300])  # drag the composer up
    qtbot.wait(50)
    tab.log_splitter.setSizes([450, 50])
    qtbot.waitUntil(lambda: at_bottom(tab), timeout=WAIT_MS)
    assert tab.follow_button.isChecked()
    fill(qtbot, tab, client, 20, "n")
    qtbot.waitUntil(lambda: at_bottom(tab), timeout=WAIT_MS)


def test_scrolling_up_turns_follow_off_and_back_to_the_bottom_on(qtbot, tab, fake_factory) -> None:
    client = connected(qtbot, tab, fake_factory)
    fill(qtbot, tab, client, 300, "m")
    bar = tab.view.verticalScrollBar()
    qtbot.waitUntil(lambda: at_bottom(tab), timeout=WAIT_MS)
    bar.triggerAction(QAbstractSlider.SliderAction.SliderPageStepSub)  # the user pages up
    assert not tab.follow_button.isChecked()  # the button tells the truth
    top = bar.value()
    fill(qtbot, tab, client, 20, "n")
    assert bar.value() == top  # the reader is not yanked away
    bar.triggerAction(QAbstractSlider.SliderAction.SliderToMaximum)  # and back down
    assert tab.follow_button.isChecked()
    fill(qtbot, tab, client, 20, "o")
    tab.resize(1200, 450)
    qtbot.waitUntil(lambda: at_bottom(tab), timeout=WAIT_MS)


def test_a_message_just_sent_is_in_view(qtbot, tab, fake_factory) -> None:
    client = connected(qtbot, tab, fake_factory)
    client.echo = False
    fill(qtbot, tab, client, 300, "m")
    qtbot.waitUntil(lambda: at_bottom(tab), timeout=WAIT_MS)
    tab.resize(1200, 500)  # the window shrinks: the bottom moves down
    qtbot.wait(50)
    tab.composer.editor.setPlainText("hello")
    tab.composer.submit()
    qtbot.waitUntil(lambda: tab.controller.model.rowCount() == 302, timeout=WAIT_MS)
    view = tab.view
    last = tab.controller.proxy.rowCount() - 1
    qtbot.waitUntil(lambda: view.rowAt(view.viewport().height() - 1) == last, timeout=WAIT_MS)
    assert tab.controller.proxy.record(last).preview == "hello"


def test_the_button_sets_the_state(qtbot, tab, fake_factory) -> None:
    client = connected(qtbot, tab, fake_factory)
    fill(qtbot, tab, client, 300, "m")
    qtbot.waitUntil(lambda: at_bottom(tab), timeout=WAIT_MS)
    tab.follow_button.setChecked(False)
    assert not tab.view.follow_tail
    tab.view.verticalScrollBar().setValue(0)
    fill(qtbot, tab, client, 10, "n")
    assert tab.view.verticalScrollBar().value() == 0
    tab.follow_button.setChecked(True)
    assert tab.view.follow_tail
    qtbot.waitUntil(lambda: at_bottom(tab), timeout=WAIT_MS)
