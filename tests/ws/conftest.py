"""Which zlib the client inflates with: each permessage-deflate test meets both.

The sans-I/O tests take ``backend`` (every backend this interpreter has: the
standard library's zlib, and zlib-ng where it imports). The wire tests use
``inflate_backend``, which makes the client inflate with zlib-ng over ws:// and
with zlib over wss://: the TLS layer and the inflater are independent, so each
backend meets every wire case without running each case twice.
"""

from __future__ import annotations

import pytest

from pushsdk._ws import deflate
from pushsdk._ws.deflate import BACKENDS, Backend
from tests.servers.raw_ws import RawWSServer


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Backend:
    return BACKENDS[request.param]


@pytest.fixture
def inflate_backend(raw_ws_server: RawWSServer, monkeypatch: pytest.MonkeyPatch) -> Backend:
    """The backend ``Negotiated.inflater`` hands the client in this test (see above)."""
    chosen = BACKENDS["zlib"] if raw_ws_server.scheme == "wss" else deflate.INFLATE_BACKEND
    monkeypatch.setattr(deflate, "INFLATE_BACKEND", chosen)
    return chosen
