"""Filtering the log: a pure matcher plus the proxy model that applies it.

``LogFilter`` holds what the filter bar says; ``compile_filter`` turns it into a
predicate over records once, so ``filterAcceptsRow`` is a single call per row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel

from ..decoders import PathFilterError, SearchDecoder, compile_path_filter
from .log_model import LogModel
from .records import Direction, LogRecord

__all__ = ["FilterProxy", "LogFilter", "compile_filter"]

Predicate = Callable[[LogRecord], bool]


@dataclass(frozen=True)
class LogFilter:
    """What to show.

    Attributes:
        text: searched in the payload text (binary: its UTF-8 text where it decodes,
            and its hex preview), its decoded text (gzip, MessagePack, base64 JSON...),
            event name and id; "" matches all.
        regex: treat ``text`` as a regular expression (an invalid one is matched
            literally instead).
        case_sensitive: match case.
        json_path: ``text`` is a JSON-path expression (``$.type == "trade"``) tested
            on the payload's JSON, decoded if need be; rows without JSON never match.
            An invalid expression filters nothing (``path_error`` says why).
        exclude: hide the rows that match ``text`` instead of showing only them.
        directions: the directions to show.
        hidden_events: event names to hide.
    """

    text: str = ""
    regex: bool = False
    case_sensitive: bool = False
    exclude: bool = False
    json_path: bool = False
    directions: frozenset[Direction] = field(default_factory=lambda: frozenset(Direction))
    hidden_events: frozenset[str] = frozenset()

    @property
    def regex_error(self) -> str | None:
        """Why ``text`` is not a valid regex, or None."""
        if not self.regex:
            return None
        try:
            re.compile(self.text)
        except re.error as exc:
            return str(exc)
        return None

    @property
    def path_error(self) -> str | None:
        """Why ``text`` is not a valid JSON-path expression, or None."""
        if not self.json_path or not self.text:
            return None
        try:
            compile_path_filter(self.text)
        except PathFilterError as exc:
            return str(exc)
        return None

    @property
    def is_empty(self) -> bool:
        return not self.text and self.directions == frozenset(Direction) and not self.hidden_events


def compile_filter(spec: LogFilter, decoder: SearchDecoder | None = None) -> Predicate:
    """A predicate accepting the records ``spec`` shows.

    ``decoder`` decodes payloads for the text search and the JSON path (and caches
    the decodings; pass the same one for every filter of a log).
    """
    decoder = decoder if decoder is not None else SearchDecoder()
    directions = spec.directions
    hidden = spec.hidden_events
    want = not spec.exclude
    if spec.json_path:
        return _path_predicate(spec, decoder)
    flags = 0 if spec.case_sensitive else re.IGNORECASE
    pattern = spec.text if spec.regex and spec.regex_error is None else re.escape(spec.text)
    search = re.compile(pattern, flags).search if spec.text else None
    decoded_text = decoder.text

    def accepts(record: LogRecord) -> bool:
        if record.direction not in directions or record.event in hidden:
            return False
        if search is None:
            return True
        found = (
            search(record.text) is not None
            or search(record.event) is not None
            or (record.id != "" and search(record.id) is not None)
            or (record.is_binary and search(record.preview) is not None)
        )
        if not found and record.direction is not Direction.SYSTEM:
            decoded = decoded_text(record.payload)
            found = decoded is not None and search(decoded) is not None
        return found is want

    return accepts


def _path_predicate(spec: LogFilter, decoder: SearchDecoder) -> Predicate:
    directions = spec.directions
    hidden = spec.hidden_events
    want = not spec.exclude
    try:
        path = compile_path_filter(spec.text) if spec.text else None
    except PathFilterError:
        path = None  # shown in the filter bar; meanwhile nothing is filtered
    value_of = decoder.value

    def accepts(record: LogRecord) -> bool:
        if record.direction not in directions or record.event in hidden:
            return False
        if path is None:
            return True
        try:
            found = path.matches(value_of(record.payload))
        except LookupError:
            found = False  # no JSON: never a match (and so kept by Exclude)
        return found is want

    return accepts


class FilterProxy(QSortFilterProxyModel):
    """Shows the rows of a LogModel that a LogFilter accepts; never sorts."""

    def __init__(self, source: LogModel, parent: Any = None) -> None:
        super().__init__(parent)
        self._source = source
        self._spec = LogFilter()
        self._decoder = SearchDecoder()
        self._accepts: Predicate = compile_filter(self._spec, self._decoder)
        source.modelReset.connect(self._decoder.clear)  # Clear frees the decodings too
        self.setDynamicSortFilter(False)
        self.setSourceModel(source)

    @property
    def spec(self) -> LogFilter:
        return self._spec

    def set_filter(self, spec: LogFilter) -> None:
        if spec == self._spec:
            return
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9
            self.beginFilterChange()
            self._spec, self._accepts = spec, compile_filter(spec, self._decoder)
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older PySide6
            self._spec, self._accepts = spec, compile_filter(spec, self._decoder)
            self.invalidateRowsFilter()

    def record(self, row: int) -> LogRecord:
        """The record behind proxy row ``row``."""
        return self._source.record(self.mapToSource(self.index(row, 0)).row())

    def row_of(self, record: LogRecord) -> int | None:
        """The proxy row showing ``record``, or None if it is hidden or gone."""
        source_row = self._source.row_of(record)
        if source_row is None:
            return None
        index = self.mapFromSource(self._source.index(source_row, 0))
        return index.row() if index.isValid() else None

    def records(self) -> list[LogRecord]:
        """Every record the filter shows, oldest first."""
        source = self._source
        return [
            source.record(self.mapToSource(self.index(r, 0)).row()) for r in range(self.rowCount())
        ]

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        return self._accepts(self._source.record(source_row))
