"""One connection tab: bar, status, filter, log, detail pane and composer."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QFontDatabase, QFontMetrics
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .connection.clients import (
    ClientFactory,
    ConnectOptions,
    Transport,
    create_client,
    transport_for_url,
)
from .connection.controller import TabController
from .formats.commands import command_for
from .formats.payload_format import hex_dump
from .log_export import export_log, export_log_with_dialog
from .log_selection import LogSelection
from .models.log_model import DEFAULT_CAPACITY, DEFAULT_MAX_BYTES
from .models.records import Direction, LogRecord
from .sessions.serialize import TabState
from .settings import MonitorSettings
from .tab_title import tab_title
from .views.composer import Composer
from .views.connection_bar import ConnectionBar
from .views.detail_pane import DetailPane
from .views.filter_bar import TOGGLE_STYLE, FilterBar
from .views.llm_view import LlmView
from .views.log_view import LogView
from .views.main_splitter import MainSplitter
from .views.row_menu import RowMenu
from .views.status_panel import StatusPanel, format_bytes

__all__ = ["ConnectionTab"]

#: Characters of one hex-dump line (offset, 16 bytes, ASCII column).
_HEX_LINE = len(hex_dump(bytes(16)))


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
        max_bytes: int = DEFAULT_MAX_BYTES,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.controller = TabController(
            factory, capacity=capacity, max_bytes=max_bytes, parent=self
        )
        controller = self.controller
        self._to_remember: tuple[str, ConnectOptions] | None = None  # once it opens

        self.bar = ConnectionBar()
        self.bar.set_recent(settings.recent_urls())
        self.status_panel = StatusPanel(controller.rate)
        self.filter_bar = FilterBar()
        self.pause_button = _button("Pause", "Stop adding rows (messages are still counted)", True)
        self.follow_button = _button("Follow", "Keep the newest message in view", True)
        self.follow_button.setChecked(True)
        self.clear_button = _button("Clear", "Remove every row")
        self.shown_label = QLabel()
        self.shown_label.setWordWrap(True)  # evicted and dropped counts must not widen the window
        self.shown_label.setToolTip(
            f"The log keeps the newest {capacity:,} rows and at most"
            f" {format_bytes(max_bytes)} of messages; older ones are evicted"
            " (File > Log capacity). Dropped: messages that came faster than the window"
            " could show them, or beyond capacity while paused."
        )
        self.view = LogView()
        self.view.setModel(controller.proxy)
        self.detail = DetailPane()
        self.selection = LogSelection(self.view, controller.proxy, self.detail, self)
        self.llm_view = LlmView(controller.model)
        # The detail pane, and for SSE the stream assembled as an LLM answer.
        self.side_tabs = QTabWidget()
        self.side_tabs.setDocumentMode(True)
        self.side_tabs.addTab(self.detail, "Message")
        self.side_tabs.addTab(self.llm_view, "LLM view")
        self.composer = Composer()
        self.composer.set_send_enabled(False)

        tools = QHBoxLayout()
        tools.setSpacing(4)
        tools.addWidget(self.filter_bar, 1)
        tools.addSpacing(8)
        for button in (self.pause_button, self.follow_button, self.clear_button):
            button.setStyleSheet(TOGGLE_STYLE)  # on the buttons only: the table keeps Fusion
            tools.addWidget(button)

        self.log_splitter = QSplitter(Qt.Orientation.Vertical)
        self.log_splitter.addWidget(self.view)
        self.log_splitter.addWidget(self.composer)
        self.log_splitter.setStretchFactor(0, 1)
        self.log_splitter.setStretchFactor(1, 0)
        self.log_splitter.setSizes([560, 90])
        self.log_splitter.setChildrenCollapsible(False)
        # The detail pane starts wide enough for a whole hex-dump line.
        fixed = QFontMetrics(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        detail_width = fixed.horizontalAdvance("0" * (_HEX_LINE + 2)) + 40
        self.main_splitter = MainSplitter(
            self.log_splitter, self.side_tabs, (max(1260 - detail_width, 600), detail_width)
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.bar)
        layout.addWidget(self.status_panel)
        layout.addLayout(tools)
        layout.addWidget(self.main_splitter, 1)
        # Below the log, as a browser's devtools count requests: nothing follows the
        # counts, so nothing moves as they grow.
        layout.addWidget(self.shown_label)

        self.bar.connect_requested.connect(self.connect_to)
        self.bar.disconnect_requested.connect(self.close_connection)
        self.bar.url_combo.currentTextChanged.connect(self._url_edited)
        self.filter_bar.filter_changed.connect(self.selection.apply_filter)
        controller.events_seen.connect(self.filter_bar.add_events)
        controller.about_to_flush.connect(self.view.before_append)
        controller.flushed.connect(self.view.after_append)
        controller.updated.connect(self._refresh)
        self.pause_button.toggled.connect(controller.set_paused)
        self.follow_button.toggled.connect(self.view.set_follow_tail)
        self.view.follow_changed.connect(self.follow_button.setChecked)
        controller.record_replaced.connect(self.selection.record_replaced)
        self.bar.url_combo.textActivated.connect(self._recent_picked)
        self.clear_button.clicked.connect(controller.clear)
        self.clear_button.clicked.connect(lambda: self.detail.show_record(None))
        self.composer.send_requested.connect(self._send)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._row_menu_requested)
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
        given, url = url.strip(), self.bar.complete(url)
        self.bar.set_url(url)
        try:
            self.controller.connect_to(url, options)
        except (ValueError, TypeError) as exc:
            note = f"Cannot connect: {exc}"
            if url != given:  # no scheme, and no host:port/path either
                self.bar.set_url(given)
                note = (  # what to type first: a narrow window elides the end
                    f"Cannot connect to {given!r}: type host:port/path or a ws://, wss://,"
                    f" http:// or https:// URL ({exc})"
                )
            self.status_panel.show_note(note, error=True)
            self.bar.set_url_error(True)
            return False
        self.status_panel.show_note("")
        self.bar.set_url_error(False)
        self._to_remember = (url.strip(), options) if remember else None
        self.composer.set_history(self.settings.composer_history(url.strip()))
        focus = QApplication.focusWidget()
        self._refresh()  # disables the URL field, which hands its focus to the next button
        if focus is None or self.bar.isAncestorOf(focus):
            # Where typing goes next, never the Disconnect button (a second Enter).
            (self.composer.editor if self.composer.isVisible() else self.view).setFocus()
        self.title_changed.emit(self.title)
        return True

    def state(self) -> TabState:
        """What a restart restores: the request being edited, the history, whether live."""
        return TabState(
            self.bar.complete(self.bar.url) if self.bar.transport else self.bar.url,
            self.bar.options(),
            tuple(self.composer.history),
            self.controller.connected,
        )

    def close_connection(self) -> None:
        self.controller.close_connection()  # its update refreshes the bar

    def shutdown(self) -> None:
        """Close the connection without waiting for it; the tab is being closed."""
        self.controller.shutdown()

    def export(self, path: str | Path, *, csv: bool | None = None, all_rows: bool = False) -> int:
        """Write the rows the filter shows (or ``all_rows``); return how many."""
        return export_log(self.controller, path, csv=csv, all_rows=all_rows)

    def export_dialog(self) -> None:
        export_log_with_dialog(self, self.controller, self.status_panel)

    # -- slots --------------------------------------------------------------------

    def _url_edited(self, url: str) -> None:
        websocket = self.bar.transport is not Transport.SSE
        self.composer.setVisible(websocket)
        # An SSE tab sends nothing: no Out toggle, no out counters.
        self.filter_bar.direction_buttons[Direction.OUT].setVisible(websocket)
        self.status_panel.outgoing = websocket
        self.set_llm_available(not websocket)

    def set_llm_available(self, available: bool) -> None:
        """Offer the LLM view (SSE tabs); the side shows just the message otherwise."""
        self.llm_view.set_active(available)
        self.side_tabs.setTabVisible(1, available)
        self.side_tabs.tabBar().setVisible(available)
        # A hidden tab bar (the tab widget's focus proxy) cannot take the focus, and Tab
        # stopped at the control before it: the tab widget takes none then.
        policy = Qt.FocusPolicy.TabFocus if available else Qt.FocusPolicy.NoFocus
        self.side_tabs.setFocusPolicy(policy)
        if not available:
            self.side_tabs.setCurrentIndex(0)

    def _recent_picked(self, url: str) -> None:
        """A URL from the history comes back with the options it was used with."""
        options = self.settings.connect_options(url)
        if options is not None:
            self.bar.apply_options(options)

    def _refresh(self) -> None:
        controller = self.controller
        status = controller.status
        connected = controller.connected
        if status.kind == "open" and self._to_remember is not None:
            url, options = self._to_remember  # only URLs that worked join the history
            self._to_remember = None
            self.bar.set_recent(self.settings.remember_connection(url, options))
        self.bar.set_connected(connected)
        self.composer.set_send_enabled(connected)
        panel = self.status_panel
        panel.show_status(status)
        panel.show_counters(controller.counters)
        panel.chart.refresh()
        held = controller.held
        text = f"Paused ({held:,})" if controller.paused and held else "Pause"
        if self.pause_button.text() != text:
            self.pause_button.setText(text)
        self._show_counts()

    def _show_counts(self) -> None:
        """How much of the log the filter shows, and what was lost on the way."""
        controller = self.controller
        model = controller.model
        text = f"{controller.proxy.rowCount():,} of {model.rowCount():,} shown"
        if model.evicted:
            text += f" · {model.evicted:,} evicted"
        if controller.dropped:
            text += f" · {controller.dropped:,} dropped"
        if self.shown_label.text() != text:
            self.shown_label.setText(text)

    def row_menu(self, record: LogRecord) -> RowMenu:
        """The right-click menu of ``record``'s row."""
        url, options = self.controller.url or self.bar.url, self.controller.options
        try:
            sse = transport_for_url(url) is Transport.SSE
        except ValueError:
            command = None
            sse = False
        else:
            payload = record.payload if record.direction is Direction.OUT else None
            command = ("curl" if sse else "websocat", command_for(url, options, payload))
        menu = RowMenu(record, command=command, can_resend=not sse, parent=self)
        menu.resend_requested.connect(self.resend)
        menu.only_event.connect(self.filter_bar.show_only_event)
        menu.hide_event.connect(lambda name: self.filter_bar.set_event_shown(name, False))
        return menu

    def resend(self, record: LogRecord) -> None:
        """Put ``record``'s payload in the composer (binary as hex), ready to send."""
        self.composer.edit(record.payload)

    def _row_menu_requested(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():  # the menu key: the selected row
            rows = self.view.selectionModel().selectedRows()
            if not rows:
                return
            index = rows[0]
            pos = self.view.visualRect(index).center()
        menu = self.row_menu(self.controller.proxy.record(index.row()))
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def _send(self, payload: str | bytes) -> None:
        error = self.controller.send(payload)
        if error is None:
            url = self.controller.url
            self.settings.set_composer_history(url, self.composer.history)
        else:
            self.composer.error_label.setText(f"Not sent: {error}")
