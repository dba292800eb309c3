"""The message table: fixed row height, no resize-to-contents, follow-tail."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from .log_model import COL_DIRECTION, COL_EVENT, COL_ID, COL_SIZE, COL_TIME

__all__ = ["LogView"]

ROW_HEIGHT = 20
_WIDTHS = {COL_TIME: 96, COL_DIRECTION: 64, COL_EVENT: 90, COL_ID: 56, COL_SIZE: 64}


class LogView(QTableView):
    """A QTableView tuned for a fast-growing log.

    ``follow_tail`` keeps the newest row in view, but only while the view is
    scrolled to the bottom: a user reading older rows is not yanked away. The
    owner calls ``before_append`` / ``after_append`` around each batch.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.follow_tail = True
        self._was_at_bottom = True
        self._top_before = 0
        self._evicted = 0  # leading rows removed since before_append()
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setAlternatingRowColors(False)
        self.setSortingEnabled(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(ROW_HEIGHT)
        vertical.setMinimumSectionSize(ROW_HEIGHT)
        vertical.hide()
        horizontal = self.horizontalHeader()
        horizontal.setHighlightSections(False)
        horizontal.setStretchLastSection(True)
        horizontal.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is None:
            return
        for column, width in _WIDTHS.items():
            self.setColumnWidth(column, width)
        model.rowsRemoved.connect(self._rows_removed)

    def at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - 1

    def before_append(self) -> None:
        self._was_at_bottom = self.at_bottom()
        self._top_before = self.verticalScrollBar().value()
        self._evicted = 0

    def after_append(self) -> None:
        """Follow the tail, or keep the rows a reader is looking at in place."""
        if self.follow_tail and self._was_at_bottom:
            self.scrollToBottom()
        elif self._evicted:
            # Qt scrolls to the top when leading rows go; put the reader back.
            self.verticalScrollBar().setValue(max(self._top_before - self._evicted, 0))
        self._evicted = 0

    def set_follow_tail(self, follow: bool) -> None:
        self.follow_tail = follow
        if follow:
            self.scrollToBottom()

    def _rows_removed(
        self, parent: QModelIndex | QPersistentModelIndex, first: int, last: int
    ) -> None:
        if first == 0:
            self._evicted += last - first + 1
