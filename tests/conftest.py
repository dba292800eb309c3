"""Shared fixtures: real servers on loopback, and checks that no client thread leaks
and no signal stays blocked.

Server fixtures live in tests/servers/ (one module per kind of server) and are
re-exported here so every test directory can use them.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator

import pytest
from hypothesis import settings

from tests.servers.demo import *  # noqa: F403
from tests.servers.raw_ws import *  # noqa: F403
from tests.servers.sse_server import *  # noqa: F403
from tests.servers.tls import *  # noqa: F403
from tests.servers.ws_server import *  # noqa: F403

# Property tests: no per-example deadline (timings on a loaded 2-core machine are noise).
# The fuzz targets take their example counts from tests/fuzzing.py (scripts/fuzz).
settings.register_profile("pushsdk", deadline=None)
settings.load_profile("pushsdk")

#: How long a test's client threads get to finish after the test body ends.
THREAD_GRACE = 5.0


def _client_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("pushsdk-")}


@pytest.fixture(autouse=True)
def no_client_thread_left() -> Iterator[None]:
    """Fail a test that leaves a pushsdk client thread running."""
    before = _client_threads()
    yield
    deadline = time.monotonic() + THREAD_GRACE
    leaked = _client_threads() - before
    while leaked and time.monotonic() < deadline:
        for thread in leaked:
            thread.join(max(deadline - time.monotonic(), 0))
        leaked = {t for t in leaked if t.is_alive()}
    assert not leaked, f"client threads left running: {sorted(t.name for t in leaked)}"


@pytest.fixture(autouse=True)
def signal_mask_kept() -> Iterator[None]:
    """Fail a test that leaves signals blocked in the main thread (Ctrl+C would hang)."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no masks
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    yield
    after = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    assert after == before, f"the main thread's signal mask changed: {before} -> {after}"
