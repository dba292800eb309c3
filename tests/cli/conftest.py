"""Fixtures of the command-line tests: the ``cli`` runner, servers plain or over TLS."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import pytest
import trustme

from tests.cli.harness import cli
from tests.servers.sse_server import SSEServer
from tests.servers.ws_server import WSServer

__all__ = ["any_sse_server", "any_ws_server", "cli"]


@pytest.fixture(params=["plain", "tls"])
def any_ws_server(
    request: pytest.FixtureRequest, ws_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[WSServer, list[str]]]:
    """A ws:// or wss:// echo server, and the options that make the command trust it."""
    if request.param == "plain":
        server, trust = WSServer(), []
    else:
        ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
        ws_ca.cert_pem.write_to_path(str(ca_file))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ws_ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
        server, trust = WSServer(context), ["--cacert", str(ca_file)]
    try:
        yield server, trust
    finally:
        server.stop()


@pytest.fixture(params=["plain", "tls"])
def any_sse_server(
    request: pytest.FixtureRequest, sse_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory
) -> tuple[SSEServer, list[str]]:
    if request.param == "plain":
        return request.getfixturevalue("sse_server"), []
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    sse_ca.cert_pem.write_to_path(str(ca_file))
    return request.getfixturevalue("sses_server"), ["--cacert", str(ca_file)]
