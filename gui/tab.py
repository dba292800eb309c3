"""One connection tab: bar, status, filter, log, detail pane and composer."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QMessageBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .clients import ClientFactory, ConnectOptions, Transport, create_client, transport_for_url
from .composer import Composer
from .connection_bar import ConnectionBar
from .controller import TabController
from .detail_pane import DetailPane
from .export import export_csv, export_jsonl
from .filter_bar import FilterBar
from .filter_proxy import LogFilter
from .log_model import DEFAULT_CAPACITY
from .log_view import LogView
from .settings import MonitorSettings
from .status_panel import StatusPanel

__all__ = ["ConnectionTab", "tab_title"]


def tab_title(url: str) -> str:
    """A short tab title: host, port and the end of the path."""
    if not url:
        return "New tab"
    parts = urlsplit(url)
    path = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return f"{parts.netloc}/{path}" if path else parts.netloc or url


def _button(text: str, tip: str, checkable: bool = False) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setCheckable(checkable)
    return button


class ConnectionTab(QWidget):
    """Everything about one connection. ``title_changed`` follows the URL."""

    title_changed = Signal(str)

    def __init__(
        self,
        settings: MonitorSettings,
        *,
        factory: ClientFactory = create_client,
        capacity: int = DEFAULT_CAPACITY,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.controller = TabController(factory, capacity=capacity, parent=self)
        controller = self.controller

        self.bar = ConnectionBar()
        self.bar.set_recent(settings.recent_urls())
        self.status_panel = StatusPanel(controller.rate)
        self.filter_bar = FilterBar()
        self.pause_button = _button("Pause", "Stop adding rows (messages are still counted)", True)
        self.follow_button = _button("Follow", "Keep the newest message in view", True)
        self.follow_button.setChecked(True)
        self.clear_button = _button("Clear", "Remove every row")
        self.view = LogView()
        self.view.setModel(controller.proxy)
        self.detail = DetailPane()
        self.composer = Composer()
        self.composer.set_send_enabled(False)

        tools = QHBoxLayout()
        tools.setSpacing(4)
        tools.addWidget(self.filter_bar, 1)
        tools.addSpacing(8)
        for button in (self.pause_button, self.follow_button, self.clear_button):
            tools.addWidget(button)

        self.log_splitter = QSplitter(Qt.Orientation.Vertical)
        self.log_splitter.addWidget(self.view)
        self.log_splitter.addWidget(self.composer)
        self.log_splitter.setStretchFactor(0, 1)
        self.log_splitter.setStretchFactor(1, 0)
        self.log_splitter.setSizes([560, 90])
        self.log_splitter.setChildrenCollapsible(False)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.addWidget(self.log_splitter)
        self.main_splitter.addWidget(self.detail)
        self.main_splitter.setStretchFactor(0, 3)
        self.main_splitter.setStretchFactor(1, 2)
        self.main_splitter.setSizes([820, 440])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.bar)
        layout.addWidget(self.status_panel)
        layout.addLayout(tools)
        layout.addWidget(self.main_splitter, 1)

        self.bar.connect_requested.connect(self.connect_to)
        self.bar.disconnect_requested.connect(self.close_connection)
        self.bar.url_combo.currentTextChanged.connect(self._url_edited)
        self.filter_bar.filter_changed.connect(self._apply_filter)
        controller.events_seen.connect(self.filter_bar.add_events)
        controller.about_to_flush.connect(self.view.before_append)
        controller.flushed.connect(self.view.after_append)
        controller.updated.connect(self._refresh)
        self.pause_button.toggled.connect(controller.set_paused)
        self.follow_button.toggled.connect(self.view.set_follow_tail)
        self.clear_button.clicked.connect(controller.clear)
        self.clear_button.clicked.connect(lambda: self.detail.show_record(None))
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.composer.send_requested.connect(self._send)
        self._url_edited(self.bar.url)

    # -- actions ------------------------------------------------------------------

    @property
    def title(self) -> str:
        return tab_title(self.controller.url or self.bar.url)

    def connect_to(
        self, url: str, options: ConnectOptions | None = None, *, remember: bool = True
    ) -> bool:
        """Connect to ``url``; on a bad URL or option show why and return False.

        ``remember``: add the URL to the recent URLs (not for throw-away demo servers).
        """
        if options is None:
            options = self.bar.options()
        self.bar.set_url(url)
        try:
            self.controller.connect_to(url, options)
        except (ValueError, TypeError) as exc:
            self.status_panel.show_note(f"Cannot connect: {exc}")
            return False
        self.status_panel.show_note("")
        if remember:
            self.bar.set_recent(self.settings.add_recent_url(url.strip()))
        self.composer.set_history(self.settings.composer_history(url.strip()))
        self.bar.set_connected(True)
        self.composer.set_send_enabled(True)
        self.title_changed.emit(self.title)
        return True

    def close_connection(self) -> None:
        self.controller.close_connection()
        self.bar.set_connected(False)
        self.composer.set_send_enabled(False)

    def shutdown(self) -> None:
        """Close the connection without waiting for it; the tab is being closed."""
        self.controller.shutdown()

    def export(self, path: str | Path) -> int:
        """Write the rows the filter shows; ``.csv`` gives CSV, anything else JSON Lines."""
        records = self.controller.proxy.records()
        if str(path).lower().endswith(".csv"):
            return export_csv(records, path)
        return export_jsonl(records, path)

    def export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export log", "messages.jsonl", "JSON Lines (*.jsonl);;CSV (*.csv)"
        )
        if not path:
            return
        try:
            count = self.export(path)
        except OSError as exc:
            QMessageBox.warning(self, "Export failed", str(exc))
            return
        self.status_panel.show_note(f"Exported {count:,} messages to {path}")

    # -- slots --------------------------------------------------------------------

    def _url_edited(self, url: str) -> None:
        try:
            websocket = transport_for_url(url) is Transport.WEBSOCKET
        except ValueError:
            websocket = True
        self.composer.setVisible(websocket)

    def _apply_filter(self, spec: LogFilter) -> None:
        self.controller.proxy.set_filter(spec)

    def _refresh(self) -> None:
        controller = self.controller
        status = controller.status
        if status.kind == "closed" and controller.connected:
            self.close_connection()  # the client ended for good (e.g. HTTP 404): offer Connect
            status = controller.status
        self.status_panel.show_status(status)
        self.status_panel.show_counters(controller.counters)
        self.status_panel.chart.refresh()
        held = controller.held
        text = f"Paused ({held:,})" if controller.paused and held else "Pause"
        if self.pause_button.text() != text:
            self.pause_button.setText(text)

    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        rows = self.view.selectionModel().selectedRows()
        if rows:  # with none (the row was evicted or filtered out) keep showing it
            self.detail.show_record(self.controller.proxy.record(rows[0].row()))

    def _send(self, payload: str | bytes) -> None:
        error = self.controller.send(payload)
        if error is None:
            url = self.controller.url
            self.settings.set_composer_history(url, self.composer.history)
        else:
            self.composer.error_label.setText(f"Not sent: {error}")
