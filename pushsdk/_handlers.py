"""The ``on()`` / ``off()`` registry of event handlers, safe from any thread.

Registration replaces an immutable mapping under a lock (copy on write), so the
per-message lookup on the reader thread takes no lock at all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

Handler = Callable[[Any, Any], object]

ANY_EVENT = "*"

#: Serialises changes to every registry: they are rare, and a lock per client costs
#: every idle client memory.
_CHANGE_LOCK = threading.Lock()


class HandlerRegistry:
    """Event name -> handlers, in the order they were added."""

    __slots__ = ("table",)

    def __init__(self) -> None:
        #: Read without a lock by the dispatcher; replaced whole on every change.
        self.table: Mapping[str, tuple[Handler, ...]] = {}

    def add(self, event: str, handler: Handler) -> None:
        _check_event(event)
        if not callable(handler):
            raise TypeError(f"handler must be callable, got {type(handler).__name__}")
        with _CHANGE_LOCK:
            table = dict(self.table)
            table[event] = (*table.get(event, ()), handler)
            self.table = table

    def remove(self, event: str, handler: Handler | None = None) -> None:
        """Remove ``handler`` from ``event``, or every handler of ``event`` if None."""
        _check_event(event)
        with _CHANGE_LOCK:
            table = dict(self.table)
            handlers = table.pop(event, ())
            if handler is not None:
                kept = list(handlers)
                if handler in kept:
                    kept.remove(handler)
                if kept:
                    table[event] = tuple(kept)
            self.table = table


def _check_event(event: str) -> None:
    if not isinstance(event, str) or not event:
        raise ValueError(f"event must be a non-empty str, got {event!r}")
