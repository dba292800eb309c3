"""A small live chart of messages per second, painted with QPainter.

Qt Charts is deprecated since Qt 6.10; 60 bars do not need it.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..models.rate import RateSeries

__all__ = ["RateChart", "nice_ceiling"]

_BAR = QColor("#3b7dd8")
_CURRENT = QColor("#9dbfee")
_GRID = QColor("#d0d4da")
_TEXT = QColor("#555b63")
_BACKGROUND = QColor("#fafbfc")


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least ``value`` (min 1)."""
    ceiling = 1
    while True:
        for step in (1, 2, 5):
            if ceiling * step >= max(value, 1):
                return ceiling * step
        ceiling *= 10


class RateChart(QWidget):
    """Bars of a RateSeries, newest on the right, with the peak and scale written in."""

    def __init__(self, series: RateSeries, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._series = series
        self._values: list[int] = series.values()
        self.setMinimumSize(240, 56)
        self.setMaximumWidth(480)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("Messages received per second, last 60 s")

    def sizeHint(self) -> QSize:
        return QSize(360, 60)

    def refresh(self) -> None:
        """Repaint if the series changed (called on the controller's tick)."""
        values = self._series.values()
        if values != self._values:
            self._values = values
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.fillRect(rect, _BACKGROUND)
        painter.setPen(QPen(_GRID))
        painter.drawRect(rect)
        values = self._values
        top = nice_ceiling(max(values))
        font = painter.font()
        font.setPointSizeF(max(font.pointSizeF() - 1.5, 7.0))
        painter.setFont(font)
        text_height = painter.fontMetrics().height()
        plot = rect.adjusted(4, text_height + 2, -4, -3)
        painter.drawLine(QLineF(plot.topLeft(), plot.topRight()))
        width = plot.width() / len(values)
        painter.setPen(Qt.PenStyle.NoPen)
        for i, value in enumerate(values):
            if value <= 0:
                continue
            height = max(plot.height() * value / top, 1.0)
            bar = QRectF(plot.left() + i * width, plot.bottom() - height, max(width - 1, 1), height)
            painter.fillRect(bar, _CURRENT if i == len(values) - 1 else _BAR)
        painter.setPen(QPen(_TEXT))
        label_rect = rect.adjusted(5, 1, -5, 0)
        painter.drawText(
            label_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, "msg/s · 60 s"
        )
        peak = max(values)
        painter.drawText(
            label_rect,
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
            f"peak {peak:,} · scale {top:,}",
        )
        painter.end()
