"""Fixture: the bundled demo server (pushsdk_monitor.demo_server), fast-ticking."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pushsdk_monitor.demo_server import DemoServer

__all__ = ["demo_server"]

#: Seconds between the demo server's periodic messages in tests.
DEMO_INTERVAL = 0.05


@pytest.fixture
def demo_server() -> Iterator[DemoServer]:
    """A running demo server on a free loopback port, stopped after the test."""
    server = DemoServer(interval=DEMO_INTERVAL, ping_every=5).start()
    try:
        yield server
    finally:
        server.stop()
