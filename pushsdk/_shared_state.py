"""What a client's threads share: the state, the inbox, one lock, and waits on them.

The client thread moves the ready state, fills the inbox and says when it is done
for good; the user's threads begin ``close()``, iterate, and wait (``wait_open()``,
``join()``, ``close()``). Both sides meet here: everything the one lock guards, and
one Condition to wake whoever waits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from ._inbox import Inbox
from ._state import ReadyState

__all__ = ["SharedState"]


class SharedState:
    """The ready state, the closing and finished flags and the inbox, with the waits on them."""

    __slots__ = ("_closing", "_finished", "_inbox", "_state", "_state_changed", "_state_lock")

    _logger: logging.Logger  # the client's (its inbox logs there too)

    def __init__(self) -> None:
        self._state = ReadyState.CONNECTING
        #: Guards the state, ``_closing``, ``_finished`` and ``_inbox``.
        self._state_lock = threading.Lock()
        #: Notified (under ``_state_lock``) when the state, ``_closing`` or ``_finished``
        #: change. One per client, made by the first thread that waits: a client nobody
        #: waits on (an idle one) holds no Condition at all. See ``_wait``.
        self._state_changed: threading.Condition | None = None
        #: close() began (or Ctrl+C): stop, do not reconnect. Set only by ``_set_closing``.
        self._closing = False
        #: The client thread is done for good. Set only by ``_finish``.
        self._finished = False
        #: Made by the first iterator, or by the first message with no handler to take it.
        self._inbox: Inbox | None = None

    def _is_closing(self) -> bool:
        return self._closing

    def _set_closing(self) -> None:
        with self._state_lock:
            self._closing = True
            self._notify()

    def _set_state(self, state: ReadyState) -> None:
        with self._state_lock:
            self._state = state
            self._notify()

    def _wait_closing(self, timeout: float) -> bool:
        """Sleep ``timeout`` seconds, or less if close() begins; return whether it did."""
        with self._state_lock:
            return self._wait(self._is_closing, timeout)

    def _wait_finished(self, timeout: float | None) -> bool:
        with self._state_lock:
            return self._wait(lambda: self._finished, timeout)

    def _wait(self, predicate: Callable[[], object], timeout: float | None) -> bool:
        """Wait until ``predicate()`` or ``timeout`` (``_state_lock`` held)."""
        condition = self._state_changed
        if condition is None:
            condition = self._state_changed = threading.Condition(self._state_lock)
        return bool(condition.wait_for(predicate, timeout))

    def _notify(self) -> None:
        """Wake every waiter (``_state_lock`` held)."""
        condition = self._state_changed
        if condition is not None:
            condition.notify_all()

    def _open_inbox(self) -> Inbox:
        """The inbox, made on first use (an ended client's is born ended)."""
        with self._state_lock:
            inbox = self._inbox
            if inbox is None:
                inbox = self._inbox = Inbox(self._logger, self._is_closing)
                if self._finished:
                    inbox.end()
            return inbox

    def _finish(self) -> None:
        """The client thread is done for good: wake every waiter, end the inbox."""
        with self._state_lock:
            self._finished = True
            inbox = self._inbox
            self._notify()
        if inbox is not None:  # after _finished: an iterator that ends sees the end error
            inbox.end()
