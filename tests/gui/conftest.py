"""GUI test set-up: headless Qt, isolated settings, fake clients."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from pushsdk_monitor.connection.closers import wait_for_closers
from pushsdk_monitor.main_window import MainWindow
from pushsdk_monitor.settings import MonitorSettings
from pushsdk_monitor.tab import ConnectionTab
from tests.gui.fakes import FakeFactory


@pytest.fixture
def settings(tmp_path: Path) -> MonitorSettings:
    """Settings in a temporary INI file, never the user's."""
    return MonitorSettings(QSettings(str(tmp_path / "monitor.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def fake_factory() -> Iterator[FakeFactory]:
    factory = FakeFactory()
    yield factory
    for client in factory.clients:
        client.close(timeout=5)


@pytest.fixture(autouse=True)
def closers_finished() -> Iterator[None]:
    """Every client a test's tabs closed in the background has finished closing."""
    yield
    assert wait_for_closers(5.0), "a client was still closing 5 s after the test"


@pytest.fixture(autouse=True)
def isolated_user_settings(tmp_path: Path) -> None:
    """Code that makes its own QSettings writes under tmp_path, not the user's config."""
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "user-config"))


@pytest.fixture
def tab(qtbot, settings: MonitorSettings, fake_factory: FakeFactory) -> Iterator[ConnectionTab]:
    """A connection tab on a fake client, shown at a fixed size."""
    widget = ConnectionTab(settings, factory=fake_factory, capacity=1000)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    yield widget
    widget.shutdown()


@pytest.fixture
def window(qtbot, settings: MonitorSettings) -> Iterator[MainWindow]:
    """The main window, shown, its tabs making real clients."""
    widget = MainWindow(settings)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.close()


@pytest.fixture
def fake_window(
    qtbot, settings: MonitorSettings, fake_factory: FakeFactory
) -> Iterator[MainWindow]:
    """The main window, shown and active (keys reach it), its tabs making fake clients."""
    widget = MainWindow(settings, factory=fake_factory)
    qtbot.addWidget(widget)
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)
    yield widget
    widget.close()
