"""The writing side of a WSClient connection: frames go out whole, one at a time, in order.

Any thread may send a message; the client thread writes pongs, pings and the close
frame. One lock orders them all (two frames must never interleave on the wire) and
guards the queue of messages sent while not open.

A frame is written without waiting (``tls.send_now``). Once the kernel's buffer is
full, what it did not take and every frame after it wait *behind*, in one buffer that
a flusher thread (``_ws.flusher``) writes: started then, gone once nothing is behind.
A burst of small messages then costs an append each and a system call per chunk, not
a blocked system call each (asyncio and picows buffer the same way). A sender waits
while BEHIND_LIMIT bytes are behind, so memory stays bounded and a burst still meets
backpressure.

A write that fails cuts the connection, so that the reader stops too. A message whose
frame did not go out whole goes back to the head of the queue, in order, for the next
connection (one that did may still be lost, in the kernel's buffer, as without the
flusher). A peer that reads nothing for ``write_timeout`` seconds fails the write
(``sockio.set_write_timeout``).
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable

from .._net.tls import NOWAIT, Stream, send_now
from .deflate import COMPRESS_THRESHOLD, Deflater
from .encode import Masks, encode_frame
from .flusher import start_flusher
from .items import OP_BINARY, OP_CLOSE, OP_TEXT, RSV1
from .sockio import WRITE_TIMEOUT, shutdown, write_failure

__all__ = ["BEHIND_LIMIT", "FAILED", "SENT", "Writer"]

_logger = logging.getLogger("pushsdk.ws")

#: Bytes that may wait behind a full socket buffer before a sender waits for the flusher.
BEHIND_LIMIT = 256 * 1024
#: How long a connection being released lets its flusher finish before cutting it.
FINISH_WAIT = 1.0
#: Messages written less than BURST_GAP_NS apart, BURST_LENGTH times in a row, are a
#: burst: the next go behind (a round trip, or a message now and then, never is one).
BURST_GAP_NS = 20_000
BURST_LENGTH = 32
_monotonic_ns = time.monotonic_ns
#: What ``try_send`` did: wrote (or left behind) the message, or found its write failed.
SENT, FAILED = 1, 2
_STALLED = "the server stopped reading: a write made no progress before its deadline"


class Writer:
    """One client's outgoing frames, its send queue and its write counters.

    Methods marked "lock held" expect the caller to hold ``lock`` (the client checks
    its own state under it too); the others take it themselves.

    Attributes:
        lock: the send lock.
        sock: the connection, writable while open; None before, and once broken.
        queue: messages (opcode, payload) waiting for the next open; None when empty.
        behind: frames waiting for the flusher; None while no flusher runs.
        deflater: this connection's compressor (None without permessage-deflate).
        close_sent: whether this connection's close frame went out (or behind).
        closing: the client is closing for good: sends go the slow way, and fail.
        requeue: a message whose write failed waits for the next connection (the
            client reconnects); else ``try_send`` says FAILED.
        broken: why we cut the connection, if we did: the reader stops at its next read.
        write_timeout: how long a write may make no progress (set at each open).
        messages, payload_bytes, bytes_saved: messages written, their payload bytes,
            and the bytes compression kept off the wire.
    """

    __slots__ = (
        "_behind_messages",
        "_burst",
        "_flusher",
        "_last_write",
        "_masks",
        "_parked",
        "_room",
        "behind",
        "broken",
        "bytes_saved",
        "close_sent",
        "closing",
        "deflater",
        "lock",
        "messages",
        "payload_bytes",
        "queue",
        "requeue",
        "sock",
        "write_timeout",
    )

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._masks = Masks()  # masking keys, taken under the lock
        self.sock: Stream | None = None
        self.queue: collections.deque[tuple[int, bytes]] | None = None
        self.behind: bytearray | None = None
        # The messages behind: (opcode, payload, bytes saved, where its frame ends).
        self._behind_messages: list[tuple[int, bytes, int, int]] = []
        self._flusher: threading.Thread | None = None
        self._parked = False  # the flusher waits for frames (flusher.LINGER)
        self._burst = 0  # messages written in a row, each soon after the one before
        self._last_write = 0  # when the last one was (time.monotonic_ns())
        self._room: threading.Condition | None = None  # made when a thread first waits
        self.deflater: Deflater | None = None
        self.close_sent = False
        self.closing = False
        self.requeue = True
        self.broken: str | None = None
        self.write_timeout = WRITE_TIMEOUT
        self.messages = 0
        self.payload_bytes = 0
        self.bytes_saved = 0

    def queued(self) -> collections.deque[tuple[int, bytes]]:
        """The queue, made on first use (lock held): an idle client keeps none."""
        queue = self.queue
        if queue is None:
            queue = self.queue = collections.deque()
        return queue

    # -- messages ---------------------------------------------------------------------

    def try_send(self, data: object) -> int:
        """Send ``data`` if the connection is open and has room: SENT, FAILED, or 0.

        The client's fast path, compiled in the compiled build. 0 means "not here":
        not open, messages queued or a full buffer behind, or ``data`` neither str nor
        bytes; the client then takes its slow path, which knows what to do.
        """
        if isinstance(data, str):
            opcode, payload = OP_TEXT, data.encode()
        elif isinstance(data, bytes):
            opcode, payload = OP_BINARY, data
        else:
            return 0
        with self.lock:
            sock = self.sock
            if sock is None or self.closing or self.close_sent or self.queue:
                return 0
            behind = self.behind
            if behind is not None and len(behind) >= BEHIND_LIMIT:
                return 0
            return self.send_open(sock, opcode, payload)

    def send_open(self, sock: Stream, opcode: int, payload: bytes) -> int:
        """Send a message on the open connection (lock held): SENT, or FAILED.

        FAILED: its write failed and no reconnect will send it. With reconnects it
        waits in the queue for the next connection instead (SENT).
        """
        if self.write_message(sock, opcode, payload):
            return SENT
        if not self.requeue:
            return FAILED
        self.queued().append((opcode, payload))
        return SENT

    def write_message(self, sock: Stream, opcode: int, payload: bytes) -> bool:
        """Write one message, or leave it behind (lock held); False if the write failed.

        A failed write cuts the connection; the caller decides where the message goes.
        Callers wait for room first (``wait_for_room``) while ``full()``.
        """
        deflater = self.deflater
        saved = 0
        if deflater is not None and len(payload) >= COMPRESS_THRESHOLD:  # permessage-deflate
            wire = deflater.compress(payload)
            saved = len(payload) - len(wire)
            frame = encode_frame(opcode | RSV1, wire, self._masks.take())
        else:
            frame = encode_frame(opcode, payload, self._masks.take())
        now_ok = True
        if self.behind is None:  # a burst? (sends in a row, each soon after the last)
            now = _monotonic_ns()
            self._burst = self._burst + 1 if now - self._last_write < BURST_GAP_NS else 0
            self._last_write = now
            now_ok = self._burst < BURST_LENGTH or not NOWAIT
        try:
            end = self._write_or_leave(sock, frame, now_ok)
        except OSError as exc:
            _logger.info("send failed, kept for the next connection: %s", exc)
            self.cut(sock, write_failure(exc))
            return False
        if end >= 0:
            self._behind_messages.append((opcode, payload, saved, end))
            return True
        self.messages += 1
        self.payload_bytes += len(payload)
        self.bytes_saved += saved
        return True

    def _write_or_leave(self, sock: Stream, frame: bytes, now_ok: bool = True) -> int:
        """Write ``frame`` now, or leave it (what the kernel did not take) behind (lock
        held): -1 once written, else where it ends behind.

        ``now_ok`` False leaves it behind at once (a burst). Raises OSError if the write
        failed.
        """
        behind = self.behind
        if behind is not None:
            behind += frame
            if self._parked:
                self._wake_flusher()
            return len(behind)
        left = send_now(sock, frame) if now_ok else frame
        if left is None:
            return -1
        start_flusher(self, sock, left)
        return len(left)

    def full(self) -> bool:
        """Whether BEHIND_LIMIT bytes wait behind (lock held): a sender waits for room."""
        behind = self.behind
        return behind is not None and len(behind) >= BEHIND_LIMIT

    def wait_for_room(self, sock: Stream) -> None:
        """Wait until the flusher took what is behind (lock held, released meanwhile).

        Returns at once when ``sock`` is no longer the connection. A flusher that makes
        no progress for ``write_timeout`` fails its write; should it not, the
        connection is cut here a second later.
        """
        room = self._condition()
        deadline = time.monotonic() + self.write_timeout + 1.0
        while self.sock is sock and self.full():
            left = deadline - time.monotonic()
            if left <= 0:
                self.cut(sock, _STALLED)
                return
            room.wait(left)

    def flush_queue(self, sock: Stream) -> None:
        """Write the queued messages in order, until one fails (lock held)."""
        while self.queue and self.sock is sock:
            if self.full():
                self.wait_for_room(sock)
                continue
            opcode, payload = self.queue[0]
            if not self.write_message(sock, opcode, payload):
                return
            self.queue.popleft()
        if not self.queue:  # all sent: an open client keeps no empty deque
            self.queue = None

    # -- control frames ---------------------------------------------------------------

    def write_control(
        self,
        opcode: int,
        payload: bytes,
        wait: float,
        on_stuck: Callable[[], None],
        *,
        quick: bool = False,
    ) -> None:
        """Send a control frame if the connection is writable; errors end it.

        Frames behind go first. Should the flusher leave no room, or (with ``quick``,
        for ``close()``) not write the frame within ``wait`` seconds, or another thread
        hold the lock that long, ``on_stuck`` cuts the connection rather than hang.
        """
        if not self.lock.acquire(timeout=wait):
            _logger.info("a send is stuck: cutting the connection")
            on_stuck()
            return
        try:
            sock = self.sock
            if sock is None:
                return
            if self.full():
                if not self._wait(lambda: not self.full(), wait):
                    _logger.info("the server reads nothing: cutting the connection")
                    on_stuck()
                    return
                if self.sock is not sock:
                    return
            try:
                self._write_or_leave(sock, encode_frame(opcode, payload, self._masks.take()))
            except OSError as exc:
                _logger.debug("control frame not sent: %s", exc)
                self.cut(sock, write_failure(exc))
            if opcode == OP_CLOSE:
                self.close_sent = True
            if quick and not self._wait(lambda: self.behind is None, wait):
                _logger.info("the close frame is not written yet: cutting the connection")
                on_stuck()
        finally:
            self.lock.release()

    # -- the flusher (``_ws.flusher``) ------------------------------------------------

    def _wake_flusher(self) -> None:
        """Wake the lingering flusher for the frame just left behind (lock held)."""
        self._parked = False
        self._condition().notify_all()

    def finish(self, sock: Stream) -> None:
        """Let the flusher write what is behind (for FINISH_WAIT at most), then stop it.

        For a connection being released: its socket is cut if the flusher overstays,
        which ends the flusher's write; no thread outlives the connection.
        """
        with self.lock:
            thread = self._flusher
            if thread is None:
                return
            if not self._wait(lambda: self._flusher is not thread, FINISH_WAIT):
                _logger.info("frames behind not written in %s s: cutting", FINISH_WAIT)
                shutdown(sock)
        thread.join(FINISH_WAIT + self.write_timeout)

    def _wait(self, done: Callable[[], bool], timeout: float) -> bool:
        """Wait (lock held, released meanwhile) until ``done()``; False at the timeout."""
        return self._condition().wait_for(done, timeout)

    def _condition(self) -> threading.Condition:
        """The condition the flusher notifies (lock held): made on first use."""
        room = self._room
        if room is None:
            room = self._room = threading.Condition(self.lock)
        return room

    def cut(self, sock: Stream, reason: str) -> None:
        """End a connection a write failed on (lock held): the reader stops too."""
        self.sock = None
        self.broken = reason
        shutdown(sock)
