"""Keep the garbage collector's full passes short, so they never stall the window.

A fast stream keeps tens of thousands of records alive, which makes CPython run a
full (generation 2) collection every second or two; each one walks every tracked
object in the process — Qt bindings, modules, the whole log — and was measured at
up to 75 ms at 50,000 msg/s. So the objects that exist once the window is built
are frozen (moved out of the collector's sight), and so, every second, are those
that survived since: a full pass then only walks the last second's objects.

Records hold no reference cycles, so frozen ones are still freed the moment the
log evicts them. A cycle frozen by mistake is not: every ten minutes everything
is unfrozen and collected for real (one pass of ~200 ms with a full 100,000-row
log, instead of one of up to 75 ms every second or two).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

__all__ = ["FULL_COLLECTION_EVERY", "SurvivorFreezer", "freeze_startup_objects"]

#: Seconds between two full collections of everything, frozen objects included.
FULL_COLLECTION_EVERY = 600.0


def freeze_startup_objects() -> None:
    """Collect once, then exclude every surviving object from future collections."""
    gc.collect()
    gc.freeze()


class SurvivorFreezer:
    """Call ``tick`` every second or so (GUI thread): freezes what is alive, and runs
    the full collection once every FULL_COLLECTION_EVERY seconds."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last_full = clock()
        self.full_collections = 0

    def tick(self) -> None:
        now = self._clock()
        if now - self._last_full >= FULL_COLLECTION_EVERY:
            self._last_full = now
            self.full_collections += 1
            gc.unfreeze()
            gc.collect()
        gc.freeze()
