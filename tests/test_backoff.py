"""Backoff: exponential growth, cap, jitter bounds, server-set base, validation."""

from __future__ import annotations

import random

import pytest

from pushsdk import Backoff


def test_grows_exponentially_up_to_the_cap_without_jitter() -> None:
    backoff = Backoff(initial=0.5, maximum=4.0, multiplier=2.0, jitter=0.0)
    assert [backoff.delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_jitter_only_shortens_and_stays_within_its_fraction() -> None:
    backoff = Backoff(initial=1.0, maximum=30.0, jitter=0.5)
    rng = random.Random(7)
    delays = [backoff.delay(3, rng=rng) for _ in range(500)]
    assert all(2.0 <= d <= 4.0 for d in delays)
    assert max(delays) - min(delays) > 1.5  # actually spread, not constant


def test_seeded_jitter_is_reproducible() -> None:
    backoff = Backoff()
    first = [backoff.delay(n, rng=random.Random(1)) for n in range(1, 5)]
    second = [backoff.delay(n, rng=random.Random(1)) for n in range(1, 5)]
    assert first == second


def test_server_retry_overrides_the_initial_delay() -> None:
    backoff = Backoff(initial=0.5, maximum=30.0, jitter=0.0)
    assert backoff.delay(1, initial=3.0) == 3.0
    assert backoff.delay(2, initial=3.0) == 6.0


def test_a_server_retry_longer_than_the_cap_is_capped() -> None:
    backoff = Backoff(initial=0.5, maximum=2.0, jitter=0.0)
    assert backoff.delay(1, initial=10.0) == 2.0


def test_huge_attempt_counts_do_not_overflow() -> None:
    assert Backoff(jitter=0.0).delay(10_000) == 30.0


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"initial": -1}, "initial"),
        ({"maximum": -1}, "maximum"),
        ({"multiplier": 0.5}, "multiplier"),
        ({"jitter": 1.5}, "jitter"),
        ({"max_attempts": -1}, "max_attempts"),
        ({"reset_after": -1}, "reset_after"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs: dict[str, float], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        Backoff(**kwargs)
