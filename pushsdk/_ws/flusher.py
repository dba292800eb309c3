"""The write-behind flusher: the thread that writes a Writer's frames left behind.

Apart from writer.py (frames out, in order, under the send lock) because it is a
thread of its own with its own loop: it exists only while frames wait behind a full
socket buffer, and, when a write fails, it puts back in the queue what did not go out.
It works on the ``Writer``'s state, under its lock, as the Writer's own methods did.
"""

from __future__ import annotations

import logging
import operator
import threading
from typing import TYPE_CHECKING

from .._net.tls import Stream, write_counted
from .._signals import start_without_signals
from .sockio import write_failure

if TYPE_CHECKING:
    from .writer import Writer

__all__ = ["LINGER", "start_flusher"]

_logger = logging.getLogger("pushsdk.ws")

#: How long the flusher waits for more frames before its thread ends (a burst's pauses).
LINGER = 0.002
_PAYLOAD, _SAVED = operator.itemgetter(1), operator.itemgetter(2)


def start_flusher(writer: Writer, sock: Stream, left: bytes | memoryview) -> None:
    """Leave ``left`` behind and start the thread that writes what is behind."""
    writer.behind = bytearray(left)
    writer._behind_messages = []
    thread = threading.Thread(
        target=_flush_behind, args=(writer, sock), name="pushsdk-ws-writer", daemon=True
    )
    writer._flusher = thread
    start_without_signals(thread)


def _flush_behind(writer: Writer, sock: Stream) -> None:
    """Write what is behind, chunk by chunk, until nothing is (the flusher thread).

    It lingers LINGER seconds for more before it ends, so that a burst that pauses
    does not pay for a thread and its first system calls again. The first write
    may carry nothing but what a TLS stream kept back itself.
    """
    lock, room = writer.lock, writer._condition()
    wrote = False
    while True:
        with lock:
            data = writer.behind
            if wrote and data is not None and not data:  # the burst may go on: linger
                writer._parked = True
                room.wait(LINGER)
                writer._parked = False
                data = writer.behind
            if data is None or (wrote and not data):
                writer.behind = None
                writer._flusher = None
                room.notify_all()
                return
            messages = writer._behind_messages
            writer.behind = bytearray()
            writer._behind_messages = []
            room.notify_all()
        written, error = write_counted(sock, data)
        done = messages if error is None else [m for m in messages if m[3] <= written]
        payload_bytes = sum(map(len, map(_PAYLOAD, done)))  # C loops: the GIL is shared
        bytes_saved = sum(map(_SAVED, done))
        with lock:
            writer.messages += len(done)
            writer.payload_bytes += payload_bytes
            writer.bytes_saved += bytes_saved
            if error is not None:
                _fail_behind(writer, sock, error, messages, written)
                room.notify_all()
                return
        wrote = True


def _fail_behind(
    writer: Writer,
    sock: Stream,
    exc: OSError,
    in_flight: list[tuple[int, bytes, int, int]],
    written: int,
) -> None:
    """The flusher's write failed (lock held): requeue what did not go out, then cut.

    A message whose frame went out whole is not requeued (never a duplicate); one
    cut short, and every one still behind, go back to the queue's head, in order.
    """
    unsent = [(op, payload) for op, payload, _, end in in_flight if end > written]
    unsent += [(op, payload) for op, payload, _, _ in writer._behind_messages]
    if unsent:
        _logger.info("send failed, %d messages kept for the next connection", len(unsent))
        writer.queued().extendleft(reversed(unsent))
    writer._behind_messages = []
    writer.behind = None
    writer._flusher = None
    if writer.sock is sock:
        writer.cut(sock, write_failure(exc))
