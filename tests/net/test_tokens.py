"""Fresh credentials on every attempt: ``headers`` (and an SSE body) as functions, and the
``retry()`` recipe after a 401 that keeps the send buffer and the last event ID."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator

import pytest

from pushsdk import Backoff, CallbackError, HandshakeError, PushError, SSEClient, WSClient
from tests.net.pproxy_server import WAIT
from tests.servers.sse_server import SSEConn, SSEServer
from tests.servers.ws_server import WSServer

FAST = Backoff(initial=0.01, maximum=0.05, jitter=0.0)


@pytest.fixture
def ws() -> Iterator[WSServer]:
    server = WSServer()
    yield server
    server.stop()


@pytest.fixture
def sse() -> Iterator[SSEServer]:
    server = SSEServer()
    yield server
    server.stop()


def _tokens() -> tuple[list[str], object]:
    counter = itertools.count(1)
    issued: list[str] = []

    def headers() -> dict[str, str]:
        issued.append(f"t{next(counter)}")
        return {"Authorization": f"Bearer {issued[-1]}"}

    return issued, headers


def test_ws_headers_function_gives_each_connection_a_new_token(ws: WSServer) -> None:
    issued, headers = _tokens()
    ws.handler = lambda conn: conn.close()  # every connection ends at once: reconnect
    client = WSClient(ws.url, headers=headers, reconnect=FAST)  # type: ignore[arg-type]
    with client:
        assert ws.wait_connections(3)
    seen = [h["Authorization"] for h in ws.request_headers[:3]]
    assert seen == ["Bearer t1", "Bearer t2", "Bearer t3"]
    assert issued[:3] == ["t1", "t2", "t3"]


@pytest.mark.parametrize("field", ["body", "json"])
def test_sse_headers_and_body_functions_are_called_for_each_request(
    sse: SSEServer, field: str
) -> None:
    _, headers = _tokens()
    bodies = itertools.count(1)

    def body() -> str:
        text = f"request {next(bodies)}"
        return text if field == "body" else {"n": text}  # type: ignore[return-value]

    def one_event_then_end(conn: SSEConn) -> None:
        conn.start()
        conn.event("x")
        conn.end()

    sse.handler = one_event_then_end
    options = {field: body, "headers": headers}
    client = SSEClient(sse.url, method="POST", reconnect=FAST, **options)  # type: ignore[arg-type]
    with client:
        requests = sse.wait_requests(3)
    assert [r.headers["authorization"] for r in requests[:3]] == [
        "Bearer t1",
        "Bearer t2",
        "Bearer t3",
    ]
    expected = [f"request {n}" for n in (1, 2, 3)]
    if field == "json":
        expected = [f'{{"n": "{text}"}}' for text in expected]
    assert [r.body.decode() for r in requests[:3]] == expected


@pytest.mark.parametrize("kind", ["ws", "sse"])
def test_a_raising_headers_function_is_a_callback_error_and_is_retried(
    kind: str, request: pytest.FixtureRequest
) -> None:
    server = request.getfixturevalue(kind)
    calls = itertools.count()

    def headers() -> dict[str, str]:
        if next(calls) == 0:
            raise RuntimeError("token service down")
        return {"Authorization": "Bearer ok"}

    errors: list[PushError] = []
    cls = WSClient if kind == "ws" else SSEClient
    client = cls(
        server.url, headers=headers, reconnect=FAST, on_error=lambda _c, e: errors.append(e)
    )
    with client:
        assert client.wait_open(WAIT)
    (error,) = errors
    assert isinstance(error, CallbackError) and isinstance(error.__cause__, RuntimeError)
    assert "token service down" in str(error)


def test_ws_retry_after_a_401_keeps_the_send_buffer(ws: WSServer) -> None:
    """The recipe: on_error sees the 401, refreshes the token, calls retry()."""
    token = {"value": "expired"}
    ws.rejections.append((401, {}, b"token expired"))
    statuses: list[int] = []

    def on_error(client: WSClient, error: PushError) -> None:
        if isinstance(error, HandshakeError) and error.status == 401:
            statuses.append(error.status)
            token["value"] = "fresh"
            client.retry()

    client = WSClient(
        ws.url,
        headers=lambda: {"Authorization": f"Bearer {token['value']}"},
        on_error=on_error,
        reconnect=FAST,
    )
    client.send("queued before the 401")
    with client:
        message = next(client.messages(WAIT))
    assert message.data == "queued before the 401"
    assert statuses == [401]
    assert [h["Authorization"] for h in ws.request_headers] == ["Bearer expired", "Bearer fresh"]


def test_sse_retry_after_a_401_on_reconnect_resumes_from_the_last_event_id(
    sse: SSEServer,
) -> None:
    token = {"value": "first"}
    answered = threading.Event()

    def handler(conn: SSEConn) -> None:
        request = conn.request
        if request.headers.get("authorization") == "Bearer expired":
            conn.respond(401, body=b"expired")
            return
        conn.start()
        if "last-event-id" not in request.headers:
            conn.event("one", id="5")
            token["value"] = "expired"  # the token expires while the stream is open
            conn.end()
        else:
            conn.event(f"resumed after {request.headers['last-event-id']}", id="6")
            answered.set()
            conn.stall()

    sse.handler = handler

    def on_error(client: SSEClient, error: PushError) -> None:
        if isinstance(error, HandshakeError) and error.status == 401:
            token["value"] = "renewed"
            client.retry()

    client = SSEClient(
        sse.url,
        headers=lambda: {"Authorization": f"Bearer {token['value']}"},
        on_error=on_error,
        reconnect=FAST,
    )
    with client:
        messages = client.messages(WAIT)
        assert next(messages).data == "one"
        assert next(messages).data == "resumed after 5"
    auths = [r.headers["authorization"] for r in sse.requests]
    assert auths == ["Bearer first", "Bearer expired", "Bearer renewed"]


def test_without_retry_a_401_stays_fatal(ws: WSServer) -> None:
    ws.rejections.append((401, {}, b""))
    client = WSClient(ws.url, reconnect=FAST)
    client.start()
    with pytest.raises(HandshakeError):
        client.join(WAIT)
