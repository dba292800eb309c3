"""Reconnection delays: exponential backoff with jitter."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

__all__ = ["Backoff"]


@dataclass(frozen=True)
class Backoff:
    """How long to wait before each reconnection attempt.

    The n-th consecutive attempt waits ``initial * multiplier ** (n - 1)``, capped at
    ``maximum``, then shortened at random by up to ``jitter`` of itself so that many
    clients dropped at once do not reconnect in lockstep.

    Attributes:
        initial: delay before the first attempt, in seconds.
        maximum: the cap on any delay, in seconds.
        multiplier: growth factor per consecutive failure.
        jitter: fraction (0..1) of each delay that is randomised away.
        max_attempts: give up after this many consecutive attempts; None retries forever.
        reset_after: a connection that stayed open this many seconds resets the growth.
    """

    initial: float = 0.5
    maximum: float = 30.0
    multiplier: float = 2.0
    jitter: float = 0.5
    max_attempts: int | None = None
    reset_after: float = 60.0

    def __post_init__(self) -> None:
        for name in ("initial", "maximum", "reset_after"):
            value = getattr(self, name)
            if not 0 <= value < math.inf:  # also refuses NaN: every wait must end
                raise ValueError(f"Backoff {name} must be a finite number >= 0, got {value!r}")
        if self.multiplier < 1:
            raise ValueError(f"Backoff multiplier must be >= 1, got {self.multiplier!r}")
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"Backoff jitter must be within 0..1, got {self.jitter!r}")
        if self.max_attempts is not None and self.max_attempts < 0:
            raise ValueError(f"Backoff max_attempts must be >= 0, got {self.max_attempts!r}")

    def delay(
        self,
        failures: int,
        *,
        initial: float | None = None,
        rng: random.Random | None = None,
    ) -> float:
        """Return the delay before attempt number ``failures`` (counting from 1).

        Args:
            failures: consecutive attempts so far, this one included.
            initial: a base delay that overrides ``initial`` (the SSE ``retry:`` field);
                the result is capped at ``maximum`` all the same.
            rng: the random source for jitter (tests pass a seeded one).
        """
        base = self.initial if initial is None else initial
        exponent = max(failures - 1, 0)
        try:
            delay = base * self.multiplier**exponent
        except OverflowError:
            delay = self.maximum
        delay = min(delay, self.maximum)
        if self.jitter:
            delay -= delay * self.jitter * (rng or random).random()
        return delay
