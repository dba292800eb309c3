"""The bounded buffer behind ``for message in client`` and ``client.messages()``."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from .message import Message

#: Messages kept for an iterator that has not started yet (oldest dropped past it).
BACKLOG_LIMIT = 1024
#: Messages an active iterator may fall behind before the reader waits for it.
HIGH_WATER = 10_000


class Inbox:
    """Messages waiting for an iterator.

    Before anyone iterates, and while the client has no message handler, the last
    ``BACKLOG_LIMIT`` messages are kept so that ``for message in client`` right after
    ``start()`` misses nothing. While an iterator is active the buffer grows up to
    ``HIGH_WATER`` and the reader thread then waits (back-pressure, as in
    websockets), so memory stays bounded and nothing is dropped.
    """

    def __init__(self, logger: logging.Logger, closing: Callable[[], bool]) -> None:
        self._items: deque[Message[Any]] = deque()
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        #: Whether an iterator is active: a plain attribute, read once per message.
        self.has_readers = False
        self._ended = False
        self._dropped = 0
        self._logger = logger
        self._closing = closing  # a waiting reader thread gives up once the client closes

    def put(self, message: Message[Any], *, keep_backlog: bool) -> None:
        with self._cond:
            if self._readers:
                while len(self._items) >= HIGH_WATER and self._readers and not self._closing():
                    self._cond.wait(0.1)
                self._items.append(message)
                self._cond.notify()
            elif keep_backlog:
                if len(self._items) >= BACKLOG_LIMIT:
                    self._items.popleft()
                    self._dropped += 1
                    if self._dropped == 1:
                        self._logger.warning(
                            "no handler and no iterator: keeping only the last %d messages",
                            BACKLOG_LIMIT,
                        )
                self._items.append(message)

    def end(self) -> None:
        """No more messages will come: iterators finish once the buffer is drained."""
        with self._cond:
            self._ended = True
            self._cond.notify_all()

    def get(self, timeout: float | None) -> Message[Any] | None:
        """Return the next message, or None at the end.

        Raises:
            TimeoutError: nothing arrived within ``timeout`` seconds.
        """
        with self._cond:
            ready = self._cond.wait_for(lambda: self._items or self._ended, timeout)
            if not ready:
                raise TimeoutError(f"no message within {timeout} s")
            if self._items:
                message = self._items.popleft()
                self._cond.notify_all()
                return message
            return None

    def attach(self) -> None:
        with self._cond:
            self._readers += 1
            self.has_readers = True

    def detach(self) -> None:
        with self._cond:
            self._readers -= 1
            self.has_readers = self._readers > 0
            self._cond.notify_all()
