"""Fixtures of the command-line tests: the ``cli`` runner, servers plain or over TLS."""

from __future__ import annotations

import pytest
import trustme

from tests.cli.harness import cli
from tests.servers.sse_server import SSEServer
from tests.servers.ws_server import WSServer

__all__ = ["any_sse_server", "any_ws_server", "cli"]


@pytest.fixture(params=["plain", "tls"])
def any_ws_server(
    request: pytest.FixtureRequest, ws_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory
) -> tuple[WSServer, list[str]]:
    """A ws:// or wss:// echo server, and the options that make the command trust it."""
    if request.param == "plain":
        return request.getfixturevalue("ws_server"), []
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ws_ca.cert_pem.write_to_path(str(ca_file))
    return request.getfixturevalue("wss_server"), ["--cacert", str(ca_file)]


@pytest.fixture(params=["plain", "tls"])
def any_sse_server(
    request: pytest.FixtureRequest, sse_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory
) -> tuple[SSEServer, list[str]]:
    if request.param == "plain":
        return request.getfixturevalue("sse_server"), []
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    sse_ca.cert_pem.write_to_path(str(ca_file))
    return request.getfixturevalue("sses_server"), ["--cacert", str(ca_file)]
