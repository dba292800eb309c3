"""An incremental ``text/event-stream`` parser: bytes in, events out, no I/O.

It follows the WHATWG HTML "Server-sent events" section, 9.2.6 "Interpreting an
event stream", step by step: UTF-8 decoding with U+FFFD for invalid bytes (an
incremental decoder, so a character split across reads decodes right) and one
leading BOM stripped; lines ended by CRLF, LF or CR (a CRLF split across reads is
one line end); ``:`` comments; the dispatch steps on each blank line. An event
still unterminated when the stream ends is simply never returned.

Speed: lines are found with C-level ``str`` methods, ``data`` lines are kept in a
list and joined once at dispatch, so an event costs time linear in its size.
Memory is bounded by ``max_event_size``.
"""

from __future__ import annotations

from codecs import utf_8_decode

from .errors import ProtocolError

#: A dispatched event: (data, event type, last event ID at dispatch).
Event = tuple[str, str, str]

DEFAULT_MAX_EVENT_SIZE = 16 * 1024 * 1024


class EventTooLarge(ProtocolError):
    """A line or an event grew past ``max_event_size``.

    ``events`` holds the events completed earlier in the same ``feed()`` call,
    which the caller should still dispatch.
    """

    def __init__(self, message: str, events: list[Event]) -> None:
        super().__init__(message)
        self.events = events


class EventStreamParser:
    """Turns the bytes of one event stream (one HTTP response body) into events.

    Use a new parser per connection (the BOM and line state are per stream) and
    seed it with the last event ID of the previous one, so the ID persists across
    reconnects as it does in browsers.

    Attributes:
        last_event_id: the event source's last event ID string, set at each dispatch
            (also by an event with no data), as sent in ``Last-Event-ID``.
        retry: the reconnection time in milliseconds from the last valid ``retry:``
            field, or None if none arrived.
        comments: how many comment lines arrived (servers send them as keep-alives).
    """

    __slots__ = (
        "_at_start",
        "_data",
        "_data_size",
        "_event_type",
        "_id_buffer",
        "_max_size",
        "_partial",
        "_partial_size",
        "_skip_lf",
        "_undecoded",
        "comments",
        "last_event_id",
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
        self._id_buffer = last_event_id
        self._event_type = ""
        self._data: list[str] = []
        self._data_size = 0
        self._partial: list[str] = []  # pieces of a line whose end has not arrived
        self._partial_size = 0
        self._undecoded = b""  # the first bytes of a character split across reads
        self._skip_lf = False  # the last read ended with CR: an LF next is its CRLF
        self._at_start = True
        self._max_size = max_event_size

    def feed(self, chunk: bytes) -> list[Event]:
        """Parse the next bytes of the stream; return the events they complete.

        Raises:
            EventTooLarge: a line or an event's data grew past ``max_event_size``.
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
        lines = text.split("\n")
        tail = lines.pop()
        if lines:
            if self._partial:
                self._partial.append(lines[0])
                lines[0] = "".join(self._partial)
                self._partial = []
                self._partial_size = 0
            limit = self._max_size
            if (len(text) > limit or len(lines[0]) > limit) and max(map(len, lines)) > limit:
                first_long = next(i for i, line in enumerate(lines) if len(line) > limit)
                events = self._process(lines[:first_long])
                raise EventTooLarge(f"a line is longer than max_event_size ({limit})", events)
            events = self._process(lines)
        else:
            events = []
        if tail:
            self._partial.append(tail)
            self._partial_size += len(tail)
            if self._partial_size > self._max_size:
                raise EventTooLarge(
                    f"a line is longer than max_event_size ({self._max_size})", events
                )
        return events

    def _process(self, lines: list[str]) -> list[Event]:
        """Run the spec's per-line steps over complete lines (the hot loop)."""
        events: list[Event] = []
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
                        self.retry = int(value)
                elif not field:
                    self.comments += 1
            else:
                # Dispatch: the last event ID is set even when no event follows.
                last_id = id_buffer
                if data:
                    if size > limit:
                        break
                    events.append(("\n".join(data), event_type or "message", last_id))
                    data = []
                    size = 0
                event_type = ""
        self.last_event_id = last_id
        self._id_buffer = id_buffer
        if size > limit:
            self._reset()
            raise EventTooLarge(f"an event is larger than max_event_size ({limit})", events)
        self._data = data
        self._data_size = size
        self._event_type = event_type
        return events

    def _reset(self) -> None:
        """Drop the oversized event so the parser holds no more memory for it."""
        self._data = []
        self._data_size = 0
        self._event_type = ""
