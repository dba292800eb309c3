"""Fixture ``hostile``: a scripted server, over plain TCP and over TLS, and its client."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator

import pytest
import trustme

from pushsdk import WSClient
from tests.faults.tcp import TCPServer

WAIT = 5.0
Handler = Callable[..., object]


class Hostile:
    """Runs ``handler(sock)`` per connection; for ``wss`` the socket is TLS already."""

    def __init__(self, scheme: str, ca: trustme.CA) -> None:
        self.scheme = scheme
        self._ca = ca
        self._servers: list[TCPServer] = []
        self.server: TCPServer | None = None

    @property
    def secure(self) -> bool:
        return self.scheme == "wss"

    def serve(self, handler: Handler) -> str:
        """Start a server running ``handler``; return the URL for the client."""
        if self.secure:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self._ca.issue_cert("127.0.0.1").configure_cert(context)

            def tls_handler(sock: object) -> None:
                with context.wrap_socket(sock, server_side=True) as tls:  # type: ignore[arg-type]
                    handler(tls)

            server = TCPServer(tls_handler).start()
        else:
            server = TCPServer(handler).start()
        self._servers.append(server)
        self.server = server
        return server.url(self.scheme)

    def client(self, url: str, **options: object) -> WSClient:
        """A WSClient for ``url`` that trusts the test CA (reconnect off unless given)."""
        options.setdefault("reconnect", False)
        if self.secure:
            context = ssl.create_default_context()
            self._ca.configure_trust(context)
            options["ssl_context"] = context
        return WSClient(url, **options)  # type: ignore[arg-type]

    def stop(self) -> None:
        for server in self._servers:
            server.stop()


@pytest.fixture(scope="session")
def hostile_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(params=["ws", "wss"])
def hostile(request: pytest.FixtureRequest, hostile_ca: trustme.CA) -> Iterator[Hostile]:
    """A scripted server per test, over TCP and over TLS (``hostile.scheme``)."""
    peer = Hostile(request.param, hostile_ca)
    yield peer
    peer.stop()
