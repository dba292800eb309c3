"""One connection's engine: client callbacks in, batched model updates out.

SDK callbacks run on the client's thread and only build records and push them to
a RecordBuffer. A GUI-thread timer drains the buffer into the LogModel in one
batch per tick, updates counters and the state shown in the badge. Nothing here
blocks the GUI thread on the network: clients are closed from a worker thread.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from .clients import Callbacks, ClientFactory, ConnectOptions, PushClient, transport_for_url
from .filter_proxy import FilterProxy
from .log_model import DEFAULT_CAPACITY, LogModel
from .rate import RateSeries
from .records import Direction, LogRecord, RecordBuffer, make_record

__all__ = ["Counters", "Status", "TabController", "wait_for_closers"]

#: Milliseconds between two flushes of the buffer into the model.
FLUSH_INTERVAL_MS = 40
#: Seconds a closing client gets before pushsdk cuts its socket.
CLOSE_TIMEOUT = 1.0

_closers: set[threading.Thread] = set()
_closers_lock = threading.Lock()


def wait_for_closers(timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for clients still closing; True if all ended."""
    deadline = time.monotonic() + timeout
    with _closers_lock:
        threads = list(_closers)
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0.0))
    return not any(t.is_alive() for t in threads)


def _close_in_background(client: PushClient) -> None:
    def run() -> None:
        try:
            client.close(timeout=CLOSE_TIMEOUT)
        except Exception:  # a failing close must not kill the worker
            pass
        finally:
            with _closers_lock:
                _closers.discard(thread)

    thread = threading.Thread(target=run, name="monitor-close", daemon=True)
    with _closers_lock:
        _closers.add(thread)
    thread.start()


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
    #: The negotiated WebSocket extension and its ratio, e.g. "permessage-deflate 4.2x in";
    #: "" without compression.
    compression: str = ""


class _Session:
    """Per-client state written by SDK callbacks (single writer: the client thread)."""

    def __init__(self, buffer: RecordBuffer) -> None:
        self.buffer = buffer
        self.opens = 0
        self.reconnect_deadline: float | None = None
        self.last_error = ""
        self.user_closed = False

    def callbacks(self) -> Callbacks:
        push = self.buffer.push
        system = Direction.SYSTEM

        def on_open(client: Any) -> None:
            self.opens += 1
            self.reconnect_deadline = None
            push(make_record("connected", direction=system, event="open"))

        def on_close(client: Any, code: int | None, reason: str) -> None:
            text = f"code {code}" if code is not None else "stream ended"
            push(make_record(f"{text} {reason}".strip(), direction=system, event="close"))

        def on_error(client: Any, error: Exception) -> None:
            self.last_error = f"{type(error).__name__}: {error}"
            push(make_record(self.last_error, direction=system, event="error"))

        def on_reconnect(client: Any, attempt: int, delay: float) -> None:
            self.reconnect_deadline = time.monotonic() + delay
            text = f"attempt {attempt} in {delay:.1f} s"
            push(make_record(text, direction=system, event="reconnect"))

        def on_any(client: Any, message: Any) -> None:
            push(
                make_record(
                    message.data,
                    event=message.event,
                    id=message.id,
                    timestamp=message.received_at or None,
                )
            )

        return Callbacks(on_open, on_close, on_error, on_reconnect, on_any)


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

    def __init__(
        self,
        factory: ClientFactory,
        *,
        capacity: int = DEFAULT_CAPACITY,
        interval_ms: int = FLUSH_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._factory = factory
        self.model = LogModel(capacity, self)
        self.proxy = FilterProxy(self.model, self)
        self.rate = RateSeries(60)
        self._buffer = RecordBuffer(capacity)
        self._client: PushClient | None = None
        self._session: _Session | None = None
        self._url = ""
        self._paused = False
        self._held: deque[LogRecord] = deque(maxlen=capacity)
        self._held_dropped = 0
        self._events: set[str] = set()
        self._in = self._bytes_in = self._out = self._bytes_out = 0
        self._reconnects_before = 0  # reconnects of earlier sessions
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.flush)
        self._timer.start()

    # -- connection ---------------------------------------------------------------

    @property
    def url(self) -> str:
        return self._url

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
        self.close_connection()
        session = _Session(self._buffer)
        client = self._factory(url.strip(), session.callbacks(), options)
        self._client, self._session, self._url = client, session, url.strip()
        client.start()
        self.updated.emit()

    def close_connection(self) -> None:
        """Close the client without waiting for it (the close runs on a worker thread)."""
        client, session = self._client, self._session
        self._client = None
        if session is not None:
            session.user_closed = True
            self._reconnects_before += max(session.opens - 1, 0)
        if client is not None:
            _close_in_background(client)
        self.updated.emit()

    def shutdown(self) -> None:
        """Stop the timer and close the client; the tab is going away."""
        self._timer.stop()
        self.close_connection()

    def send(self, payload: str | bytes) -> str | None:
        """Send ``payload``; return None on success, else why it failed (also logged)."""
        client = self._client
        if client is None:
            return "not connected"
        try:
            client.send(payload)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            self._buffer.push(
                make_record(f"send failed: {reason}", direction=Direction.SYSTEM, event="error")
            )
            return reason
        self._buffer.push(make_record(payload, direction=Direction.OUT))
        return None

    # -- display state ---------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self._paused

    def set_paused(self, paused: bool) -> None:
        """While paused rows are held back (up to capacity) and counters keep going."""
        self._paused = paused
        if not paused:
            self.flush()

    @property
    def held(self) -> int:
        return len(self._held)

    @property
    def dropped(self) -> int:
        """Records lost before reaching the model (the GUI or a pause fell too far behind)."""
        return self._buffer.dropped + self._held_dropped

    def clear(self) -> None:
        self._held.clear()
        self.model.clear()

    @property
    def counters(self) -> Counters:
        session = self._session
        reconnects = self._reconnects_before
        if session is not None and not session.user_closed:
            reconnects += max(session.opens - 1, 0)
        return Counters(
            self._in,
            self._bytes_in,
            self._out,
            self._bytes_out,
            reconnects,
            self.rate.last_rate(),
            _compression(self._client),
        )

    @property
    def status(self) -> Status:
        client, session = self._client, self._session
        error = session.last_error if session is not None else ""
        if client is None or session is None:
            return Status("Closed", "closed", error)
        state = getattr(client.ready_state, "name", str(client.ready_state))
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
        dropped_before = self._buffer.dropped
        records = self._buffer.drain()
        lost = self._buffer.dropped - dropped_before
        if records or lost:
            self._count(records, lost, now)
        else:
            self.rate.advance(now)
        if self._paused:
            if records:
                overflow = len(self._held) + len(records) - (self._held.maxlen or 0)
                self._held_dropped += max(overflow, 0)
                self._held.extend(records)
        else:
            if self._held:
                records = [*self._held, *records]
                self._held.clear()
            if records:
                self.about_to_flush.emit()
                self.model.append(records)
                self.flushed.emit()
        self.updated.emit()

    def _count(self, records: list[LogRecord], lost: int, now: float) -> None:
        received = lost
        new_events: set[str] = set()
        events = self._events
        for record in records:
            direction = record.direction
            if direction is Direction.IN:
                received += 1
                self._bytes_in += record.size
            elif direction is Direction.OUT:
                self._out += 1
                self._bytes_out += record.size
            if record.event not in events:
                events.add(record.event)
                new_events.add(record.event)
        self._in += received
        self.rate.add(now, received)
        if new_events:
            self.events_seen.emit(frozenset(new_events))
