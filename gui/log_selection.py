"""Keeps a tab's detail pane on the message the user picked.

The pick survives what changes the rows under it: a filter that hides it (the pane
keeps showing it, and the row is selected again once the filter shows it), eviction,
and a record replaced in place (a decoded payload). Ctrl+C copies the picked row.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from .models.filter_proxy import FilterProxy, LogFilter
from .models.records import LogRecord
from .views.detail_pane import DetailPane
from .views.log_view import LogView
from .views.row_menu import copy_text, row_text

__all__ = ["LogSelection"]


class LogSelection(QObject):
    """Connects ``view``'s selection (rows of ``proxy``) to ``detail``."""

    def __init__(
        self, view: LogView, proxy: FilterProxy, detail: DetailPane, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._proxy = proxy
        self._detail = detail
        self._filtering = False
        view.selectionModel().selectionChanged.connect(self._selection_changed)
        copy = QAction("Copy text", view)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_selected)
        view.addAction(copy)

    def selected(self) -> LogRecord | None:
        """The record of the selected row, if a row is selected."""
        rows = self._view.selectionModel().selectedRows()
        return self._proxy.record(rows[0].row()) if rows else None

    def apply_filter(self, spec: LogFilter) -> None:
        """Filter the rows; the picked message stays in the pane, selected if shown."""
        picked = self._detail.record
        self._filtering = True
        try:
            self._proxy.set_filter(spec)
            self.select(picked)
        finally:
            self._filtering = False

    def select(self, record: LogRecord | None) -> None:
        """Select ``record``'s row if the filter shows it, else nothing (the pane keeps it)."""
        selection = self._view.selectionModel()
        row = self._proxy.row_of(record) if record is not None else None
        if row is None:
            selection.clearSelection()
            return
        selection.select(
            self._proxy.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def record_replaced(self, old: LogRecord, new: LogRecord) -> None:
        if self._detail.record is old:
            self._detail.show_record(new)

    def copy_selected(self) -> None:
        record = self.selected()
        if record is not None:
            copy_text(row_text(record))

    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        if self._filtering:
            return  # the user's pick stays; apply_filter selects it again if shown
        record = self.selected()
        if record is not None:  # with none (evicted or filtered out) keep showing it
            self._detail.show_record(record)
