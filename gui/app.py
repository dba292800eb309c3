"""Application start-up: the QApplication, the demo server, the screenshot mode."""

from __future__ import annotations

import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from .connection.clients import ConnectOptions
from .connection.closers import wait_for_closers
from .demo_server import DemoServer
from .gc_policy import SurvivorFreezer, freeze_startup_objects
from .main_window import MainWindow
from .models.records import Direction
from .settings import MonitorSettings

__all__ = ["run"]

#: Milliseconds between two freezes of the objects that survived (see gc_policy).
FREEZE_INTERVAL_MS = 1000
#: Seconds the process waits on exit for clients that are still closing.
EXIT_GRACE = 2.0
DEMO_MESSAGE = '{"type": "greeting", "text": "Hello from pushsdk monitor", "n": 1}'


def run(
    urls: list[str],
    *,
    demo: bool,
    screenshot: str | None,
    after: float,
    options: ConnectOptions | None = None,
) -> int:
    """Show the window, optionally on the demo server, until it closes (or is photographed)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("pushsdk monitor")
    app.setOrganizationName("pushsdk")
    app.setStyle("Fusion")
    with ExitStack() as stack:
        if screenshot is None:
            window = MainWindow()
        else:  # reproducible: default geometry, and nothing saved
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            ini = QSettings(str(Path(folder, "monitor.ini")), QSettings.Format.IniFormat)
            window = MainWindow(MonitorSettings(ini))
        demo_urls: list[str] = []
        if demo:
            server = stack.enter_context(DemoServer(port=0))
            demo_urls = [server.ws_url, server.sse_url]
        for url in demo_urls:
            window.new_tab(url, connect=True, remember=False)
        for url in urls:
            window.new_tab(url, connect=True, options=options)
        urls = demo_urls + urls
        if not urls and (screenshot is not None or not window.restore_tabs()):
            window.new_tab()
        window.tabs.setCurrentIndex(0)
        if demo:
            window.tab(0).composer.encoding_combo.setCurrentText("JSON")
            window.tab(0).composer.editor.setPlainText(DEMO_MESSAGE)
        window.show()
        freeze_startup_objects()
        freezer = SurvivorFreezer()
        collector = QTimer()
        collector.setInterval(FREEZE_INTERVAL_MS)
        collector.timeout.connect(freezer.tick)
        collector.start()
        status = 0
        if screenshot is not None:
            QTimer.singleShot(int(max(after - 1.0, 0) * 1000), lambda: _stage(window))
            QTimer.singleShot(int(after * 1000), lambda: _shoot(window, screenshot, app))
        status = app.exec()
        window.close()
        wait_for_closers(EXIT_GRACE)
    return status


def _stage(window: MainWindow) -> None:
    """Before a screenshot: send the composer's message, so the log shows both ways."""
    tab = window.current_tab()
    if tab is not None and tab.composer.isVisible() and tab.controller.connected:
        tab.composer.submit()


def _shoot(window: MainWindow, path: str, app: QApplication) -> None:
    """Select the newest sent (else received) message to fill the detail pane; grab; exit."""
    tab = window.current_tab()
    if tab is not None:
        tab.controller.flush()
        proxy = tab.controller.proxy
        newest = {proxy.record(r).direction: r for r in range(proxy.rowCount())}
        row = newest.get(Direction.OUT, newest.get(Direction.IN))
        if row is not None:
            tab.view.selectRow(row)
    ok = window.grab().save(str(Path(path)), "PNG")
    if not ok:
        print(f"pushsdk-monitor: could not write {path}", file=sys.stderr)  # noqa: T201
    app.exit(0 if ok else 1)
