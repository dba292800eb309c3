"""Filtering the log: a pure matcher plus the proxy model that applies it.

``LogFilter`` holds what the filter bar says; ``compile_filter`` turns it into a
predicate over records once; ``FilterProxy`` applies it to each batch of rows.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from ..decoders import PathFilterError, SearchDecoder, compile_path_filter
from .log_model import COLUMNS, LogModel, RecordTable
from .records import Direction, LogRecord

__all__ = ["FilterProxy", "LogFilter", "compile_filter"]

Predicate = Callable[[LogRecord], bool]
Index = QModelIndex | QPersistentModelIndex


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


class FilterProxy(RecordTable):
    """Shows the rows of a LogModel that a LogFilter accepts, in order; never sorts.

    Not a QSortFilterProxyModel: that one calls ``filterAcceptsRow`` from C++ once
    per row, and at 50,000 rows a second those calls (each taking the GIL back from
    the client's thread) cost the GUI thread more than the rest of a flush. This
    proxy follows the LogModel's batches instead (rows come at the end and leave
    from the front): one filter pass in Python, one insertion and one removal per
    flush. A replaced record (queued -> sent) keeps its row.
    """

    def __init__(self, source: LogModel, parent: Any = None) -> None:
        super().__init__(parent)
        self._source = source
        self._spec = LogFilter()
        self._decoder = SearchDecoder()
        self._accepts: Predicate = compile_filter(self._spec, self._decoder)
        self._keys: list[int] = []  # each row's position in the source since it began
        self._offset = 0  # the position of source row 0
        self._rebuild()
        source.rowsInserted.connect(self._inserted)
        source.rowsRemoved.connect(self._removed)
        source.modelReset.connect(self._decoder.clear)  # Clear frees the decodings too
        source.modelReset.connect(self._reset)
        source.dataChanged.connect(self._changed)

    @property
    def spec(self) -> LogFilter:
        return self._spec

    def set_filter(self, spec: LogFilter) -> None:
        if spec == self._spec:
            return
        self._spec, self._accepts = spec, compile_filter(spec, self._decoder)
        self.beginResetModel()
        self._rebuild()
        self.endResetModel()

    # -- following the source ---------------------------------------------------------

    def _rebuild(self) -> None:
        source, accepts = self._source, self._accepts
        self._offset = source.appended - source.rowCount()
        shown = [
            (r, rec) for r, rec in enumerate(source.rows(0, source.rowCount())) if accepts(rec)
        ]
        self._keys = [self._offset + r for r, _ in shown]
        self._rows = [rec for _, rec in shown]

    def _inserted(self, parent: Index, first: int, last: int) -> None:
        accepts, offset = self._accepts, self._offset
        new = [
            (offset + r, rec)
            for r, rec in enumerate(self._source.rows(first, last + 1), first)
            if accepts(rec)
        ]
        if not new:
            return
        end = len(self._rows)
        self.beginInsertRows(QModelIndex(), end, end + len(new) - 1)
        self._keys.extend(key for key, _ in new)
        self._rows.extend(rec for _, rec in new)
        self.endInsertRows()

    def _removed(self, parent: Index, first: int, last: int) -> None:
        if first != 0:  # not an eviction: never done by LogModel, but stay correct
            self._reset()
            return
        self._offset += last - first + 1
        gone = bisect.bisect_left(self._keys, self._offset)
        if gone:
            self.beginRemoveRows(QModelIndex(), 0, gone - 1)
            del self._rows[:gone]
            del self._keys[:gone]
            self.endRemoveRows()

    def _reset(self) -> None:
        self.beginResetModel()
        self._rebuild()
        self.endResetModel()

    def _changed(self, top_left: Index, bottom_right: Index, roles: object = None) -> None:
        keys = self._keys
        for source_row in range(top_left.row(), bottom_right.row() + 1):
            key = self._offset + source_row
            row = bisect.bisect_left(keys, key)
            if row < len(keys) and keys[row] == key:
                self._rows[row] = self._source.record(source_row)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # -- QAbstractTableModel ------------------------------------------------------------

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return self._source.headerData(section, orientation, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return self._source.flags(index)
