"""The detail pane: the selected message as full text, pretty JSON, hex and decoded."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..formats.payload_format import hex_dump, pretty_json
from ..models.records import LogRecord
from .decoded_view import DecodedView, shows_more
from .json_highlighter import JsonHighlighter
from .text_viewer import set_payload_text, text_viewer

__all__ = ["DetailPane"]

#: Characters of text (and of pretty JSON) shown before "Show all".
TEXT_CAP = 100_000
#: Bytes shown in the hex view before "Show all".
HEX_CAP = 16 * 1024
#: Payloads larger than this are not pretty-printed (parsing would stall the GUI).
JSON_CAP = 2_000_000


class DetailPane(QWidget):
    """Shows one LogRecord; big payloads are capped until "Show all" is pressed."""

    TEXT, JSON, HEX, DECODED = range(4)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = QLabel("Select a message to see it here.")
        self.header.setWordWrap(True)
        self.text_view = text_viewer()
        self.json_view = text_viewer()
        self._highlighter = JsonHighlighter(self.json_view.document())
        self.hex_view = text_viewer()
        self.hex_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.text_view, "Text")
        self.tabs.addTab(self.json_view, "JSON")
        self.tabs.addTab(self.hex_view, "Hex")
        self.decoded_view = DecodedView(text_viewer())
        self._decoded_highlighter = JsonHighlighter(self.decoded_view.view.document())
        self.tabs.addTab(self.decoded_view, "Decoded")
        self.decoded_view.decoder_changed.connect(self._decoder_changed)
        self._decoded_caps: tuple[int | None, int | None] | None = None  # shown when picked
        self.tabs.currentChanged.connect(self._tab_changed)
        self.show_all_button = QPushButton("Show all")
        self.show_all_button.clicked.connect(self._show_all)
        self.show_all_button.hide()
        self.truncated_label = QLabel()
        bottom = QHBoxLayout()
        bottom.addWidget(self.truncated_label, 1)
        bottom.addWidget(self.show_all_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        self._record: LogRecord | None = None

    @property
    def record(self) -> LogRecord | None:
        return self._record

    def show_record(self, record: LogRecord | None, *, full: bool = False) -> None:
        """Display ``record`` (None clears); pick the most useful tab."""
        self._record = record
        if record is None:
            self.header.setText("Select a message to see it here.")
            for view in (self.text_view, self.json_view, self.hex_view):
                view.clear()
            self.decoded_view.prepare(None)
            self.decoded_view.show_decoded(text_cap=None, hex_cap=None)
            self._decoded_caps = None
            self._set_truncated(False)
            return
        parts = [record.time_text, record.direction.value, record.event]
        if record.id:
            parts.append(f"id {record.id}")
        parts.append(f"{record.size:,} bytes" + (" binary" if record.is_binary else ""))
        if record.note:
            parts.append(record.note)
        self.header.setText("  ·  ".join(parts))
        payload = record.payload
        truncated = False
        if isinstance(payload, bytes):
            text = payload.decode("utf-8", "replace")
            raw = payload
        else:
            text = payload
            raw = payload.encode("utf-8", "replace")
        if not full and len(text) > TEXT_CAP:
            text, truncated = text[:TEXT_CAP], True
        pretty = pretty_json(payload) if len(raw) <= JSON_CAP or full else None
        if pretty is not None and not full and len(pretty) > TEXT_CAP:
            pretty, truncated = pretty[:TEXT_CAP], True
        limit = None if full else HEX_CAP
        truncated = truncated or (limit is not None and len(raw) > limit)
        # Decoding a huge text payload would stall the GUI like parsing it: on request.
        decoded = self.decoded_view.prepare(payload if len(raw) <= JSON_CAP or full else None)
        # Pick the tab first: a view laid out while hidden keeps a stale scroll range.
        self._decoded_caps = None  # the Decoded tab is filled below if picked
        self.tabs.setTabEnabled(self.JSON, pretty is not None)
        if decoded is not None and (not self.decoded_view.auto or shows_more(decoded)):
            self.tabs.setCurrentIndex(self.DECODED)
        elif record.is_binary:
            self.tabs.setCurrentIndex(self.HEX)
        elif pretty is not None:
            self.tabs.setCurrentIndex(self.JSON)
        else:
            self.tabs.setCurrentIndex(self.TEXT)
        self._decoded_caps = (None if full else TEXT_CAP, limit)
        if self.tabs.currentIndex() == self.DECODED:
            truncated = self._show_decoded() or truncated
        self._set_truncated(truncated)
        set_payload_text(self.text_view, text)
        set_payload_text(self.json_view, pretty if pretty is not None else "(not JSON)")
        self.hex_view.setPlainText(hex_dump(raw, limit=limit))

    def _set_truncated(self, truncated: bool) -> None:
        self.show_all_button.setVisible(truncated)
        self.truncated_label.setText("Large payload: showing the beginning." if truncated else "")

    def _show_all(self) -> None:
        self.show_record(self._record, full=True)

    def _show_decoded(self) -> bool:
        """Fill the Decoded tab (only when it is looked at: big texts are slow to lay out)."""
        caps, self._decoded_caps = self._decoded_caps, None
        if caps is None:
            return False
        cut = self.decoded_view.show_decoded(text_cap=caps[0], hex_cap=caps[1])
        if self.decoded_view.decoded is None and self._record is not None:
            self.decoded_view.label.setText("Large payload: Show all decodes it.")
        return cut

    def _tab_changed(self, index: int) -> None:
        if index == self.DECODED and self._decoded_caps is not None and self._show_decoded():
            self._set_truncated(True)

    def _decoder_changed(self) -> None:
        if self._record is not None:
            self.show_record(self._record)
