"""The collector policy: survivors frozen each tick, everything collected now and then."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from pushsdk_monitor.gc_policy import FULL_COLLECTION_EVERY, SurvivorFreezer
from pushsdk_monitor.models.records import make_record


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_survivors_are_frozen_and_cycles_freed_in_the_end(unfrozen) -> None:
    now = [0.0]
    freezer = SurvivorFreezer(clock=lambda: now[0])
    records = [make_record(f"m{i}") for i in range(1000)]
    cycle = weakref.ref(Node())
    before = gc.get_freeze_count()
    freezer.tick()
    assert gc.get_freeze_count() >= before + len(records)
    gc.collect()
    assert cycle() is not None  # frozen: a full collection does not walk it
    frozen = gc.get_freeze_count()
    del records
    # Frozen records are still freed when the log drops them (no cycle holds them).
    assert gc.get_freeze_count() <= frozen - 1000
    now[0] = FULL_COLLECTION_EVERY
    freezer.tick()
    assert freezer.full_collections == 1
    assert cycle() is None
