"""The main window: tab shortcuts, settings kept across runs, command line."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from pushsdk_monitor.__main__ import main
from pushsdk_monitor.main_window import MainWindow
from pushsdk_monitor.models.log_model import COL_EVENT
from pushsdk_monitor.settings import MonitorSettings
from tests.gui.fakes import FakeFactory


def reopen(settings: MonitorSettings) -> MonitorSettings:
    settings.sync()
    qsettings = settings.qsettings
    return MonitorSettings(QSettings(qsettings.fileName(), qsettings.format()))


def test_ctrl_t_opens_and_ctrl_w_closes_tabs(
    qtbot, fake_window: MainWindow, fake_factory: FakeFactory
) -> None:
    window = fake_window
    assert window.tabs.count() == 0
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 2
    tab = window.tab(1)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert tab.filter_bar.text_edit.hasFocus()
    tab.connect_to("ws://fake.test/a")
    qtbot.waitUntil(lambda: tab.status_panel.status.label == "Open")
    assert window.tabs.tabText(1) == "fake.test/a"
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 1
    assert fake_factory.last.closed.wait(5)  # closed in the background


def test_ctrl_page_down_and_up_switch_tabs_around(qtbot, fake_window: MainWindow) -> None:
    window = fake_window
    for _ in range(3):
        window.new_tab()
    window.tabs.setCurrentIndex(0)
    window.tab(0).filter_bar.text_edit.setFocus()  # from a text box too
    control = Qt.KeyboardModifier.ControlModifier
    seen = []
    for key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageDown, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
        qtbot.keyClick(QApplication.focusWidget() or window, key, control)
        seen.append(window.tabs.currentIndex())
    assert seen == [1, 2, 0, 2]  # wraps around both ways


def test_window_geometry_and_column_widths_are_kept(qtbot, settings) -> None:
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    window.resize(700, 500)  # the offscreen screen is 800x600
    tab = window.new_tab()
    tab.view.setColumnWidth(COL_EVENT, 173)
    window.close()

    again = MainWindow(reopen(settings))
    qtbot.addWidget(again)
    again.show()
    assert (again.width(), again.height()) == (700, 500)
    assert again.new_tab().view.columnWidth(COL_EVENT) == 173
    again.close()


def test_closing_the_window_closes_every_client(qtbot, settings, fake_factory) -> None:
    window = MainWindow(settings, factory=fake_factory)
    qtbot.addWidget(window)
    window.new_tab("ws://fake.test/1", connect=True)
    window.new_tab("ws://fake.test/2", connect=True)
    window.close()
    assert all(client.closed.wait(5) for client in fake_factory.clients)
    assert reopen(settings).recent_urls() == ["ws://fake.test/2", "ws://fake.test/1"]


def test_command_line_rejects_a_negative_after(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--screenshot", "x.png", "--after", "-1"])
    assert "--after" in capsys.readouterr().err
