"""The writing side of a WSClient connection: frames go out whole, one at a time, in order.

Any thread may send a message; the client thread writes pongs, pings and the close
frame. One lock orders them all (two frames must never interleave on the wire) and
guards the queue of messages sent while not open. A write that fails cuts the
connection, so that the reader stops too, and its message goes back to the head of
the queue, for the next connection.

Writes are bounded: a peer that reads nothing for ``write_timeout`` seconds fails the
write (``sockio.set_write_timeout``); a control frame waits at most its ``wait`` for
another thread's send before cutting the connection instead.
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable

from .._net.tls import Stream
from .deflate import COMPRESS_THRESHOLD, Deflater
from .encode import Masks, encode_frame
from .items import OP_CLOSE, RSV1
from .sockio import WRITE_TIMEOUT, set_write_timeout, shutdown, write_failure

__all__ = ["Writer"]

_logger = logging.getLogger("pushsdk.ws")


class Writer:
    """One client's outgoing frames, its send queue and its write counters.

    Methods marked "lock held" expect the caller to hold ``lock`` (the client checks
    its own state under it too); the others take it themselves.

    Attributes:
        lock: the send lock.
        sock: the connection, writable while open; None before, and once broken.
        queue: messages (opcode, payload) waiting for the next open; None when empty.
        deflater: this connection's compressor (None without permessage-deflate).
        close_sent: whether this connection's close frame went out.
        broken: why we cut the connection, if we did: the reader stops at its next read.
        write_timeout: how long a write may make no progress (set at each open).
        messages, payload_bytes, bytes_saved: messages written, their payload bytes,
            and the bytes compression kept off the wire.
    """

    __slots__ = (
        "_masks",
        "broken",
        "bytes_saved",
        "close_sent",
        "deflater",
        "lock",
        "messages",
        "payload_bytes",
        "queue",
        "sock",
        "write_timeout",
    )

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._masks = Masks()  # masking keys, taken under the lock
        self.sock: Stream | None = None
        self.queue: collections.deque[tuple[int, bytes]] | None = None
        self.deflater: Deflater | None = None
        self.close_sent = False
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

    def write_message(self, sock: Stream, opcode: int, payload: bytes) -> bool:
        """Write one message (lock held); on failure queue it first and cut the socket."""
        deflater = self.deflater
        saved = 0
        try:
            if deflater is not None and len(payload) >= COMPRESS_THRESHOLD:  # permessage-deflate
                wire = deflater.compress(payload)
                saved = len(payload) - len(wire)
                sock.sendall(encode_frame(opcode | RSV1, wire, self._masks.take()))
            else:
                sock.sendall(encode_frame(opcode, payload, self._masks.take()))
        except OSError as exc:
            _logger.info("send failed, kept for the next connection: %s", exc)
            self.queued().appendleft((opcode, payload))
            self.cut(sock, write_failure(exc))
            return False
        self.messages += 1
        self.payload_bytes += len(payload)
        self.bytes_saved += saved
        return True

    def flush_queue(self, sock: Stream) -> None:
        """Write the queued messages in order, until one fails (lock held)."""
        queue = self.queue
        while queue and self.write_message(sock, *queue.popleft()):
            pass
        if not queue:  # all sent: an open client keeps no empty deque
            self.queue = None

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

        A send stuck for ``wait`` seconds (a peer that stopped reading) holds the lock:
        ``on_stuck`` then cuts the connection, which unblocks it, rather than hanging.
        ``quick`` also bounds the write itself by ``wait`` (for ``close()``).
        """
        if not self.lock.acquire(timeout=wait):
            _logger.info("a send is stuck: cutting the connection")
            on_stuck()
            return
        try:
            sock = self.sock
            if sock is None:
                return
            try:
                if quick:
                    set_write_timeout(sock, min(wait, self.write_timeout))
                sock.sendall(encode_frame(opcode, payload, self._masks.take()))
                if quick:
                    set_write_timeout(sock, self.write_timeout)
            except OSError as exc:
                _logger.debug("control frame not sent: %s", exc)
                self.cut(sock, write_failure(exc))
            if opcode == OP_CLOSE:
                self.close_sent = True
        finally:
            self.lock.release()

    def cut(self, sock: Stream, reason: str) -> None:
        """End a connection a write failed on (lock held): the reader stops too."""
        self.sock = None
        self.broken = reason
        shutdown(sock)
