"""Fixtures of the network-reach tests: real proxies (pproxy), servers, a clean environment.

The proxies and servers are session-scoped: one pproxy process serves every test.
Each test starts with no proxy variable set and the CA variables pointing at the
system bundle (as on CI), so that a test sets exactly what it checks.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme

from pushsdk import SSEClient, WSClient
from tests.net.pproxy_server import PASSWORD, USER, WAIT, PProxy
from tests.servers.sse_server import SSEConn, SSEServer
from tests.servers.ws_server import WSServer

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
CA_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy variable; CA variables unset: each test sets what it checks."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name in CA_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def net_ca() -> trustme.CA:
    return trustme.CA(organization_name="pushsdk test CA")


@pytest.fixture(scope="session")
def net_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("net")


@pytest.fixture(scope="session")
def ca_file(net_ca: trustme.CA, net_dir: Path) -> str:
    path = net_dir / "ca.pem"
    net_ca.cert_pem.write_to_path(str(path))
    return str(path)


def server_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*(names or ("localhost", "127.0.0.1"))).configure_cert(context)
    return context


@pytest.fixture(scope="session")
def pproxy(net_ca: trustme.CA, net_dir: Path) -> Iterator[PProxy]:
    """One pproxy process: open (HTTP, SOCKS4, SOCKS5), with credentials (HTTP, SOCKS5),
    and HTTPS (TLS to the proxy; certificate from ``net_ca``) without and with them."""
    pem = net_dir / "proxy.pem"
    net_ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(pem))
    auth = f"#{USER}:{PASSWORD}"
    proxy = PProxy(
        {
            "open": "http+socks4+socks5://127.0.0.1:{port}/",
            "auth": "http+socks5://127.0.0.1:{port}/" + auth,
            "tls": "http+ssl://127.0.0.1:{port}/",
            "tls_auth": "http+ssl://127.0.0.1:{port}/" + auth,
        },
        ssl_file=str(pem),
    )
    yield proxy
    proxy.stop()


def say_hello(conn: SSEConn) -> None:
    """The SSE servers' handler: one event, then wait for the client to go."""
    conn.start()
    conn.event("hello", id="1")
    conn.stall()


@dataclass
class Target:
    """A server to reach: ``ws``, ``wss``, ``http`` (SSE) or ``https`` (SSE)."""

    scheme: str
    port: int
    path: str

    @property
    def url(self) -> str:
        return f"{self.scheme}://localhost:{self.port}{self.path}"

    @property
    def authority(self) -> str:
        return f"localhost:{self.port}"

    @property
    def secure(self) -> bool:
        return self.scheme in ("wss", "https")

    def client(self, **options: Any) -> WSClient | SSEClient:
        cls = WSClient if self.scheme.startswith("ws") else SSEClient
        return cls(self.url, **options)


def first_message(client: WSClient | SSEClient, timeout: float = WAIT) -> str | bytes:
    """Start ``client``, return the data of its first message (WS: an echo), close it."""
    if isinstance(client, WSClient):
        client.send("hello")
    with client:
        return next(client.messages(timeout)).data


@pytest.fixture(scope="session")
def servers(net_ca: trustme.CA) -> Iterator[dict[str, Target]]:
    """The four targets, one server each, for the whole session."""
    ws, wss = WSServer(), WSServer(server_context(net_ca))
    sse, sses = SSEServer(), SSEServer(server_context(net_ca))
    sse.handler = sses.handler = say_hello
    targets = {
        "ws": Target("ws", int(ws.url.split(":")[2].split("/")[0]), "/"),
        "wss": Target("wss", int(wss.url.split(":")[2].split("/")[0]), "/"),
        "http": Target("http", sse.port, "/events"),
        "https": Target("https", sses.port, "/events"),
    }
    yield targets
    for server in (ws, wss, sse, sses):
        server.stop()


@pytest.fixture(params=["ws", "wss", "http", "https"])
def target(request: pytest.FixtureRequest, servers: dict[str, Target]) -> Target:
    result: Target = servers[request.param]
    return result
