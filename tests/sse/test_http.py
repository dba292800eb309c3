"""SSEClient's HTTP: redirects, TLS, a caller's session."""

from __future__ import annotations

from collections.abc import Callable

import requests

from pushsdk import ConnectError, SSEClient
from tests.ending import ended
from tests.servers.sse_server import SSEConn, SSEServer

from .conftest import Recorder

MakeClient = Callable[..., SSEClient]


def redirect_then_stream(location: str, code: int = 302) -> Callable[[SSEConn], None]:
    def handler(conn: SSEConn) -> None:
        if conn.request.path == "/start":
            conn.respond(code, {"Location": location})
            return
        conn.start()
        conn.event("there")
        conn.stall()

    return handler


def test_redirect_followed_and_origin_is_the_final_url(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    final = sse_server.url.replace("/events", "/final")
    sse_server.handler = redirect_then_stream("/final")
    make_client(sse_server.url.replace("/events", "/start"), headers={"Authorization": "t"}).start()
    (message,) = recorder.wait("message")
    assert message.origin == final
    second = sse_server.wait_requests(2)[1]
    assert second.path == "/final"
    assert second.headers["authorization"] == "t"  # same host keeps it


def test_redirect_to_another_host_drops_authorization(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    other_host = f"http://localhost:{sse_server.port}/final"
    sse_server.handler = redirect_then_stream(other_host)
    url = sse_server.url.replace("/events", "/start")
    make_client(url, headers={"Authorization": "Bearer t"}).start()
    assert recorder.wait("message")[0].origin == other_host
    first, second = sse_server.wait_requests(2)
    assert first.headers["authorization"] == "Bearer t"
    assert "authorization" not in second.headers


def test_307_redirect_keeps_the_post_body(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    sse_server.handler = redirect_then_stream("/final", code=307)
    url = sse_server.url.replace("/events", "/start")
    make_client(url, method="POST", json={"q": 1}).start()
    recorder.wait("message")
    second = sse_server.wait_requests(2)[1]
    assert (second.method, second.body) == ("POST", b'{"q": 1}')


def test_https_with_a_ca_bundle(
    sses_server: SSEServer, make_client: MakeClient, recorder: Recorder, ca_file: str
) -> None:
    sses_server.handler = lambda conn: (conn.start(), conn.event("secure"), conn.stall())
    make_client(sses_server.url, verify=ca_file).start()
    assert recorder.wait("message")[0].data == "secure"


def test_https_verifies_by_default_and_does_not_retry_a_bad_certificate(
    sses_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    client = make_client(sses_server.url)
    client.start()
    assert ended(client)
    (error,) = recorder.errors
    assert isinstance(error, ConnectError)
    assert recorder.kinds() == ["error", "close"]


def test_https_through_a_callers_session(
    sses_server: SSEServer, make_client: MakeClient, recorder: Recorder, ca_file: str
) -> None:
    sses_server.handler = lambda conn: (conn.start(), conn.event("via session"), conn.stall())
    session = requests.Session()
    session.verify = ca_file
    session.headers["X-From-Session"] = "yes"
    try:
        client = make_client(sses_server.url, session=session)
        client.start()
        assert recorder.wait("message")[0].data == "via session"
        assert sses_server.requests[0].headers["x-from-session"] == "yes"
        client.close()
    finally:
        session.close()


def test_a_callers_session_shares_cookies_and_auth(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    def handler(conn: SSEConn) -> None:
        conn.start(headers={"Set-Cookie": "seen=1; Path=/"})
        conn.event("x")
        conn.end()

    sse_server.handler = handler
    with requests.Session() as session:
        session.auth = ("user", "pw")
        session.cookies.set("from", "caller")
        make_client(sse_server.url, session=session).start()
        recorder.wait("open", 2)
        first, second = sse_server.wait_requests(2)
        assert first.headers["authorization"].startswith("Basic ")
        assert first.headers["cookie"] == "from=caller"
        assert "seen=1" in second.headers["cookie"]
        assert session.cookies.get("seen") == "1"


def test_through_an_http_proxy(
    sse_server: SSEServer, make_client: MakeClient, recorder: Recorder
) -> None:
    """The proxy (here the test server itself) gets the absolute URL; close() stays prompt."""
    sse_server.handler = lambda conn: (conn.start(), conn.event("proxied"), conn.stall())
    with requests.Session() as session:
        session.proxies = {"http": f"http://127.0.0.1:{sse_server.port}"}
        client = make_client("http://stream.invalid/events", session=session)
        client.start()
        assert recorder.wait("message")[0].data == "proxied"
        assert sse_server.requests[0].path == "http://stream.invalid/events"
        client.close()
        assert recorder.kinds() == ["open", "message", "close"]
