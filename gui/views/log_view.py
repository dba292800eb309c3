"""The message table: fixed row height, no resize-to-contents, follow-tail."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFontDatabase, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QToolButton, QWidget

from ..models.log_model import COL_DIRECTION, COL_EVENT, COL_ID, COL_PREVIEW, COL_SIZE, COL_TIME

__all__ = ["PREVIEW_SHARE", "WIDTHS", "LogView"]

ROW_HEIGHT = 20
_MOVE_HOME = QAbstractItemView.CursorAction.MoveHome
_MOVE_END = QAbstractItemView.CursorAction.MoveEnd
#: The columns before the preview, as wide windows show them.
WIDTHS = {COL_TIME: 96, COL_DIRECTION: 64, COL_EVENT: 90, COL_ID: 56, COL_SIZE: 64}
#: The share of the log's width the preview keeps while the other columns can narrow.
PREVIEW_SHARE = 0.4
#: The text each column still shows whole at its narrowest (longer text is elided).
_NARROW_TEXT = {COL_TIME: "00:00:00.000", COL_DIRECTION: "▲ out", COL_EVENT: "message",
                COL_ID: "000", COL_SIZE: "999 KiB"}  # fmt: skip


class LogView(QTableView):
    """A QTableView tuned for a fast-growing log.

    Following the tail is one explicit state (``follow_tail``): while on, the view
    stays at the bottom through appends, resizes and splitter drags. The user
    turns it off by scrolling up and on again by scrolling to the bottom (or with
    ``set_follow_tail``); ``follow_changed`` reports every change. The owner calls
    ``before_append`` / ``after_append`` around each batch, so that while not
    following, the rows being read stay put as old rows are evicted.

    While not following, a "Latest (N new)" button floats over the bottom right
    corner once rows arrive; it turns following back on.

    The columns before the preview keep their ``WIDTHS`` while the preview gets at
    least ``PREVIEW_SHARE`` of the width; in a narrower log they narrow (down to
    their ``_NARROW_TEXT``, eliding longer cells) to leave the preview that share.
    Once the user resizes one (or a saved layout is restored), they stay as set.
    """

    follow_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._follow = True
        self._top_before = 0
        self._evicted = 0  # leading rows removed since before_append()
        self._new = 0  # rows shown since following stopped
        self.latest_button = QToolButton(self)
        self.latest_button.setToolTip("Jump to the newest message and follow again (Ctrl+End)")
        self.latest_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.latest_button.setStyleSheet(
            "QToolButton { background: #1971c2; color: white; border-radius: 10px;"
            " padding: 3px 10px; font-weight: bold; }"
        )
        self.latest_button.clicked.connect(lambda: self.set_follow_tail(True))
        self.latest_button.hide()
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Tab leaves the log (the arrows move in it): thousands of cells must not trap it.
        self.setTabKeyNavigation(False)
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
        self._fit_columns = True  # until the user sizes a column
        self._fitting = False
        horizontal.sectionResized.connect(self._section_resized)
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._range_changed)
        bar.actionTriggered.connect(self._scrolled_by_user)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is None:
            return
        self._fit()
        model.rowsRemoved.connect(self._rows_removed)
        model.rowsInserted.connect(self._rows_inserted)
        model.modelReset.connect(self._forget_new)

    def restore_columns(self, state: QByteArray) -> None:
        """Column widths a user set (saved ``horizontalHeader().saveState()``)."""
        self._fitting = True
        try:
            self.horizontalHeader().restoreState(state)
        finally:
            self._fitting = False
        self._fit_columns = all(self.columnWidth(c) == w for c, w in WIDTHS.items())
        self._fit()

    @property
    def columns_fitted(self) -> bool:
        """Whether the widths still follow the log's width (the user set none)."""
        return self._fit_columns

    def _fit(self) -> None:
        """Narrow the columns before the preview as far as the preview's share needs."""
        if not self._fit_columns or self.model() is None:
            return
        metrics = self.fontMetrics()
        narrow = {
            c: min(metrics.horizontalAdvance(t) + 12, WIDTHS[c]) for c, t in _NARROW_TEXT.items()
        }
        full, least = sum(WIDTHS.values()), sum(narrow.values())
        room = self.viewport().width() * (1 - PREVIEW_SHARE)  # for the columns before it
        part = min(max((room - least) / (full - least), 0.0), 1.0) if full > least else 1.0
        self._fitting = True
        try:
            for column, width in WIDTHS.items():
                self.setColumnWidth(column, round(narrow[column] + part * (width - narrow[column])))
        finally:
            self._fitting = False

    def _section_resized(self, column: int, old: int, new: int) -> None:
        if not self._fitting and column != COL_PREVIEW:
            self._fit_columns = False  # the user dragged a column edge

    @property
    def follow_tail(self) -> bool:
        return self._follow

    def at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum()

    def before_append(self) -> None:
        self._top_before = self.verticalScrollBar().value()
        self._evicted = 0

    def after_append(self) -> None:
        """Follow the tail, or keep the rows a reader is looking at in place."""
        if self._follow:
            self.scrollToBottom()
        elif self._evicted:
            # Qt scrolls to the top when leading rows go; put the reader back.
            self.verticalScrollBar().setValue(max(self._top_before - self._evicted, 0))
        self._evicted = 0

    def set_follow_tail(self, follow: bool) -> None:
        if follow:
            self.scrollToBottom()
        if follow != self._follow:
            self._follow = follow
            self._new = 0
            self._show_new()
            self.follow_changed.emit(follow)

    @property
    def new_rows(self) -> int:
        """Rows shown since following stopped (0 while following)."""
        return self._new

    def _rows_inserted(
        self, parent: QModelIndex | QPersistentModelIndex, first: int, last: int
    ) -> None:
        if not self._follow:
            self._new += last - first + 1
            self._show_new()

    def _forget_new(self) -> None:
        self._new = 0
        self._show_new()

    def _show_new(self) -> None:
        button = self.latest_button
        if self._follow or not self._new:
            button.hide()
            return
        button.setText(f"↓ Latest ({self._new:,} new)")
        button.adjustSize()
        self._place_latest()
        button.show()

    def _place_latest(self) -> None:
        viewport = self.viewport().geometry()
        button = self.latest_button
        button.move(viewport.right() - button.width() - 12, viewport.bottom() - button.height() - 8)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()
        self._place_latest()

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        """Home and End go to the first and last row: the log is rows, not cells."""
        if cursorAction in (_MOVE_HOME, _MOVE_END):
            modifiers |= Qt.KeyboardModifier.ControlModifier
        return super().moveCursor(cursorAction, modifiers)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        before = self.verticalScrollBar().value()
        super().keyPressEvent(event)
        # Tabbing in marks the first row as current without selecting it, and a key that
        # keeps the current row (Home there) selected nothing: the detail pane stayed empty.
        current = self.currentIndex()
        if current.isValid() and not self.selectionModel().isRowSelected(current.row()):
            self.selectRow(current.row())
        if self.verticalScrollBar().value() != before:
            self.set_follow_tail(self.at_bottom())

    def _range_changed(self, minimum: int, maximum: int) -> None:
        """Rows came or went, or the view was resized: stay at the bottom if following."""
        if self._follow:
            self.verticalScrollBar().setValue(maximum)

    def _scrolled_by_user(self, action: int) -> None:
        """The user moved the scroll bar (wheel, drag, click): follow only at the bottom."""
        bar = self.verticalScrollBar()
        self.set_follow_tail(bar.sliderPosition() >= bar.maximum())

    def _rows_removed(
        self, parent: QModelIndex | QPersistentModelIndex, first: int, last: int
    ) -> None:
        if first == 0:
            self._evicted += last - first + 1
