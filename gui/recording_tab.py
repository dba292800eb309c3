"""A read-only tab over an opened JSON Lines export: same filters and detail pane,
nothing to connect or send."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .connection.clients import Callbacks, ConnectOptions, PushClient
from .decoders import OpenedLog
from .models.records import Direction
from .settings import MonitorSettings
from .tab import ConnectionTab

__all__ = ["RecordingTab"]


def _no_client(url: str, callbacks: Callbacks, options: ConnectOptions) -> PushClient:
    raise ValueError("this tab shows a file: open a new tab (Ctrl+T) to connect")


class RecordingTab(ConnectionTab):
    """The rows of ``opened`` (read from ``path``), with no connection bar or composer."""

    def __init__(
        self,
        settings: MonitorSettings,
        opened: OpenedLog,
        path: str | Path,
        *,
        capacity: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(settings, factory=_no_client, capacity=capacity, parent=parent)
        self.path = Path(path)
        self.opened = opened
        panel = self.status_panel  # only its notes (e.g. "Exported ...") apply to a file
        for widget in (self.bar, self.composer, self.pause_button, panel.badge, panel.chart):
            widget.hide()
        panel.counters_label.hide()
        self.follow_button.setChecked(False)
        header = opened.header
        parts = [f"Read-only: {self.path.name}", f"{len(opened.records):,} rows"]
        if header.url:
            parts.append(f"recorded from {header.url}")
        if opened.skipped:
            parts.append(f"{opened.skipped:,} older rows left out (over the log capacity)")
        self.info_label = QLabel("  ·  ".join(parts))
        self.info_label.setToolTip(str(self.path))
        self.info_label.setWordWrap(True)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, self.info_label)
        sse = header.protocol == "sse"
        self.filter_bar.direction_buttons[Direction.OUT].setVisible(not sse)
        self.set_llm_available(sse)
        model = self.controller.model
        model.append(opened.records)
        self.filter_bar.add_events(frozenset(record.event for record in opened.records))
        self.view.scrollToTop()

    @property
    def title(self) -> str:
        return self.path.name

    def _url_edited(self, url: str) -> None:
        """The URL field is not used here: the composer stays hidden."""
