"""``--proxy``: WebSocket and HTTPS event streams through an HTTP CONNECT proxy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import trustme

from tests.cli.harness import Commands
from tests.servers.sse_server import SSEConn, SSEServer
from tests.servers.ws_server import WSServer
from tests.ws.test_ws_proxy import ConnectProxy


@pytest.fixture
def proxy() -> Iterator[ConnectProxy]:
    """A CONNECT proxy at ``http://user:p%40ss@127.0.0.1:PORT``."""
    proxy = ConnectProxy()
    yield proxy
    proxy.stop()


def test_websocket_through_a_proxy(cli: Commands, ws_server: WSServer, proxy: ConnectProxy) -> None:
    command = cli.run(ws_server.url, "--proxy", proxy.url, "--send", "x", "--count", "1", "-v")
    assert command.proc.returncode == 0
    assert command.lines == ["x"]
    (request,) = proxy.requests
    assert request.startswith("CONNECT localhost:")
    assert "p@ss" not in command.stderr and "p%40ss" not in command.stderr


def test_https_event_stream_through_a_proxy(
    cli: Commands,
    sses_server: SSEServer,
    sse_ca: trustme.CA,
    proxy: ConnectProxy,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    def one_event(conn: SSEConn) -> None:
        conn.start()
        conn.event("through the tunnel", id="1")
        conn.stall()

    sses_server.handler = one_event
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    sse_ca.cert_pem.write_to_path(str(ca_file))
    args = ("--proxy", proxy.url, "--cacert", str(ca_file), "--count", "1")
    command = cli.run(sses_server.url, *args)
    assert command.proc.returncode == 0
    assert command.lines == ["through the tunnel"]
    (request,) = proxy.requests
    assert request.startswith(f"CONNECT 127.0.0.1:{sses_server.port} ")
