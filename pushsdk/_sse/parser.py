"""An incremental ``text/event-stream`` parser: bytes in, events out, no I/O.

It follows the WHATWG HTML "Server-sent events" section, 9.2.6 "Interpreting an
event stream", step by step: UTF-8 decoding with U+FFFD for invalid bytes (an
incremental decoder, so a character split across reads decodes right) and one
leading BOM stripped; lines ended by CRLF, LF or CR (a CRLF split across reads is
one line end); ``:`` comments; the dispatch steps on each blank line. An event
still unterminated when the stream ends is simply never returned.

Speed: lines are found with C-level ``str`` methods, ``data`` lines are kept in a
list and joined once at dispatch, so an event costs time linear in its size. Runs
of events of one shape (``id`` / ``data`` / blank line, say) skip the per-line
steps: they are taken apart column by column with list slices and ``str.split``
(``runs.py``); a read of a few lines (one event, say) goes line by line at once.
The long ``data`` lines of large events are taken one memchr-based ``find`` each.

Memory is bounded by ``max_event_size`` (plus one read): an event or a line past it
is dropped, as one rule for every shape, and the parser never raises. Its data and
type go; its other fields (``id``, ``retry``) still apply at its blank line as the
spec says, so the last event ID moves past it and a resume never fetches it again;
bytes are discarded until the blank line that ends it. ``oversized`` counts the
events dropped, for the client to report.
"""

from __future__ import annotations

from codecs import utf_8_decode

from .runs import FIRST_WINDOW, Event, after_blank, take_run

#: The fields a dropped event loses (``event`` too: a type without data means nothing).
_DROPPED = ("data", "event")
#: A first line at least this long takes the long-line path (see ``_take_data_lines``).
_LONG_LINE = 256
#: Fewer lines than this cannot hold a run of FIRST_WINDOW events: one by one at once.
_FEW_LINES = 2 * FIRST_WINDOW

DEFAULT_MAX_EVENT_SIZE = 16 * 1024 * 1024
#: ``retry`` values are capped here (ms, about 11.6 days): a value of any length parses
#: in time linear in its digits, without Python's int-from-str limit.
MAX_RETRY = 10**9
_RETRY_DIGITS = len(str(MAX_RETRY)) - 1


class EventStreamParser:
    """Turns the bytes of one event stream (one HTTP response body) into events.

    Use a new parser per connection (the BOM and line state are per stream) and
    seed it with the last event ID of the previous one, so the ID persists across
    reconnects as it does in browsers.

    Attributes:
        last_event_id: the event source's last event ID string, set at each dispatch
            (also by an event with no data), as sent in ``Last-Event-ID``.
        retry: the reconnection time in milliseconds from the last valid ``retry:``
            field (at most ``MAX_RETRY``), or None if none arrived.
        comments: how many comment lines arrived (servers send them as keep-alives).
        oversized: how many events were dropped for growing past ``max_event_size``.
    """

    __slots__ = (
        "_at_start",
        "_data",
        "_data_size",
        "_dropping",
        "_event_type",
        "_id_buffer",
        "_max_size",
        "_mid_event",
        "_partial",
        "_partial_size",
        "_skip_lf",
        "_skip_line",
        "_undecoded",
        "comments",
        "last_event_id",
        "oversized",
        "retry",
    )

    def __init__(
        self, *, last_event_id: str = "", max_event_size: int = DEFAULT_MAX_EVENT_SIZE
    ) -> None:
        if max_event_size <= 0:
            raise ValueError(f"max_event_size must be > 0, got {max_event_size!r}")
        self.last_event_id = last_event_id
        self.retry: int | None = None
        self.comments = 0
        self.oversized = 0
        self._id_buffer = last_event_id
        self._event_type = ""
        self._data: list[str] = []
        self._data_size = 0
        self._partial: list[str] = []  # pieces of a line whose end has not arrived
        self._partial_size = 0
        self._undecoded = b""  # the first bytes of a character split across reads
        self._skip_lf = False  # the last read ended with CR: an LF next is its CRLF
        self._at_start = True
        self._mid_event = False  # the last line processed was not a blank line
        self._dropping = False  # the current event grew too large: ignore it up to its end
        self._skip_line = False  # the current line grew too large: discard up to its end
        self._max_size = max_event_size

    def feed(self, chunk: bytes) -> list[Event]:
        """Parse the next bytes of the stream; return the events they complete.

        Never raises: an event past ``max_event_size`` is dropped and counted in
        ``oversized`` (see the module docstring).
        """
        if self._undecoded:
            chunk = self._undecoded + chunk
        text, used = utf_8_decode(chunk, "replace", False)
        self._undecoded = chunk[used:] if used != len(chunk) else b""
        if not text:
            return []
        if self._at_start:
            self._at_start = False
            if text[0] == "\ufeff":
                text = text[1:]
        if self._skip_lf:
            self._skip_lf = False
            if text[:1] == "\n":
                text = text[1:]
        if "\r" in text:
            self._skip_lf = text[-1] == "\r"
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if self._skip_line:  # the rest of a line too long to keep
            newline = text.find("\n")
            if newline < 0:
                return []
            self._skip_line = False
            text = text[newline + 1 :]
        events: list[Event] = []
        if not self._dropping:
            first = text.find("\n", 0, _LONG_LINE)  # a long first line: a large event
            if self._partial_size + first >= _LONG_LINE or (first < 0 and len(text) >= _LONG_LINE):
                text = self._take_data_lines(text, events)
        lines = text.split("\n")
        tail = lines.pop()
        limit = self._max_size
        if lines:
            if self._partial:
                self._partial.append(lines[0])
                lines[0] = "".join(self._partial)
                self._partial = []
                self._partial_size = 0
            if (len(text) > limit or len(lines[0]) > limit) and max(map(len, lines)) > limit:
                lines = self._drop_long_lines(lines, events)
            self._process(lines, events)
        if tail:
            if self._partial_size + len(tail) > limit:
                self._partial = []
                self._partial_size = 0
                self._skip_line = True
                self._drop_event()
            else:
                self._partial.append(tail)
                self._partial_size += len(tail)
        return events

    def _drop_long_lines(self, lines: list[str], events: list[Event]) -> list[str]:
        """Process the lines before each too-long line, dropping its event; return the rest."""
        limit = self._max_size
        while True:
            long = next((i for i, line in enumerate(lines) if len(line) > limit), -1)
            if long < 0:
                return lines
            self._process(lines[:long], events)
            self._drop_event()
            lines = lines[long + 1 :]

    def _drop_event(self) -> None:
        """Drop the event being read (it grew too large), counting it once."""
        if not self._dropping:
            self._dropping = True
            self.oversized += 1
        self._data = []
        self._data_size = 0
        self._event_type = ""

    def _take_data_lines(self, text: str, events: list[Event]) -> str:
        """Take the ``data: `` lines of large events one ``find`` at a time.

        Large events come as long data lines, where ``str.split`` (a char-by-char
        loop) and a step per field cost more than one memchr-based ``find`` per line.
        The few short lines between two such events (the blank line, an ``id``) take
        the per-line steps one at a time, so the next event stays on this path; a short
        data line or a run of other lines ends it. Returns the rest of ``text``.
        """
        find = text.find
        starts = text.startswith
        limit = self._max_size
        pos = 0
        if self._partial:
            newline = find("\n")
            line = "".join(self._partial) + text[:newline] if newline >= 0 else ""
            if not line.startswith("data: ") or len(line) > limit:
                return text  # the general path takes (or drops) it
            self._data.append(line[6:])
            self._data_size += len(line) - 5
            self._partial = []
            self._partial_size = 0
            pos = newline + 1
            self._mid_event = True
            if self._data_size > limit:
                self._drop_event()
        others = 0  # short lines taken since the last data line
        while not self._dropping:
            data = self._data
            append = data.append
            first = pos
            count = len(data)
            while starts("data: ", pos):
                newline = find("\n", pos)
                if newline < 0 or newline - pos > limit:
                    break  # unfinished, or a line past the limit: the general path drops it
                append(text[pos + 6 : newline])
                pos = newline + 1
            if pos != first:
                # Each line adds its value and a LF to the buffer: all but its "data: ".
                self._data_size += pos - first - 6 * (len(data) - count)
                self._mid_event = True
                others = 0
                if self._data_size > limit:
                    self._drop_event()
                    break
            newline = find("\n", pos, pos + _LONG_LINE)
            if newline < 0 or others == FIRST_WINDOW or starts("data: ", pos):
                break  # an unfinished line, a long one, or many short ones
            self._process_lines([text[pos:newline]], events)
            self._mid_event = newline != pos
            pos = newline + 1
            others += 1
            if starts("data: ", pos) and find("\n", pos, pos + _LONG_LINE) >= 0:
                break  # a short data line: small events follow
        return text[pos:] if pos else text

    def _process(self, lines: list[str], events: list[Event]) -> None:
        """Run the spec's steps over complete lines: regular runs in bulk, the rest one by one."""
        if len(lines) < _FEW_LINES and not self._dropping:  # too few for a run (one event, say)
            self._process_lines(lines, events)
            if lines:
                self._mid_event = lines[-1] != ""
            return
        start = 0
        if self._mid_event or self._data or self._event_type or self._dropping:  # finish it first
            start = after_blank(lines, 0)
            if self._dropping:
                self._process_dropped(lines[:start], events)
            else:
                self._process_lines(lines[:start], events)
        end = len(lines)
        while start < end:
            stop, rows, last_id = take_run(lines, start, events, self._id_buffer)
            if rows:
                self._id_buffer = self.last_event_id = last_id
            if rows < FIRST_WINDOW:  # none or a short run: line by line to the end
                self._process_lines(lines[stop:], events)
                break
            start = after_blank(lines, stop)
            self._process_lines(lines[stop:start], events)
        if lines:
            self._mid_event = lines[-1] != ""

    def _process_dropped(self, lines: list[str], events: list[Event]) -> None:
        """The lines of a dropped event up to its end: all its fields but data and type."""
        self._process_lines([line for line in lines if not line.startswith(_DROPPED)], events)
        if lines and not lines[-1]:
            self._dropping = False

    def _process_lines(self, lines: list[str], events: list[Event]) -> None:
        """Run the spec's per-line steps over complete lines, adding the events completed."""
        data = self._data
        size = self._data_size
        limit = self._max_size
        id_buffer = self._id_buffer
        last_id = self.last_event_id
        event_type = self._event_type
        for line in lines:
            if line:
                # Fast path for "field: value"; else split at the first colon and
                # strip one leading space, as the spec says.
                field, space, value = line.partition(": ")
                if not space or ":" in field:
                    field, _, value = line.partition(":")
                    if value[:1] == " ":
                        value = value[1:]
                if field == "data":
                    data.append(value)
                    size += len(value) + 1
                elif field == "id":
                    if "\0" not in value:
                        id_buffer = value
                elif field == "event":
                    event_type = value
                elif field == "retry":
                    if value.isascii() and value.isdigit():
                        value = value.lstrip("0")
                        self.retry = int(value or "0") if len(value) <= _RETRY_DIGITS else MAX_RETRY
                elif not field:
                    self.comments += 1
            else:
                # Dispatch: the last event ID is set even when no event follows.
                last_id = id_buffer
                if data:
                    if size <= limit:
                        events.append(("\n".join(data), event_type or "message", last_id))
                    else:  # grew too large within this read: dropped
                        self.oversized += 1
                    data = []
                    size = 0
                event_type = ""
        self.last_event_id = last_id
        self._id_buffer = id_buffer
        self._data = data
        self._data_size = size
        self._event_type = event_type
        if size > limit:
            self._drop_event()
