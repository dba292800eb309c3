"""Both clients through real proxies (pproxy): every route, by option and by environment."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Iterator

import pytest

from pushsdk import Backoff, ProxyError, Remedy, SSEClient, WSClient
from pushsdk._net.proxy import Proxy, parse_proxy, proxy_for
from tests.ending import run_to_end
from tests.net.conftest import SYSTEM_BUNDLE, Target, first_message
from tests.net.pproxy_server import PASSWORD, QUOTED, WAIT, PProxy, free_port

#: (listener, scheme, credentials, host name the proxy is asked for)
KINDS = {
    "http": ("open", "http", False, "localhost"),
    "http-auth": ("auth", "http", True, "localhost"),
    "https": ("tls", "https", False, "localhost"),
    "https-auth": ("tls_auth", "https", True, "localhost"),
    "socks4": ("open", "socks4", False, "127.0.0.1"),  # resolved by the client
    "socks5": ("open", "socks5", False, "127.0.0.1"),
    "socks5-auth": ("auth", "socks5", True, "127.0.0.1"),
    "socks5h": ("auth", "socks5h", True, "localhost"),  # resolved by the proxy
}
FAST = Backoff(initial=0.01, maximum=0.05, jitter=0.0)


def _tls(target: Target, ca_file: str) -> dict[str, object]:
    return {"verify": ca_file} if target.secure else {}


@pytest.mark.parametrize("kind", KINDS)
def test_every_route_through_every_proxy_kind(
    target: Target, kind: str, pproxy: PProxy, ca_file: str
) -> None:
    listener, scheme, auth, asked = KINDS[kind]
    mark = pproxy.mark()
    # The https proxy's certificate is verified with the same CA (verify=) as the server's.
    tls = {"verify": ca_file} if target.secure or scheme == "https" else {}
    proxy = pproxy.url(listener, scheme, auth=auth)
    client = target.client(proxy=proxy, reconnect=False, **tls)
    assert first_message(client) == "hello"
    pproxy.wait_tunnel(f"{asked}:{target.port}", since=mark)


@pytest.mark.parametrize(
    ("variable", "kind"), [("proxy", "http-auth"), ("all_proxy", "socks5h"), ("PROXY", "https")]
)
def test_the_environment_names_the_proxy(  # noqa: PLR0917 - fixtures
    target: Target,
    variable: str,
    kind: str,
    pproxy: PProxy,
    ca_file: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HTTPS_PROXY for wss/https, HTTP_PROXY for ws/http (either case), or ALL_PROXY."""
    listener, scheme, auth, asked = KINDS[kind]
    if variable.lower() == "proxy":
        name = ("https_" if target.secure else "http_") + variable
    else:
        name = variable
    monkeypatch.setenv(name, pproxy.url(listener, scheme, auth=auth))
    if scheme == "https":
        monkeypatch.setenv("SSL_CERT_FILE", ca_file)  # trust the proxy's certificate
    mark = pproxy.mark()
    assert first_message(target.client(reconnect=False, **_tls(target, ca_file))) == "hello"
    pproxy.wait_tunnel(f"{asked}:{target.port}", since=mark)


@pytest.mark.parametrize("how", ["NO_PROXY", "no_proxy", "proxy=False"])
def test_no_proxy_and_proxy_false_go_straight(
    target: Target, how: str, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    monkeypatch.setenv("HTTPS_PROXY", dead)
    monkeypatch.setenv("http_proxy", dead)
    options: dict[str, object] = {"reconnect": False, **_tls(target, ca_file)}
    if how == "proxy=False":
        options["proxy"] = False
    else:
        monkeypatch.setenv(how, f"example.com, localhost:{target.port}")
    assert first_message(target.client(**options)) == "hello"


@pytest.mark.parametrize(
    ("no_proxy", "url", "bypassed"),
    [
        ("example.com", "wss://example.com/", True),
        ("example.com", "wss://api.example.com/", True),  # a domain covers its subdomains
        (".example.com", "ws://api.example.com/", True),
        ("example.com", "wss://notexample.com/", False),
        ("*", "ws://anything/", True),
        ("10.0.0.0/8", "ws://10.1.2.3/", True),  # CIDR
        ("10.0.0.0/8", "ws://11.1.2.3/", False),
        ("192.168.1.5", "wss://192.168.1.5:8443/", True),
        ("example.com:8443", "wss://example.com:8443/", True),  # host:port
        ("example.com:8443", "wss://example.com:9443/", False),
        ("", "ws://example.com/", False),
    ],
)
def test_no_proxy_forms_as_requests_reads_them(
    no_proxy: str, url: str, bypassed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://plain:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://secure:3128")
    monkeypatch.setenv("NO_PROXY", no_proxy)
    found = proxy_for(url, None)
    if bypassed:
        assert found is None
    else:
        assert found is not None
        assert found.host == ("secure" if url.startswith("wss") else "plain")


def test_which_socks_schemes_resolve_names_remotely() -> None:
    """socks5h and socks4a leave DNS to the proxy (pproxy has no SOCKS4a to test it live)."""
    remote = {s: parse_proxy(f"{s}://h:1080").remote_dns for s in ("socks4", "socks4a", "socks5")}
    assert remote == {"socks4": False, "socks4a": True, "socks5": False}
    assert parse_proxy("socks5h://h:1080").remote_dns


def test_scheme_variables_win_over_all_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALL_PROXY", "socks5h://all:1080")
    monkeypatch.setenv("HTTPS_PROXY", "http://secure:3128")
    assert proxy_for("wss://h/", None) == parse_proxy("http://secure:3128")
    assert proxy_for("ws://h/", None) == parse_proxy("socks5h://all:1080")
    assert proxy_for("ws://h/", "http://explicit:1") == parse_proxy("http://explicit:1")
    assert proxy_for("ws://h/", False) is None


@pytest.mark.parametrize("cls", [WSClient, SSEClient])
@pytest.mark.parametrize("password", [None, "wrong-secret"])
def test_407_is_fatal_and_names_the_proxy_without_its_password(
    cls: type[WSClient] | type[SSEClient],
    password: str | None,
    servers: dict[str, Target],
    pproxy: PProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    target = servers["ws" if cls is WSClient else "http"]
    if password is None:
        proxy = pproxy.url("auth", "http")
    else:
        proxy = pproxy.url("auth", "http", auth=True, password=password)
    reconnects: list[int] = []
    caplog.set_level(logging.DEBUG, logger="pushsdk")
    client = cls(target.url, proxy=proxy, reconnect=FAST, first_connect_timeout=None)
    client.on_reconnect = lambda _c, attempt, _d: reconnects.append(attempt)
    errors = run_to_end(client)
    (error,) = errors
    assert isinstance(error, ProxyError) and error.status == 407
    assert reconnects == []  # fatal: no retry loop
    assert f"127.0.0.1:{pproxy.ports['auth']}" in str(error)
    shown = " ".join([str(error), error.proxy, repr(client), caplog.text])
    assert "wrong-secret" not in shown and PASSWORD not in shown and QUOTED not in shown


class StatusProxy:
    """Answers every CONNECT with one status (a proxy whose upstream is down: 502)."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.attempts = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(WAIT)
                head = b""
                while b"\r\n\r\n" not in head and (chunk := conn.recv(4096)):
                    head += chunk
                self.attempts += 1
                conn.sendall(b"HTTP/1.1 %d Bad Gateway\r\nContent-Length: 0\r\n\r\n" % self.status)

    def stop(self) -> None:
        with contextlib.suppress(OSError):  # wakes the blocked accept()
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(WAIT)


@pytest.fixture
def bad_gateway() -> Iterator[StatusProxy]:
    proxy = StatusProxy(502)
    yield proxy
    proxy.stop()


@pytest.mark.parametrize("cls", [WSClient, SSEClient])
def test_502_from_the_proxy_is_retried(
    cls: type[WSClient] | type[SSEClient], bad_gateway: StatusProxy, servers: dict[str, Target]
) -> None:
    """Through CONNECT (an https:// stream: a plain http:// one gets the 502 as its answer)."""
    target = servers["ws" if cls is WSClient else "https"]
    errors: list[BaseException] = []
    two = threading.Event()

    def on_error(_client: object, error: BaseException) -> None:
        errors.append(error)
        if len(errors) >= 2:
            two.set()

    client = cls(target.url, proxy=bad_gateway.url, reconnect=FAST, on_error=on_error)
    with client:
        assert two.wait(WAIT)
    assert all(isinstance(e, ProxyError) and e.status == 502 for e in errors)
    assert bad_gateway.attempts >= 2


@pytest.mark.parametrize("cls", [WSClient, SSEClient])
def test_an_unreachable_proxy_is_a_proxy_error_naming_it(
    cls: type[WSClient] | type[SSEClient], servers: dict[str, Target]
) -> None:
    target = servers["ws" if cls is WSClient else "http"]
    proxy = f"http://me:hunter2@127.0.0.1:{free_port()}"
    errors = run_to_end(
        cls(target.url, proxy=proxy, reconnect=Backoff(initial=0.01, max_attempts=1))
    )
    assert errors and all(isinstance(e, ProxyError) and e.status is None for e in errors)
    assert "127.0.0.1" in str(errors[0]) and "hunter2" not in str(errors[0])
    assert len(errors) == 2  # retried


@pytest.mark.parametrize("cls", [WSClient, SSEClient])
def test_an_untrusted_https_proxy_says_how_to_trust_it(
    cls: type[WSClient] | type[SSEClient],
    servers: dict[str, Target],
    pproxy: PProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The proxy's certificate is verified like a server's, and advised about alike."""
    monkeypatch.setenv("SSL_CERT_FILE", SYSTEM_BUNDLE)  # the test CA is not trusted
    target = servers["ws" if cls is WSClient else "http"]
    proxy = pproxy.url("tls", "https")
    errors = run_to_end(
        cls(target.url, proxy=proxy, reconnect=Backoff(initial=0.01, max_attempts=1))
    )
    error = errors[0]
    assert isinstance(error, ProxyError), repr(error)
    assert error.remedy == Remedy("trust-issuer")
    assert error.advice.startswith("; pass verify=") and str(error).endswith(error.advice)


@pytest.mark.parametrize("cls", [WSClient, SSEClient])
def test_bad_proxy_urls_are_refused_without_showing_the_password(
    cls: type[WSClient] | type[SSEClient],
) -> None:
    url = "ws://h/" if cls is WSClient else "http://h/"
    with pytest.raises(ValueError, match="proxy") as caught:
        cls(url, proxy="ftp://me:hunter2@h:21")
    assert "hunter2" not in str(caught.value)
    assert "hunter2" not in repr(parse_proxy("http://me:hunter2@h:1"))
    assert repr(Proxy("http", "h", 1, "me", "x")) == "Proxy('http://me:***@h:1')"


@pytest.mark.parametrize("cls", [WSClient, SSEClient])
def test_socks_without_python_socks_names_the_extra(
    cls: type[WSClient] | type[SSEClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "python_socks", None)  # import fails
    with pytest.raises(ValueError, match=r"pushsdk\[socks\]"):
        cls("ws://h/" if cls is WSClient else "http://h/", proxy="socks5://h:1080")


def test_a_tunnel_dropped_mid_stream_resumes_with_last_event_id_through_the_proxy(
    pproxy: PProxy,
) -> None:
    from tests.faults.proxy import FaultProxy
    from tests.servers.sse_server import SSEConn, SSEServer

    def handler(conn: SSEConn) -> None:
        conn.start()
        last = conn.request.headers.get("last-event-id")
        conn.event("first" if last is None else f"after {last}", id="1" if last is None else "2")
        conn.stall()

    server = SSEServer()
    server.handler = handler
    # client -> FaultProxy (cuts the tunnel) -> pproxy -> server
    with FaultProxy(("127.0.0.1", pproxy.ports["open"])) as cutter:
        try:
            client = SSEClient(
                f"http://localhost:{server.port}/events",
                proxy=f"http://127.0.0.1:{cutter.port}",
                reconnect=FAST,
            )
            with client:
                messages = client.messages(WAIT)
                assert next(messages).data == "first"
                assert cutter.cut() == 1
                assert next(messages).data == "after 1"
        finally:
            server.stop()
    requests = server.requests
    assert requests[0].path.startswith("/events") and requests[1].headers["last-event-id"] == "1"
