"""Messages per second over the last minute, in one-second buckets (no Qt)."""

from __future__ import annotations

from collections import deque

__all__ = ["RateSeries"]


class RateSeries:
    """Counts per whole second for the last ``seconds`` seconds.

    Times are ``time.monotonic()`` values passed in by the caller, so tests can
    drive the series with any clock.
    """

    def __init__(self, seconds: int = 60) -> None:
        if seconds < 2:
            raise ValueError(f"seconds must be at least 2, got {seconds}")
        self._seconds = seconds
        self._buckets: deque[int] = deque([0] * seconds, maxlen=seconds)
        self._current: int | None = None  # the whole second the last bucket counts

    @property
    def seconds(self) -> int:
        return self._seconds

    def add(self, now: float, count: int = 1) -> None:
        """Count ``count`` messages at time ``now``."""
        self.advance(now)
        self._buckets[-1] += count

    def advance(self, now: float) -> None:
        """Move the window so that its last bucket is the second of ``now``."""
        second = int(now)
        if self._current is None:
            self._current = second
            return
        gap = second - self._current
        if gap <= 0:
            return
        self._buckets.extend([0] * min(gap, self._seconds))
        self._current = second

    def values(self) -> list[int]:
        """Counts, oldest second first; the last one is the second in progress."""
        return list(self._buckets)

    def last_rate(self) -> int:
        """Messages in the last complete second."""
        return self._buckets[-2]
