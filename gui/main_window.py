"""The main window: tabs, menus, and the settings that outlive a run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QToolButton,
    QWidget,
)

from .connection.clients import (
    ClientFactory,
    ConnectOptions,
    create_client,
    reconnects_by_default,
    transport_for_url,
)
from .decoders import JsonlError, read_jsonl
from .recording_tab import RecordingTab
from .settings import MAX_CAPACITY, MIN_CAPACITY, MonitorSettings
from .tab import ConnectionTab

__all__ = ["MainWindow"]


class MainWindow(QMainWindow):
    """One tab per connection (or opened file); New (Ctrl+T), Open (Ctrl+O), Close (Ctrl+W),
    Export (Ctrl+S)."""

    def __init__(
        self,
        settings: MonitorSettings | None = None,
        *,
        factory: ClientFactory = create_client,
        capacity: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``capacity``: rows per tab; None takes the setting (File > Log capacity)."""
        super().__init__(parent)
        self.settings = settings if settings is not None else MonitorSettings()
        self._factory = factory
        self._capacity = capacity
        self.setWindowTitle("pushsdk monitor")
        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.setElideMode(Qt.TextElideMode.ElideMiddle)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        new_button = QToolButton()
        new_button.setText("+")
        new_button.setToolTip("New tab (Ctrl+T)")
        new_button.setAutoRaise(True)
        new_button.clicked.connect(lambda: self.new_tab())  # noqa: PLW0108 - drop the bool arg
        self.tabs.setCornerWidget(new_button)
        self.setCentralWidget(self.tabs)
        self._build_menus()
        self.resize(1280, 800)
        geometry = self.settings.bytes_value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.new_action = self._action("&New tab", "Ctrl+T", self.new_tab)
        self.close_action = self._action("&Close tab", "Ctrl+W", self.close_current_tab)
        self.open_action = self._action("&Open JSON Lines…", "Ctrl+O", self._open_dialog)
        self.export_action = self._action("&Export log…", "Ctrl+S", self._export)
        self.find_action = self._action("&Filter…", "Ctrl+F", self._focus_filter)
        self.capacity_action = self._action("Log &capacity…", "", self._ask_capacity)
        quit_action = self._action("&Quit", "Ctrl+Q", self.close)
        # As in browsers (Ctrl+Tab and Ctrl+Shift+Tab also work: QTabWidget's own).
        self._action("Next tab", "Ctrl+PgDown", lambda: self._switch_tab(1))
        self._action("Previous tab", "Ctrl+PgUp", lambda: self._switch_tab(-1))
        for action in (
            self.new_action,
            self.open_action,
            self.close_action,
            self.export_action,
            self.find_action,
        ):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.capacity_action)
        self.keep_secrets_action = QAction("Keep &secrets on disk", self)
        self.keep_secrets_action.setCheckable(True)
        self.keep_secrets_action.setChecked(self.settings.keep_secrets)
        self.keep_secrets_action.setToolTip(
            "Save Authorization, cookie, token and key header values with the session"
            " and saved requests (off: they last for this run only)"
        )
        self.keep_secrets_action.toggled.connect(self.settings.set_keep_secrets)
        file_menu.addAction(self.keep_secrets_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        self.requests_menu = self.menuBar().addMenu("&Requests")
        self.save_request_action = self._action(
            "&Save request as…", "Ctrl+Shift+S", self.save_request_dialog
        )
        self.delete_request_action = self._action("&Delete a saved request…", "", self._delete)
        self.requests_menu.aboutToShow.connect(self._fill_requests_menu)
        self._fill_requests_menu()

    def _action(self, text: str, shortcut: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda: slot())  # noqa: PLW0108 - drop the bool arg
        self.addAction(action)
        return action

    # -- tabs ---------------------------------------------------------------------

    def _switch_tab(self, step: int) -> None:
        """Show the next (1) or previous (-1) tab, wrapping around."""
        count = self.tabs.count()
        if count:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % count)

    def tab(self, index: int) -> ConnectionTab:
        widget = self.tabs.widget(index)
        assert isinstance(widget, ConnectionTab)
        return widget

    def all_tabs(self) -> list[ConnectionTab]:
        return [self.tab(i) for i in range(self.tabs.count())]

    def current_tab(self) -> ConnectionTab | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, ConnectionTab) else None

    def new_tab(
        self,
        url: str = "",
        *,
        connect: bool = False,
        remember: bool = True,
        options: ConnectOptions | None = None,
    ) -> ConnectionTab:
        """Add a tab (with ``url`` and ``options`` filled in, connected if ``connect``)."""
        capacity = self._capacity if self._capacity is not None else self.settings.capacity()
        tab = ConnectionTab(self.settings, factory=self._factory, capacity=capacity)
        self._restore_columns(tab)
        index = self.tabs.addTab(tab, tab.title)
        tab.title_changed.connect(lambda title, t=tab: self._retitle(t, title))
        self.tabs.setCurrentIndex(index)
        if url:
            tab.bar.set_url(url)
        if options is not None:
            tab.bar.apply_options(options)
        if url and connect:
            tab.connect_to(url, remember=remember)
        tab.bar.url_combo.setFocus()
        return tab

    def open_file(self, path: str | Path) -> RecordingTab:
        """Open a JSON Lines export (or recording) in a new read-only tab.

        Raises:
            JsonlError: a line that is not an export line (the message names it).
            OSError: the file cannot be read.
        """
        capacity = self._capacity if self._capacity is not None else self.settings.capacity()
        opened = read_jsonl(path, limit=capacity)
        tab = RecordingTab(self.settings, opened, path, capacity=capacity)
        self._restore_columns(tab)
        index = self.tabs.addTab(tab, tab.title)
        self.tabs.setTabToolTip(index, str(path))
        self.tabs.setCurrentIndex(index)
        tab.view.setFocus()
        return tab

    def _open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a JSON Lines export", "", "JSON Lines (*.jsonl *.json);;All files (*)"
        )
        if not path:
            return
        try:
            self.open_file(path)
        except (OSError, JsonlError) as exc:
            QMessageBox.warning(self, "Cannot open the file", str(exc))

    def close_tab(self, index: int) -> None:
        """Close the tab at ``index``; its client closes in the background."""
        tab = self.tab(index)
        self._save_columns(tab)
        tab.shutdown()
        self.tabs.removeTab(index)
        tab.deleteLater()

    def close_current_tab(self) -> None:
        if self.tabs.count():
            self.close_tab(self.tabs.currentIndex())

    def _retitle(self, tab: ConnectionTab, title: str) -> None:
        index = self.tabs.indexOf(tab)
        if index >= 0:
            self.tabs.setTabText(index, title)
            self.tabs.setTabToolTip(index, tab.controller.url)

    def _focus_filter(self) -> None:
        tab = self.current_tab()
        if tab is not None:
            tab.filter_bar.text_edit.setFocus()
            tab.filter_bar.text_edit.selectAll()

    def _ask_capacity(self) -> None:
        rows, ok = QInputDialog.getInt(
            self,
            "Log capacity",
            "Rows each new tab keeps (about 42 MiB per 100,000 small messages):",
            self.settings.capacity(),
            MIN_CAPACITY,
            MAX_CAPACITY,
            10_000,
        )
        if ok:
            self.settings.set_capacity(rows)

    def _export(self) -> None:
        tab = self.current_tab()
        if tab is not None:
            tab.export_dialog()

    # -- saved requests and the session ------------------------------------------------

    def _fill_requests_menu(self) -> None:
        menu = self.requests_menu
        menu.clear()
        menu.addAction(self.save_request_action)
        saved = self.settings.saved_requests()
        if saved:
            menu.addSeparator()
        for name, (url, options) in saved.items():
            action = menu.addAction(name)
            action.setToolTip(url)
            action.triggered.connect(lambda _=False, u=url, o=options: self.new_tab(u, options=o))
        menu.addSeparator()
        menu.addAction(self.delete_request_action)
        self.delete_request_action.setEnabled(bool(saved))

    def save_request_dialog(self) -> None:
        """Ask a name and save the current tab's URL and options under it."""
        tab = self.current_tab()
        if tab is None or not tab.bar.url:
            return
        name, ok = QInputDialog.getText(self, "Save request", "Name:", text=tab.title)
        if ok and name.strip():
            self.settings.save_request(name.strip(), tab.bar.url, tab.bar.options())

    def _delete(self) -> None:
        names = list(self.settings.saved_requests())
        if not names:
            return
        name, ok = QInputDialog.getItem(self, "Delete a saved request", "Request:", names, 0, False)
        if ok:
            self.settings.delete_request(name)

    def restore_tabs(self) -> int:
        """Reopen the tabs of the last run; reconnect those that were live and are safe to
        (a WebSocket or an SSE GET: never a POST, which would repeat the request)."""
        states = self.settings.saved_tabs()
        for state in states:
            tab = self.new_tab(state.url, options=state.options)
            tab.composer.set_history(list(state.history))
            if state.connected and state.url and _safe_to_repeat(state.url, state.options):
                tab.connect_to(state.url, state.options)
        return len(states)

    def _save_tabs(self) -> None:
        self.settings.save_tabs([tab.state() for tab in self.all_tabs() if tab.bar.url])

    # -- settings -----------------------------------------------------------------

    def _restore_columns(self, tab: ConnectionTab) -> None:
        state = self.settings.bytes_value("log/columns")
        if state is not None:
            tab.view.restore_columns(state)

    def _save_columns(self, tab: ConnectionTab) -> None:
        """The widths the user set; widths that follow the window are not kept."""
        if not tab.view.columns_fitted:
            self.settings.set_bytes_value("log/columns", tab.view.horizontalHeader().saveState())

    def save_settings(self) -> None:
        self.settings.set_bytes_value("window/geometry", QByteArray(self.saveGeometry()))
        self._save_tabs()
        tab = self.current_tab()
        if tab is not None:
            self._save_columns(tab)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        for tab in self.all_tabs():
            tab.shutdown()
        super().closeEvent(event)


def _safe_to_repeat(url: str, options: ConnectOptions) -> bool:
    try:
        transport = transport_for_url(url)
    except ValueError:
        return False
    return reconnects_by_default(transport, options.method)
