"""Helpers for the SSE tests: a recorder of callbacks, fast reconnects, fuzz settings."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from pushsdk import Backoff, Message, PushError, SSEClient
from tests.servers.sse_server import SSEServer

WAIT = 5.0
#: Reconnect almost at once, without jitter, so tests stay fast and exact.
FAST = Backoff(initial=0.01, maximum=0.05, jitter=0.0)


class Recorder:
    """Records every callback of a client, in order, and lets a test wait for some."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self._cond = threading.Condition()

    def _add(self, kind: str, value: Any) -> None:
        with self._cond:
            self.calls.append((kind, value))
            self._cond.notify_all()

    def attach(self, client: SSEClient) -> SSEClient:
        client.on_open = lambda c: self._add("open", None)
        client.on_message = lambda c, m: self._add("message", m)
        client.on_close = lambda c, code, reason: self._add("close", (code, reason))
        client.on_error = lambda c, e: self._add("error", e)
        client.on_reconnect = lambda c, attempt, delay: self._add("reconnect", (attempt, delay))
        return client

    def of(self, kind: str) -> list[Any]:
        with self._cond:
            return [value for k, value in self.calls if k == kind]

    @property
    def messages(self) -> list[Message]:
        return self.of("message")

    @property
    def errors(self) -> list[PushError]:
        return self.of("error")

    def kinds(self) -> list[str]:
        with self._cond:
            return [k for k, _ in self.calls]

    def wait(self, kind: str, count: int = 1, timeout: float = WAIT) -> list[Any]:
        with self._cond:
            ok = self._cond.wait_for(lambda: len(self.of(kind)) >= count, timeout)
        assert ok, f"waited for {count} {kind!r}, got calls {self.kinds()}"
        return self.of(kind)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_client(recorder: Recorder) -> Iterator[Callable[..., SSEClient]]:
    """Build SSEClients wired to ``recorder`` (fast reconnects); closed after the test."""
    clients: list[SSEClient] = []

    def make(url: str, **options: Any) -> SSEClient:
        options.setdefault("reconnect", FAST)
        client = recorder.attach(SSEClient(url, **options))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture(params=["http", "https"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[SSEServer, dict[str, Any]]]:
    """An SSEServer over plain TCP or TLS, and the client options to trust it."""
    if request.param == "http":
        yield request.getfixturevalue("sse_server"), {}
    else:
        yield request.getfixturevalue("sses_server"), {"verify": request.getfixturevalue("ca_file")}


@pytest.fixture
def ca_file(sse_ca: trustme.CA, tmp_path: Path) -> str:
    """``sse_ca``'s certificate as a PEM file, for ``verify=``."""
    path = tmp_path / "ca.pem"
    sse_ca.cert_pem.write_to_path(str(path))
    return str(path)
