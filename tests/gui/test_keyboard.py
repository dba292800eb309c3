"""The monitor with the keyboard alone: Tab moves on, keys say what they did."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from pushsdk_monitor.connection.clients import ConnectOptions
from pushsdk_monitor.models.records import Direction
from pushsdk_monitor.tab import ConnectionTab
from pushsdk_monitor.views.composer import NOT_CONNECTED
from pushsdk_monitor.views.request_dialog import RequestDialog
from tests.gui.fakes import FakeFactory

URL = "ws://fake.test/feed"
WAIT_MS = 5000


def open_tab(qtbot, tab: ConnectionTab, factory: FakeFactory) -> None:
    assert tab.connect_to(URL)
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: tab.controller.proxy.rowCount() > 0, timeout=WAIT_MS)
    tab.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is tab.window(), timeout=WAIT_MS)


def test_tab_leaves_the_message_log(qtbot, tab, fake_factory) -> None:
    """Tab in the log goes to the next part of the window, not to the next cell: a log
    of thousands of rows must not trap the keyboard."""
    open_tab(qtbot, tab, fake_factory)
    view = tab.view
    view.setFocus()
    view.selectRow(0)
    qtbot.waitUntil(view.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert not view.hasFocus()
    assert tab.composer.editor.hasFocus()  # the next stop of a WebSocket tab
    qtbot.keyClick(tab.composer.editor, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert view.hasFocus()


def test_ctrl_enter_while_disconnected_says_why_nothing_was_sent(qtbot, tab, fake_factory) -> None:
    editor = tab.composer.editor
    editor.setPlainText("hello")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert tab.composer.error_label.text() == NOT_CONNECTED
    assert fake_factory.clients == []
    assert editor.toPlainText() == "hello"  # kept, to send once connected
    open_tab(qtbot, tab, fake_factory)
    assert tab.composer.error_label.text() == ""
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: fake_factory.last.sent == ["hello"], timeout=WAIT_MS)


def test_a_checked_toggle_shows_when_it_has_the_focus(qtbot, tab, fake_factory) -> None:
    """The blue "on" style must not hide the focus: keyboard users need to see it."""
    open_tab(qtbot, tab, fake_factory)
    for button in (tab.filter_bar.direction_buttons[Direction.IN], tab.follow_button):
        assert button.isChecked()
        tab.view.setFocus()
        qtbot.waitUntil(tab.view.hasFocus, timeout=WAIT_MS)
        unfocused = button.grab().toImage()
        button.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(button.hasFocus, timeout=WAIT_MS)
        assert button.grab().toImage() != unfocused, button.text()


def test_tab_moves_out_of_the_request_dialogs_text_boxes(qtbot) -> None:
    """Tab in Headers, Body or Send on open goes to the next field, typing no tab."""
    for sse in (True, False):
        dialog = RequestDialog(ConnectOptions(headers={"A": "1"}, body="{}"), sse=sse)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(lambda d=dialog: QApplication.activeWindow() is d, timeout=WAIT_MS)
        edits = (dialog.headers_edit, dialog.body_edit if sse else dialog.on_open_edit)
        for edit in edits:
            text = edit.toPlainText()
            edit.setFocus()
            qtbot.waitUntil(edit.hasFocus, timeout=WAIT_MS)
            qtbot.keyClick(edit, Qt.Key.Key_Tab)
            assert not edit.hasFocus()
            assert edit.toPlainText() == text
        dialog.close()


@pytest.mark.parametrize("url", ["ws://fake.test/feed", "http://fake.test/stream"])
def test_tab_goes_round_every_control_and_back(qtbot, tab, fake_factory, url: str) -> None:
    """From the filter, Tab reaches the detail pane and comes back round. In a
    WebSocket tab it stopped at the composer's encoding box: the side panel's hidden tab
    bar (LLM view, SSE only) could not take the focus, so the focus never moved on."""
    assert tab.connect_to(url)
    tab.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is tab.window(), timeout=WAIT_MS)
    start = tab.filter_bar.text_edit
    start.setFocus()
    qtbot.waitUntil(start.hasFocus, timeout=WAIT_MS)
    visited = []
    for _ in range(60):
        focus = QApplication.focusWidget()
        assert focus is not None
        qtbot.keyClick(focus, Qt.Key.Key_Tab)
        focus = QApplication.focusWidget()
        if focus is start or focus in visited:
            break
        visited.append(focus)
    assert QApplication.focusWidget() is start, [type(w).__name__ for w in visited[-3:]]
    assert tab.detail.tabs.tabBar() in visited
    assert tab.view in visited
    assert (tab.composer.encoding_combo in visited) is url.startswith("ws")


def test_home_and_end_in_the_log_pick_the_first_and_last_row(qtbot, tab, fake_factory) -> None:
    """Tabbing into the log marks its first row without selecting it; Home there selected
    nothing (the detail pane stayed empty) and End went to the row's last cell."""
    open_tab(qtbot, tab, fake_factory)
    fake_factory.last.do(lambda c: [c.message(f"m{i}") for i in range(3)])
    proxy = tab.controller.proxy
    qtbot.waitUntil(lambda: proxy.rowCount() == 4, timeout=WAIT_MS)
    tab.clear_button.setFocus()  # the control before the log
    qtbot.waitUntil(tab.clear_button.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(tab.clear_button, Qt.Key.Key_Tab)
    assert tab.view.hasFocus()
    assert tab.detail.record is None
    qtbot.keyClick(tab.view, Qt.Key.Key_Home)
    assert tab.detail.record is proxy.record(0)
    qtbot.keyClick(tab.view, Qt.Key.Key_End)
    assert tab.detail.record is proxy.record(3)
    assert tab.detail.record.payload == "m2"
