"""The tab's log | detail splitter: in a narrow window the detail pane gives way first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QWidget

__all__ = ["DETAIL_MIN_WIDTH", "LOG_MIN_WIDTH", "MainSplitter"]

#: The log's least width while the detail pane can give way (its columns and a
#: readable preview), and the detail pane's least width when it gives way.
LOG_MIN_WIDTH = 620
DETAIL_MIN_WIDTH = 320


class MainSplitter(QSplitter):
    """The log and the detail pane side by side.

    Wide, they share the width as ``sizes`` set it; narrow, the detail pane
    shrinks (down to DETAIL_MIN_WIDTH) until the log has LOG_MIN_WIDTH, since the
    log is what a narrow window is for. Once the user drags the handle, the
    splitter keeps what they chose, as any QSplitter does.
    """

    def __init__(self, log: QWidget, detail: QWidget, sizes: tuple[int, int]) -> None:
        super().__init__(Qt.Orientation.Horizontal)
        self.addWidget(log)
        self.addWidget(detail)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        self.setSizes(list(sizes))
        self._log_share = sizes[0] / sum(sizes)
        self._by_user = False
        self.splitterMoved.connect(self._moved)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._by_user:
            total = sum(self.sizes())
            log = round(total * self._log_share)
            log = max(log, min(LOG_MIN_WIDTH, total - DETAIL_MIN_WIDTH))
            self.setSizes([log, total - log])

    def _moved(self) -> None:
        self._by_user = True
