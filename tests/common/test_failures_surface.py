"""Failures reach the code that waits: iteration, wait_open() and join() raise them.

Also: a client that never opened gives up after ``first_connect_timeout``; the
client thread survives anything unexpected; no handler runs after close() returned.
"""

from __future__ import annotations

import inspect
import logging
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import trustme

from pushsdk import (
    Backoff,
    CallbackError,
    ConnectError,
    ConnectionClosed,
    HandshakeError,
    ReadyState,
    SSEClient,
    WSClient,
)
from pushsdk_monitor.demo_server import DemoServer
from tests.common.peers import Peer, Reject, Serve, messages, payload
from tests.common.recorder import Recorder, close_and_check
from tests.ending import ended
from tests.servers.raw_ws import RawWSServer, frame
from tests.servers.sse_server import SSEServer

WAIT = 5.0


def test_iteration_yields_what_arrived_then_raises_the_error_that_ended_the_client(
    peer: Peer,
) -> None:
    peer.script(Serve(messages(3), end="drop"), Reject(401, body=b"token expired"))
    client = peer.client()
    client.start()
    received = []
    with pytest.raises(HandshakeError) as raised:
        for message in client.messages(timeout=WAIT):
            received.append(payload(message))
    assert received == ["m0", "m1", "m2"]
    assert raised.value.status == 401
    assert client.last_error is raised.value
    with pytest.raises(HandshakeError):  # and again, for a second loop
        list(client)


@pytest.mark.parametrize("how", ["close", "clean-end"])
def test_iteration_ends_quietly_after_close_or_a_clean_end(peer: Peer, how: str) -> None:
    end = "close" if how == "clean-end" else "hold"
    peer.script(Serve(messages(2), end=end))
    client = peer.client(reconnect=False)
    client.start()
    received = []
    for message in client.messages(timeout=WAIT):
        received.append(payload(message))
        if how == "close" and len(received) == 2:
            client.close()
    assert received == ["m0", "m1"]
    assert client.join(WAIT)  # no error to raise
    assert client.wait_open(0) is False


def test_wait_open_raises_the_fatal_error_at_once(peer: Peer) -> None:
    peer.script(Reject(403))
    client = peer.client()
    client.start()
    started = time.monotonic()
    with pytest.raises(HandshakeError) as raised:
        client.wait_open(30)
    assert time.monotonic() - started < WAIT
    assert raised.value.status == 403


def test_join_raises_the_fatal_error(peer: Peer) -> None:
    peer.script(Reject(404))
    client = peer.client()
    client.start()
    with pytest.raises(HandshakeError):
        client.join(WAIT)
    assert client.ready_state is ReadyState.CLOSED


def test_a_drop_with_reconnect_off_raises_from_iteration(peer: Peer) -> None:
    peer.script(Serve(messages(1), end="drop"))
    client = peer.client(reconnect=False)
    client.start()
    received = []
    with pytest.raises((ConnectionClosed, ConnectError)):
        for message in client.messages(timeout=WAIT):
            received.append(payload(message))
    assert received == ["m0"]


def test_first_connect_timeout_ends_a_client_that_never_opened(
    peer: Peer, rec: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="pushsdk")
    client = rec.attach(
        peer.client(
            url=peer.refused_url,
            reconnect=Backoff(initial=0.05, maximum=0.2, jitter=0.0),
            first_connect_timeout=0.6,
        )
    )
    client.start()
    started = time.monotonic()
    with pytest.raises(ConnectError, match="refused"):
        for _ in client.messages(timeout=WAIT):
            pass
    assert time.monotonic() - started < 0.6 + WAIT / 5
    errors = rec.errors()
    assert len(errors) >= 2, "every failed attempt reaches on_error"
    assert all(isinstance(e, ConnectError) for e in errors)
    assert rec.names()[-1] == "close"
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    failed = [text for text in warned if text.startswith("ConnectError: ")]
    assert len(failed) == len(errors), warned  # each failed attempt, at WARNING
    assert any(text.startswith("giving up: ") for text in warned)


def test_a_refused_connection_says_so_in_the_same_words(peer: Peer) -> None:
    """WSClient and SSEClient name a refusal alike: where, and the system's reason."""
    client = peer.client(url=peer.refused_url, reconnect=False)
    client.start()
    with pytest.raises(ConnectError) as caught:
        client.join(WAIT)
    assert re.fullmatch(r"cannot connect to \S+: Connection refused", str(caught.value))


def test_first_connect_timeout_is_30_s_by_default_and_validated() -> None:
    for cls in (WSClient, SSEClient):
        default = inspect.signature(cls).parameters["first_connect_timeout"].default
        assert default == 30.0
    with pytest.raises(ValueError, match="first_connect_timeout"):
        WSClient("ws://127.0.0.1:1/", first_connect_timeout=-1)


def test_drops_of_an_established_connection_are_retried_past_the_budget(
    peer: Peer, rec: Recorder
) -> None:
    peer.script(
        Serve(messages(1), end="drop"),
        Reject(503),
        Reject(503),
        Reject(503),
        Serve(messages(1, "n")),
    )
    client = rec.attach(
        peer.client(
            reconnect=Backoff(initial=0.1, maximum=0.1, jitter=0.0), first_connect_timeout=0.2
        )
    )
    client.start()
    assert rec.wait_count("message", 2, timeout=WAIT)
    close_and_check(client, rec)
    assert rec.data() == ["m0", "n0"]


def test_no_handler_starts_after_close_returned(peer: Peer) -> None:
    peer.script(Serve(messages(1)))
    entered = threading.Event()
    release = threading.Event()
    later: list[str] = []

    def slow(_client: Any, _message: Any) -> None:
        entered.set()
        release.wait(WAIT)

    client = peer.client()
    client.on("message", slow)
    client.on("message", lambda *_a: later.append("same event"))
    client.on("*", lambda *_a: later.append("catch-all"))
    client.start()
    assert entered.wait(WAIT)
    client.close(timeout=0.1)  # returns while ``slow`` still runs
    release.set()
    assert ended(client)
    assert later == []


def test_repr_hides_credentials_and_query(peer: Peer) -> None:
    scheme, rest = peer.url.split("://", 1)
    client = peer.client(url=f"{scheme}://user:hunter2@{rest}?token=abc123")
    text = repr(client)
    assert "hunter2" not in text and "abc123" not in text
    assert "CONNECTING" in text and rest.split("/")[0] in text


class _Exploding:
    """A requests adapter that fails with an exception no transport would raise."""

    def send(self, *_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("boom from a custom adapter")

    def close(self) -> None:
        pass


def test_an_unexpected_exception_becomes_a_push_error_and_the_thread_survives(
    rec: Recorder,
) -> None:
    import requests

    session = requests.Session()
    session.mount("http://", _Exploding())  # type: ignore[arg-type]
    client = rec.attach(
        SSEClient(
            "http://127.0.0.1:9/events",
            session=session,
            reconnect=Backoff(initial=0.01, maximum=0.01, jitter=0.0, max_attempts=2),
        )
    )
    client.start()
    with pytest.raises(ConnectError) as raised:
        client.join(WAIT)
    assert isinstance(raised.value.__cause__, RuntimeError)
    assert "boom" in str(raised.value)
    assert rec.names() == ["error", "reconnect", "error", "reconnect", "error", "close"]


class _UnhashableKey(str):
    """An event_key whose lookup raises: the one way in from the public API to an
    unexpected exception on an open WebSocket connection."""

    def __hash__(self) -> int:
        raise RuntimeError("boom")


def test_an_unexpected_exception_on_an_open_connection_is_a_drop_and_the_thread_survives(
    raw_ws_server: RawWSServer, rec: Recorder
) -> None:
    backoff = Backoff(initial=0.01, maximum=0.01, jitter=0.0)
    client = rec.attach(
        WSClient(raw_ws_server.url, event_key=_UnhashableKey("type"), reconnect=backoff)
    )
    client.start()
    conn = raw_ws_server.accept()
    conn.send(frame(0x1, b'{"type": "tick"}'))
    raw_ws_server.accept()  # the client reconnected: its thread lived on
    assert rec.wait_count("open", 2)
    close_and_check(client, rec, timeout=0.2)  # the raw server never answers the close
    (error,) = rec.errors()
    assert isinstance(error, ConnectionClosed)
    assert isinstance(error.__cause__, RuntimeError) and "boom" in str(error)
    assert rec.names()[:4] == ["open", "error", "close", "reconnect"]


def test_callback_error_text_points_websocket_client_users_to_message_data(
    peer: Peer, rec: Recorder
) -> None:
    peer.script(Serve(messages(1)))
    client = rec.attach(peer.client())
    client.on_message = lambda _c, message: message.startswith("m")
    client.start()
    assert rec.wait_count("error")
    close_and_check(client, rec)
    (error,) = rec.errors()
    assert isinstance(error, CallbackError)
    assert "message.data" in str(error)
    assert isinstance(error.__cause__, AttributeError)


def _iterate(client: WSClient | SSEClient) -> list[object]:
    received: list[object] = []
    with client:
        for message in client.messages(timeout=WAIT):
            received.append(message.data)
    return received


def test_iterating_a_post_to_a_get_only_stream_raises_the_405(demo_server: DemoServer) -> None:
    """The README's SSE example pointed at the demo /stream, which only takes GET."""
    with pytest.raises(HandshakeError) as raised:
        _iterate(SSEClient(demo_server.sse_url, method="POST", json={"q": 1}))
    assert raised.value.status == 405


def test_iterating_a_ws_url_at_an_sse_endpoint_raises_use_sseclient(
    demo_server: DemoServer,
) -> None:
    url = demo_server.sse_url.replace("http://", "ws://", 1)
    with pytest.raises(HandshakeError, match="use SSEClient"):
        _iterate(WSClient(url))


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_iterating_an_html_page_served_with_200_raises(
    request: pytest.FixtureRequest, scheme: str, sse_ca: trustme.CA, tmp_path: Path
) -> None:
    server: SSEServer = request.getfixturevalue("sse_server" if scheme == "http" else "sses_server")
    server.handler = lambda conn: conn.respond(
        200, {"Content-Type": "text/html"}, b"<html>login</html>"
    )
    ca_file = tmp_path / "ca.pem"
    sse_ca.cert_pem.write_to_path(str(ca_file))
    with pytest.raises(HandshakeError, match="text/html"):
        _iterate(SSEClient(server.url, verify=str(ca_file)))
