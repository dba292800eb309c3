"""Fixtures of the common-API suite: ``peer`` (a controllable server, per client kind)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.common.peers import PEER_PARAMS, Peer, peer_fixture
from tests.common.recorder import Recorder


@pytest.fixture(params=PEER_PARAMS)
def peer(request: pytest.FixtureRequest) -> Iterator[Peer]:
    """A server per client kind, plain and TLS, that plays the steps a test queues."""
    yield from peer_fixture(request.param)


@pytest.fixture
def rec() -> Recorder:
    return Recorder()
