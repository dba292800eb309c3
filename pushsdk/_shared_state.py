"""The state a client's threads share, the lock that guards it, and waiting on it.

The client thread moves the ready state and says when it is done for good; the
user's threads begin ``close()`` and wait (``wait_open()``, ``join()``, ``close()``).
Both sides meet here: one lock, and one Condition to wake whoever waits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ._state import ReadyState

__all__ = ["SharedState"]


class SharedState:
    """The ready state and the closing and finished flags, with the waits on them."""

    __slots__ = ("_closing", "_finished", "_state", "_state_changed", "_state_lock")

    def __init__(self) -> None:
        self._state = ReadyState.CONNECTING
        #: Guards the state, ``_closing``, ``_finished`` and the client's inbox.
        self._state_lock = threading.Lock()
        #: Notified (under ``_state_lock``) when the state, ``_closing`` or ``_finished``
        #: change. One per client, made by the first thread that waits: a client nobody
        #: waits on (an idle one) holds no Condition at all. See ``_wait``.
        self._state_changed: threading.Condition | None = None
        #: close() began (or Ctrl+C): stop, do not reconnect. Set only by ``_set_closing``.
        self._closing = False
        #: The client thread is done for good. Set only by the client's ``_finish``.
        self._finished = False

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
