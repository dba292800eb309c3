"""Expected reconnect schedules and small statistics for the soak figures."""

from __future__ import annotations

from pushsdk import Backoff


def attempt_bounds(backoff: Backoff, window: float) -> tuple[int, int]:
    """How many attempts start within ``window`` s at the longest and at the shortest delays.

    Attempt 1 is at 0 s; attempt n+1 follows after ``min(initial * multiplier**(n-1), maximum)``
    seconds, which jitter shortens by up to ``jitter`` of itself.
    """
    counts = []
    for scale in (1.0, 1 - backoff.jitter):
        at, n = 0.0, 0
        while at < window:
            n += 1
            at += scale * min(backoff.initial * backoff.multiplier ** (n - 1), backoff.maximum)
        counts.append(n)
    return counts[0], counts[1]


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(int(fraction * len(ordered)), len(ordered) - 1)]
