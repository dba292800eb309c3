"""One connection's engine: client callbacks in, batched model updates out.

SDK callbacks run on the client's thread and only build records and push them to
a RecordBuffer. A GUI-thread timer drains the buffer into the LogModel in one
batch per tick, updates counters and the state shown in the badge. Nothing here
blocks the GUI thread on the network: clients are closed from a worker thread.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import deque
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from ..models.filter_proxy import FilterProxy
from ..models.log_model import DEFAULT_CAPACITY, DEFAULT_MAX_BYTES, LogModel
from ..models.rate import RateSeries
from ..models.records import (
    BoundedRecords,
    Delivery,
    Direction,
    LogRecord,
    RecordBuffer,
    format_time,
    make_record,
)
from .clients import ClientFactory, ConnectOptions, PushClient, transport_for_url
from .closers import close_in_background
from .session import Session

__all__ = ["Counters", "Status", "TabController"]

#: Milliseconds between two flushes of the buffer into the model.
FLUSH_INTERVAL_MS = 40


@dataclass(frozen=True)
class Status:
    """What the state badge shows. ``kind``: connecting, open, reconnecting, closed."""

    label: str
    kind: str
    last_error: str = ""


def _compression(client: PushClient | None) -> str:
    """The extension the WebSocket server agreed to, and how much it saved ("" if none)."""
    extension = getattr(client, "extension", None)  # WSClient only (not in PushClient)
    stats = getattr(client, "stats", None)
    if not extension or stats is None:
        return ""
    parts = [str(extension).split(";")[0]]
    for way, data, wire in (("in", stats.bytes_in, stats.wire_bytes_in),
                            ("out", stats.bytes_out, stats.wire_bytes_out)):  # fmt: skip
        if wire:
            parts.append(f"{data / wire:.1f}x {way}")
    return " ".join(parts)


@dataclass(frozen=True)
class Counters:
    messages_in: int = 0
    bytes_in: int = 0
    messages_out: int = 0
    bytes_out: int = 0
    reconnects: int = 0
    rate: int = 0  #: messages in during the last complete second
    attempt: int = 0  #: the reconnect attempt under way (0: none)
    #: The negotiated WebSocket extension and its ratio, e.g. "permessage-deflate 4.2x in";
    #: "" without compression.
    compression: str = ""


@dataclass
class _Queued:
    """A message sent while not open: written once the client's messages_out reaches ``due``."""

    record: LogRecord
    due: int


class TabController(QObject):
    """Connects, disconnects and sends for one tab, and feeds its log model.

    Signals:
        about_to_flush: rows are about to be appended (the view checks if it is at the bottom).
        flushed: rows were appended.
        updated: counters or status may have changed (emitted every tick).
        events_seen: a set of event names seen for the first time.
    """

    about_to_flush = Signal()
    flushed = Signal()
    updated = Signal()
    events_seen = Signal(object)
    #: (old, new): a sent message's row changed (queued -> sent or dropped).
    record_replaced = Signal(object, object)

    def __init__(
        self,
        factory: ClientFactory,
        *,
        capacity: int = DEFAULT_CAPACITY,
        max_bytes: int = DEFAULT_MAX_BYTES,
        interval_ms: int = FLUSH_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._factory = factory
        self.model = LogModel(capacity, self, max_bytes=max_bytes)
        self.proxy = FilterProxy(self.model, self)
        self.rate = RateSeries(60)
        self._buffer = RecordBuffer(capacity, max_bytes)
        self._client: PushClient | None = None
        self._session: Session | None = None
        self._url = ""
        self._options = ConnectOptions()
        self._paused = False
        self._held = BoundedRecords(capacity, max_bytes)  # while paused
        self._lost_seen = (0, 0)  # the buffer's lost_received counted in so far
        self._events: set[str] = set()
        self._in = self._bytes_in = self._out = self._bytes_out = 0
        self._reconnects_before = 0  # reconnects of earlier sessions
        self._queued: deque[_Queued] = deque()  # sends waiting for the connection, oldest first
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.flush)
        self._timer.start()
        self._repeat = QTimer(self)  # automation: the repeated message
        self._repeat.timeout.connect(self._send_repeated)

    # -- connection ---------------------------------------------------------------

    @property
    def url(self) -> str:
        return self._url

    @property
    def options(self) -> ConnectOptions:
        """The options of the current (or last) connection."""
        return self._options

    @property
    def connected(self) -> bool:
        """Whether a client is running (connecting, open or reconnecting)."""
        return self._client is not None

    def connect_to(self, url: str, options: ConnectOptions) -> None:
        """Start a client for ``url``, closing the current one first.

        Raises:
            ValueError: a bad URL or option (the client is not started).
        """
        transport_for_url(url)
        options.check()
        session = Session(self._buffer, options.on_open)
        client = self._factory(url.strip(), session.callbacks(), options)  # may raise
        self.close_connection()
        self._client, self._session, self._url = client, session, url.strip()
        self._options = options
        client.start()
        if options.repeat_message and options.repeat_seconds:
            self._repeat.start(int(options.repeat_seconds * 1000))
        self.updated.emit()

    def close_connection(self) -> None:
        """Close the client without waiting for it (the close runs on a worker thread)."""
        client, session = self._client, self._session
        if session is not None and client is not None:
            session.close_sent = (self._options.close_code, self._options.close_reason)
            session.user_closed = True
        self._release()
        if client is not None:
            options = self._options
            close_in_background(client, options.close_code, options.close_reason)
        self.updated.emit()

    def _release(self) -> None:
        """Forget the client (closed by the user, or ended by itself); unsent messages drop."""
        session = self._session
        if self._client is not None and session is not None:
            self._reconnects_before += max(session.opens - 1, 0)
        self._client = None
        self._repeat.stop()
        while self._queued:
            queued = self._queued.popleft().record
            self._replace(
                queued,
                dataclasses.replace(
                    queued,
                    delivery=Delivery.DROPPED,
                    note=f"{queued.note}; dropped: the connection closed first",
                ),
            )

    def shutdown(self) -> None:
        """Stop the timers and close the client; the tab is going away."""
        self._timer.stop()
        self._repeat.stop()
        self.close_connection()

    def send(self, payload: str | bytes) -> str | None:
        """Send ``payload``; return None on success, else why it failed (also logged)."""
        client = self._client
        if client is None:
            return "not connected"
        # Logged before sending, so that it comes before the reply it may get at once.
        record = make_record(payload, direction=Direction.OUT)
        self._buffer.push(record)
        written = client.stats.messages_out
        try:
            client.send(payload)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            dropped = f"not sent: {reason}"
            self._buffer.replace(
                record, dataclasses.replace(record, delivery=Delivery.DROPPED, note=dropped)
            )
            self._buffer.push(
                make_record(f"send failed: {reason}", direction=Direction.SYSTEM, event="error")
            )
            return reason
        if client.stats.messages_out > written:
            return None
        # Not open: the SDK queued it and writes the queue, in order, on the next open.
        queued = dataclasses.replace(
            record, delivery=Delivery.QUEUED, note=f"queued at {record.time_text}"
        )
        self._buffer.replace(record, queued)  # no flush ran since the push: same thread
        due = (self._queued[-1].due if self._queued else written) + 1
        self._queued.append(_Queued(queued, due))
        return None

    def _send_repeated(self) -> None:
        """Send the repeated message while open; skipped (not queued) while away."""
        client = self._client
        if client is not None and _state_name(client) == "OPEN":
            self.send(self._options.repeat_message)

    @property
    def repeating(self) -> bool:
        """Whether a repeated message is scheduled (automation)."""
        return self._repeat.isActive()

    @property
    def queued(self) -> int:
        """Messages sent while not open that the client has not written yet."""
        return len(self._queued)

    def _mark_written(self) -> None:
        """Mark the queued messages the client has written by now as sent."""
        client = self._client
        if client is None or not self._queued:
            return
        written = client.stats.messages_out
        now = time.time()
        while self._queued and self._queued[0].due <= written:
            record = self._queued.popleft().record
            self._out += 1
            self._bytes_out += record.size
            self._replace(
                record,
                dataclasses.replace(
                    record,
                    delivery=Delivery.SENT,
                    note=f"{record.note}, sent at {format_time(now)}",
                ),
            )

    def _replace(self, old: LogRecord, new: LogRecord) -> None:
        if not self.model.replace(old, new):
            self._held.replace(old, new)
        self.record_replaced.emit(old, new)

    # -- display state ---------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self._paused

    def set_paused(self, paused: bool) -> None:
        """While paused rows are held back (up to the log's rows and bytes) and counters
        keep going."""
        self._paused = paused
        if not paused:
            self.flush()

    @property
    def held(self) -> int:
        return len(self._held)

    @property
    def dropped(self) -> int:
        """Records lost before reaching the model (the GUI or a pause fell too far behind)."""
        return self._buffer.dropped + self._held.dropped

    def clear(self) -> None:
        self._held.clear()
        self.model.clear()

    @property
    def counters(self) -> Counters:
        session = self._session
        reconnects = self._reconnects_before
        if session is not None and self._client is not None:
            reconnects += max(session.opens - 1, 0)
        attempt = session.attempt if session is not None and self._client is not None else 0
        return Counters(
            self._in,
            self._bytes_in,
            self._out,
            self._bytes_out,
            reconnects,
            self.rate.last_rate(),
            attempt,
            _compression(self._client),
        )

    @property
    def status(self) -> Status:
        client, session = self._client, self._session
        error = session.last_error if session is not None else ""
        if client is None or session is None:
            return Status("Closed", "closed", error)
        state = _state_name(client)
        if state == "OPEN":
            return Status("Open", "open", error)
        if state == "CLOSED":
            return Status("Closed", "closed", error)
        if state == "CLOSING":
            return Status("Closing…", "connecting", error)
        deadline = session.reconnect_deadline
        if deadline is not None:
            left = deadline - time.monotonic()
            if left > 0:
                return Status(f"Reconnecting in {math.ceil(left)} s", "reconnecting", error)
            return Status("Reconnecting…", "reconnecting", error)
        return Status("Connecting…", "connecting", error)

    # -- the timer ------------------------------------------------------------------

    def flush(self) -> None:
        """Move pending records into the model (GUI thread, on the timer)."""
        now = time.monotonic()
        records = self._buffer.drain()
        # Messages the buffer dropped since the last flush (received all the same).
        lost_in, lost_bytes = self._buffer.lost_received
        seen_in, seen_bytes = self._lost_seen
        self._lost_seen = (lost_in, lost_bytes)
        lost = (lost_in - seen_in, lost_bytes - seen_bytes)
        if records or lost[0]:
            self._count(records, lost, now)
        else:
            self.rate.advance(now)
        if self._paused:
            if records:
                self._held.extend(records)  # the newest, within the log's rows and bytes
        else:
            if self._held:
                records = [*self._held.take(), *records]
            if records:
                self.about_to_flush.emit()
                self.model.append(records)
                self.flushed.emit()
        self._mark_written()
        client = self._client
        if client is not None and _state_name(client) == "CLOSED":
            self._release()  # it ended by itself (e.g. HTTP 404, reconnect off)
        self.updated.emit()

    def _count(self, records: list[LogRecord], lost: tuple[int, int], now: float) -> None:
        """Count ``records`` and ``lost`` (received messages dropped, their bytes)."""
        received = lost[0]
        self._bytes_in += lost[1]
        new_events: set[str] = set()
        events = self._events
        for record in records:
            direction = record.direction
            if direction is Direction.IN:
                received += 1
                self._bytes_in += record.size
            elif direction is Direction.OUT and record.delivery is Delivery.SENT:
                self._out += 1
                self._bytes_out += record.size
            if record.event not in events:
                events.add(record.event)
                new_events.add(record.event)
        self._in += received
        self.rate.add(now, received)
        if new_events:
            self.events_seen.emit(frozenset(new_events))


def _state_name(client: PushClient) -> str:
    return getattr(client.ready_state, "name", str(client.ready_state))
