"""Nothing the server sends resizes the window; toggles show their state."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor

from pushsdk import ConnectError
from pushsdk_monitor.connection.controller import Counters
from pushsdk_monitor.formats.payload_format import hex_dump
from pushsdk_monitor.main_window import MainWindow
from pushsdk_monitor.models.log_model import (
    COL_DIRECTION,
    COL_EVENT,
    COL_ID,
    COL_PREVIEW,
    COL_SIZE,
    COL_TIME,
)
from pushsdk_monitor.models.records import Direction
from pushsdk_monitor.tab_title import TITLE_CHARS, tab_title
from pushsdk_monitor.views.log_view import PREVIEW_SHARE
from pushsdk_monitor.views.main_splitter import DETAIL_MIN_WIDTH, LOG_MIN_WIDTH

WAIT_MS = 5000
LONG_HOST = "a" * 60 + ".b" * 40 + ".example.com"


def test_a_long_error_does_not_widen_the_window(qtbot, settings, fake_factory) -> None:
    window = MainWindow(settings, factory=fake_factory)
    qtbot.addWidget(window)
    window.resize(1024, 560)
    window.show()
    tab = window.new_tab("ws://fake.test/feed", connect=True)
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open", timeout=WAIT_MS)
    width = window.width()
    error = ConnectError("connection refused by " + "a-very-long-host-name." * 30)
    fake_factory.last.do(lambda c: c.drop(30.0, error))
    qtbot.waitUntil(lambda: bool(tab.status_panel.status.last_error), timeout=WAIT_MS)
    qtbot.wait(50)  # a layout pass
    assert window.width() == width
    label = tab.status_panel.error_label
    assert label.text().endswith("…")
    assert label.toolTip() == label.full_text
    assert "a-very-long-host-name." * 30 in label.full_text
    window.close()


def test_a_long_host_is_shortened_in_the_tab_title(qtbot, settings, fake_factory) -> None:
    title = tab_title(f"wss://{LONG_HOST}/v1/feed")
    assert len(title) == TITLE_CHARS
    assert title.startswith("aaaa") and title.endswith("example.com/feed")
    assert "…" in title
    window = MainWindow(settings, factory=fake_factory)
    qtbot.addWidget(window)
    window.resize(1024, 560)
    window.show()
    window.new_tab("ws://fake.test/", connect=True)
    width = window.width()
    window.new_tab(f"ws://{LONG_HOST}/feed", connect=True)
    qtbot.wait(50)  # a layout pass
    assert len(window.tabs.tabText(1)) == TITLE_CHARS
    assert window.tabs.tabToolTip(1) == f"ws://{LONG_HOST}/feed"
    assert window.width() == width
    window.close()


def test_toggles_look_different_when_on(qtbot, settings, fake_factory) -> None:
    window = MainWindow(settings, factory=fake_factory)
    qtbot.addWidget(window)
    window.show()
    tab = window.new_tab()
    tab.follow_button.setChecked(False)
    for button in (
        tab.filter_bar.regex_button,
        tab.filter_bar.direction_buttons[Direction.IN],
        tab.follow_button,
    ):
        button.setChecked(False)
        off = button.grab().toImage()
        button.setChecked(True)
        on = button.grab().toImage()
        centre_off = off.pixelColor(2, off.height() // 2)
        centre_on = on.pixelColor(2, on.height() // 2)
        assert centre_on == QColor("#1971c2"), button.text()
        assert centre_off != centre_on
    window.close()


def test_history_button_is_off_until_something_was_sent(qtbot, settings, fake_factory) -> None:
    window = MainWindow(settings, factory=fake_factory)
    qtbot.addWidget(window)
    tab = window.new_tab()
    assert not tab.composer.history_button.isEnabled()
    window.close()


def test_the_hex_column_fits_at_the_default_split(qtbot, settings, fake_factory) -> None:
    window = MainWindow(settings, factory=fake_factory)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    tab = window.new_tab()
    view = tab.detail.hex_view
    line = hex_dump(bytes(range(16)))
    qtbot.waitUntil(lambda: view.viewport().width() > 0, timeout=WAIT_MS)
    assert view.fontMetrics().horizontalAdvance(line) <= view.viewport().width()
    window.close()


def test_sse_tabs_have_no_out_toggle_or_out_counters(qtbot, settings, fake_factory) -> None:
    window = MainWindow(settings, factory=fake_factory)
    qtbot.addWidget(window)
    window.show()
    tab = window.new_tab("http://fake.test/stream")
    assert tab.filter_bar.direction_buttons[Direction.OUT].isHidden()
    tab.controller.updated.emit()
    assert " out " not in tab.status_panel.counters_label.text()
    tab.bar.set_url("ws://fake.test/")
    assert not tab.filter_bar.direction_buttons[Direction.OUT].isHidden()
    tab.controller.updated.emit()
    assert " out " in tab.status_panel.counters_label.text()
    window.close()


def test_busy_counters_neither_widen_the_window_nor_hide(qtbot, settings, fake_factory) -> None:
    """Big numbers and a compression ratio wrap inside the window at half a screen's width."""
    window = MainWindow(settings, factory=fake_factory)
    qtbot.addWidget(window)
    window.resize(900, 600)
    window.show()
    tab = window.new_tab("ws://fake.test/feed")
    panel = tab.status_panel
    busy = Counters(
        messages_in=12_345_678,
        bytes_in=5 * 2**30,
        messages_out=123_456,
        bytes_out=900 * 2**20,
        reconnects=123,
        rate=45_678,
        attempt=12,
        compression="permessage-deflate 4.2x in 1.0x out",
    )
    tab.controller.updated.disconnect(tab._refresh)  # which would show the real ones, 0
    panel.show_counters(busy)
    qtbot.wait(50)  # a layout pass
    assert window.width() == 900
    label = panel.counters_label
    assert "12,345,678" in label.text()
    assert label.geometry().right() < panel.chart.geometry().left()
    assert label.heightForWidth(label.width()) <= label.height()  # every line shown
    window.close()


def test_evicted_and_dropped_counts_do_not_widen_the_window(qtbot, settings, fake_factory) -> None:
    window = MainWindow(settings, factory=fake_factory)
    qtbot.addWidget(window)
    window.resize(1000, 600)
    window.show()
    tab = window.new_tab("ws://fake.test/feed")
    tab.controller.updated.disconnect(tab._refresh)  # which would show the real ones, 0
    tab.shown_label.setText("98,765 of 100,000 shown · 12,345,678 evicted · 1,234,567 dropped")
    qtbot.wait(50)  # a layout pass
    assert window.width() == 1000
    label = tab.shown_label
    assert label.heightForWidth(label.width()) <= label.height()  # every line shown
    window.close()


def _window(qtbot, settings, factory, width: int) -> MainWindow:
    window = MainWindow(settings, factory=factory)
    qtbot.addWidget(window)
    window.resize(width, 700)
    window.show()
    return window


@pytest.mark.parametrize("width", [960, 1600])
def test_the_preview_keeps_a_share_of_a_narrow_window(
    qtbot, settings, fake_factory, width: int
) -> None:
    window = _window(qtbot, settings, fake_factory, width)
    tab = window.new_tab("ws://fake.test/feed")
    qtbot.waitUntil(lambda: window.width() == width, timeout=WAIT_MS)
    qtbot.wait(20)  # a layout pass
    view = tab.view
    log, detail = tab.main_splitter.sizes()
    fixed = [view.columnWidth(c) for c in (COL_TIME, COL_DIRECTION, COL_EVENT, COL_ID, COL_SIZE)]
    preview = view.columnWidth(COL_PREVIEW)
    if width == 1600:  # wide: the layout as it always was
        assert fixed == [96, 64, 90, 56, 64]
        assert abs(log - detail) < 0.1 * width  # about half each
    else:  # narrow: the detail pane gives way first, then the columns narrow
        assert log == LOG_MIN_WIDTH and detail >= DETAIL_MIN_WIDTH
        assert preview >= PREVIEW_SHARE * view.viewport().width() - 1
        assert preview >= 240
        assert fixed[0] == 96  # the time is never cut
    assert preview + sum(fixed) <= view.viewport().width()  # no horizontal scrolling
    window.close()


def test_columns_and_split_the_user_set_stay(qtbot, settings, fake_factory) -> None:
    window = _window(qtbot, settings, fake_factory, 1600)
    tab = window.new_tab("ws://fake.test/feed")
    qtbot.waitUntil(lambda: window.width() == 1600, timeout=WAIT_MS)
    tab.view.setColumnWidth(COL_EVENT, 150)
    tab.main_splitter.moveSplitter(1100, 1)  # as a drag does
    split = tab.main_splitter.sizes()
    window.resize(960, 700)
    qtbot.waitUntil(lambda: window.width() == 960, timeout=WAIT_MS)
    assert tab.view.columnWidth(COL_EVENT) == 150
    assert tab.main_splitter.sizes() != split  # the window shrank...
    assert tab.main_splitter.sizes()[0] > LOG_MIN_WIDTH  # ...as a QSplitter shrinks
    window.close()


def test_filter_buttons_stay_put_as_the_count_grows(qtbot, settings, fake_factory) -> None:
    window = _window(qtbot, settings, fake_factory, 960)
    tab = window.new_tab("ws://fake.test/feed", connect=True)
    qtbot.waitUntil(lambda: tab.controller.model.rowCount() == 1, timeout=WAIT_MS)
    buttons = [
        tab.filter_bar.text_edit,
        tab.filter_bar.exclude_button,
        *tab.filter_bar.direction_buttons.values(),
        tab.filter_bar.events_button,
        tab.pause_button,
        tab.clear_button,
    ]

    def places() -> list[QRect]:
        qtbot.wait(20)  # a layout pass
        return [b.geometry().translated(b.mapTo(window, QPoint(0, 0))) for b in buttons]

    def fill(count: int) -> None:
        before = tab.controller.model.rowCount()
        fake_factory.last.do(lambda c: [c.message(f"m{i}") for i in range(count)])
        qtbot.waitUntil(lambda: tab.controller.model.rowCount() == before + count, timeout=WAIT_MS)

    fill(8)
    assert tab.shown_label.text() == "9 of 9 shown"
    first = places()
    fill(9_991)
    assert tab.shown_label.text() == "10,000 of 10,000 shown"
    assert places() == first
    window.close()
