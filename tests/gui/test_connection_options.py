"""Connection options on the wire: subprotocols, TLS trust and client certificates,
proxy, close code and reason, and what a handshake said (ws:// and wss://, SSE too)."""

from __future__ import annotations

import ssl
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from urllib3.exceptions import InsecureRequestWarning

from pushsdk import Client, PushError, Remedy, SSEClient, WSClient
from pushsdk_monitor.connection.advice import TRUST_ADVICE, error_message
from pushsdk_monitor.connection.clients import ConnectOptions, create_client
from pushsdk_monitor.models.records import Direction
from pushsdk_monitor.settings import MonitorSettings
from pushsdk_monitor.tab import ConnectionTab
from tests.ending import run_to_end
from tests.faults.tcp import TCPServer, recv_all
from tests.servers.sse_server import SSEConn, SSEServer
from tests.servers.tls import server_context
from tests.servers.ws_server import WSServer
from tests.ws.test_ws_proxy import ConnectProxy

WAIT_MS = 10_000


@pytest.fixture
def real_tab(qtbot, settings: MonitorSettings) -> Iterator[ConnectionTab]:
    tab = ConnectionTab(settings, factory=create_client, capacity=1000)
    qtbot.addWidget(tab)
    tab.show()
    yield tab
    tab.shutdown()


@pytest.fixture(params=["ws", "wss"])
def server(request: pytest.FixtureRequest, ws_ca: trustme.CA) -> Iterator[WSServer]:
    served = WSServer(server_context(ws_ca) if request.param == "wss" else None)
    yield served
    served.stop()


def _trust(server: WSServer, ca_file: str) -> dict[str, str]:
    return {"ca_file": ca_file} if server.url.startswith("wss") else {}


def system_rows(tab: ConnectionTab, event: str) -> list[str]:
    return [
        str(r.payload)
        for r in tab.controller.model.records()
        if r.direction is Direction.SYSTEM and r.event == event
    ]


def test_subprotocol_shown_and_close_code_and_reason_sent(
    qtbot, real_tab: ConnectionTab, server: WSServer, ws_ca_file: str
) -> None:
    closed: list[tuple[int | None, str | None]] = []
    done = threading.Event()

    def handler(conn) -> None:  # type: ignore[no-untyped-def]
        try:
            for _ in conn:
                pass
        finally:
            closed.append((conn.close_code, conn.close_reason))
            done.set()

    server.handler = handler
    options = ConnectOptions(
        subprotocols=("chat.v2", "chat.v1"),
        close_code=4001,
        close_reason="bye",
        **_trust(server, ws_ca_file),
    )
    assert real_tab.connect_to(server.url, options)
    qtbot.waitUntil(lambda: bool(system_rows(real_tab, "open")), timeout=WAIT_MS)
    assert "subprotocol chat.v2" in system_rows(real_tab, "open")[0]
    offered = server.request_headers[0]["Sec-WebSocket-Protocol"]
    assert [p.strip() for p in offered.split(",")] == ["chat.v2", "chat.v1"]
    real_tab.close_connection()
    assert done.wait(5)
    assert closed == [(4001, "bye")]
    qtbot.waitUntil(lambda: bool(system_rows(real_tab, "close")), timeout=WAIT_MS)
    assert system_rows(real_tab, "close")[-1] == "disconnected by you with code 4001 bye"


def test_a_failed_handshake_shows_status_headers_and_body(
    qtbot, real_tab: ConnectionTab, server: WSServer, ws_ca_file: str
) -> None:
    server.rejections.append((401, {"X-Why": "expired"}, b'{"error": "token expired"}'))
    options = ConnectOptions(reconnect=False, **_trust(server, ws_ca_file))
    assert real_tab.connect_to(server.url, options)
    qtbot.waitUntil(lambda: bool(system_rows(real_tab, "error")), timeout=WAIT_MS)
    error = system_rows(real_tab, "error")[0]
    assert "HTTP 401" in error
    assert "x-why: expired" in error.lower()
    assert '{"error": "token expired"}' in error
    # Not the SDK's "code 1006", as if an open connection had dropped.
    qtbot.waitUntil(lambda: bool(system_rows(real_tab, "close")), timeout=WAIT_MS)
    assert system_rows(real_tab, "close") == ["ended with no connection open"]


def test_tls_trust_is_the_users_choice(
    qtbot, settings: MonitorSettings, ws_ca: trustme.CA, ws_ca_file: str
) -> None:
    """No CA: refused; the CA file: open; skip verification: open."""
    served = WSServer(server_context(ws_ca))
    try:
        for options, opens in (
            (ConnectOptions(reconnect=False), False),
            (ConnectOptions(ca_file=ws_ca_file), True),
            (ConnectOptions(verify=False), True),
        ):
            tab = ConnectionTab(settings, factory=create_client, capacity=100)
            qtbot.addWidget(tab)
            assert tab.connect_to(served.url, options)
            kind = "open" if opens else "error"
            qtbot.waitUntil(lambda t=tab, k=kind: bool(system_rows(t, k)), timeout=WAIT_MS)
            if not opens:
                assert "certificate" in system_rows(tab, "error")[0].lower()
            tab.shutdown()
    finally:
        served.stop()


def test_skipping_verification_keeps_urllib3s_warning_off_the_terminal(
    qtbot, settings: MonitorSettings, sses_server: SSEServer
) -> None:
    """ "Skip TLS verification" on an SSE tab was asked for: urllib3's
    InsecureRequestWarning would only repeat it, on the terminal, at every request."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tab = ConnectionTab(settings, factory=create_client, capacity=100)
        qtbot.addWidget(tab)
        assert tab.connect_to(sses_server.url, ConnectOptions(verify=False, reconnect=False))
        qtbot.waitUntil(lambda: bool(system_rows(tab, "open")), timeout=WAIT_MS)
        tab.shutdown()
    assert not [w for w in caught if issubclass(w.category, InsecureRequestWarning)]


def test_a_client_certificate_is_presented(
    qtbot, real_tab: ConnectionTab, ws_ca: trustme.CA, ws_ca_file: str, tmp_path: Path
) -> None:
    context = server_context(ws_ca)
    context.verify_mode = ssl.CERT_REQUIRED
    ws_ca.configure_trust(context)
    cert = ws_ca.issue_cert("monitor-client")
    pem = tmp_path / "client.pem"
    cert.private_key_and_cert_chain_pem.write_to_path(str(pem))
    served = WSServer(context)
    try:
        options = ConnectOptions(ca_file=ws_ca_file, client_cert=str(pem))
        assert real_tab.connect_to(served.url, options)
        qtbot.waitUntil(lambda: bool(system_rows(real_tab, "open")), timeout=WAIT_MS)
        peer = served.connections[0].socket.getpeercert()
        assert ("DNS", "monitor-client") in peer["subjectAltName"]
    finally:
        real_tab.shutdown()
        served.stop()


def test_through_a_proxy(qtbot, real_tab: ConnectionTab, server: WSServer, ws_ca_file: str) -> None:
    proxy = ConnectProxy()
    try:
        options = ConnectOptions(proxy=proxy.url, **_trust(server, ws_ca_file))
        assert real_tab.connect_to(server.url, options)
        qtbot.waitUntil(lambda: bool(system_rows(real_tab, "open")), timeout=WAIT_MS)
        assert proxy.requests[0].startswith("CONNECT localhost:")
    finally:
        real_tab.shutdown()
        proxy.stop()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_sse_trust_and_a_failed_request_body(
    qtbot, real_tab: ConnectionTab, scheme: str, sse_ca: trustme.CA, tmp_path: Path
) -> None:
    served = SSEServer(server_context(sse_ca) if scheme == "https" else None)
    ca_file = tmp_path / "ca.pem"
    sse_ca.cert_pem.write_to_path(str(ca_file))

    def refuse(conn: SSEConn) -> None:
        conn.respond(403, {"Content-Type": "application/json"}, b'{"error": "no quota"}')

    served.handler = refuse
    try:
        options = ConnectOptions(ca_file=str(ca_file) if scheme == "https" else "")
        assert real_tab.connect_to(served.url, options)
        qtbot.waitUntil(lambda: bool(system_rows(real_tab, "error")), timeout=WAIT_MS)
        error = system_rows(real_tab, "error")[0]
        assert "HTTP 403" in error
        assert '{"error": "no quota"}' in error
        # Not "stream ended", as if a stream had been open.
        qtbot.waitUntil(lambda: bool(system_rows(real_tab, "close")), timeout=WAIT_MS)
        assert system_rows(real_tab, "close") == ["ended with no connection open"]
    finally:
        real_tab.shutdown()
        served.stop()


def test_bad_options_are_refused_before_connecting(real_tab: ConnectionTab) -> None:
    assert not real_tab.connect_to("ws://127.0.0.1:1/", ConnectOptions(close_code=1001))
    assert "close code" in real_tab.status_panel.note_label.text()
    assert not real_tab.controller.connected


def test_sse_through_a_proxy_with_a_client_certificate(
    qtbot, real_tab: ConnectionTab, sse_ca: trustme.CA, tmp_path: Path
) -> None:
    """https:// through a CONNECT proxy, presenting a client certificate the server requires."""
    context = server_context(sse_ca)
    context.verify_mode = ssl.CERT_REQUIRED
    sse_ca.configure_trust(context)
    served = SSEServer(context)
    peers: list[dict] = []

    def stream(conn: SSEConn) -> None:
        peers.append(conn.sock.getpeercert())  # type: ignore[attr-defined]
        conn.start()
        conn.event("through")
        conn.stall()

    served.handler = stream
    ca_file, pem = tmp_path / "ca.pem", tmp_path / "client.pem"
    sse_ca.cert_pem.write_to_path(str(ca_file))
    sse_ca.issue_cert("monitor-client").private_key_and_cert_chain_pem.write_to_path(str(pem))
    proxy = ConnectProxy()
    try:
        options = ConnectOptions(ca_file=str(ca_file), client_cert=str(pem), proxy=proxy.url)
        assert real_tab.connect_to(served.url, options)
        qtbot.waitUntil(
            lambda: "through" in [r.payload for r in real_tab.controller.model.records()],
            timeout=WAIT_MS,
        )
        assert proxy.requests[0].startswith("CONNECT 127.0.0.1:")
        assert ("DNS", "monitor-client") in peers[0]["subjectAltName"]
    finally:
        real_tab.shutdown()
        proxy.stop()
        served.stop()


@pytest.mark.parametrize("protocol", ["ws", "sse"])
def test_an_untrusted_certificate_says_where_to_trust_it(
    qtbot, real_tab: ConnectionTab, protocol: str, ws_ca: trustme.CA
) -> None:
    """The row and the badge's last error name the monitor's TLS options, not the SDK's
    ``verify=`` argument."""
    context = server_context(ws_ca)
    served = WSServer(context) if protocol == "ws" else SSEServer(context)
    try:
        assert real_tab.connect_to(served.url, ConnectOptions(reconnect=False))
        qtbot.waitUntil(lambda: bool(system_rows(real_tab, "error")), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: real_tab.status_panel.status.kind == "closed", timeout=WAIT_MS)
        for text in (system_rows(real_tab, "error")[0], real_tab.status_panel.status.last_error):
            assert text.endswith(TRUST_ADVICE)
            assert "verify=" not in text
            assert "truststore" not in text
    finally:
        real_tab.shutdown()
        served.stop()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_websocket_tab_on_an_event_stream_names_the_url_to_use(
    qtbot, real_tab: ConnectionTab, scheme: str, ws_ca: trustme.CA, ws_ca_file: str
) -> None:
    served = SSEServer(server_context(ws_ca) if scheme == "https" else None)
    served.push(b": a first comment, so the handshake needs not wait for a body\n\n")
    ws_url = ("wss:" if scheme == "https" else "ws:") + served.url.partition(":")[2]
    try:
        options = ConnectOptions(reconnect=False, ca_file=ws_ca_file if scheme == "https" else "")
        assert real_tab.connect_to(ws_url, options)
        qtbot.waitUntil(lambda: bool(system_rows(real_tab, "error")), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: real_tab.status_panel.status.kind == "closed", timeout=WAIT_MS)
        advice = f"this is a Server-Sent Events endpoint: connect to {served.url} instead"
        assert system_rows(real_tab, "error")[0].splitlines()[0].endswith(advice)
        assert real_tab.status_panel.status.last_error.endswith(advice)
    finally:
        real_tab.shutdown()
        served.stop()


@pytest.mark.parametrize("protocol", ["ws", "wss", "http", "https"])
def test_a_connect_timeout_names_no_sdk_parameter(protocol: str, ws_ca_file: str) -> None:
    """The SDK advises raising ``open_timeout``/``connect_timeout``; the monitor has no
    such setting, so its message stops at what happened."""
    with TCPServer(recv_all) as silent:  # accepts, then says nothing
        url = silent.url(protocol)
        if protocol.startswith("ws"):
            client: Client[Any] = WSClient(
                url, verify=ws_ca_file, open_timeout=0.2, reconnect=False
            )
        else:
            client = SSEClient(url, verify=ws_ca_file, connect_timeout=0.2, reconnect=False)
        (error,) = run_to_end(client)
    assert isinstance(error, PushError) and error.remedy == Remedy("longer-timeout")
    assert error_message(error) == str(error).removesuffix(error.advice)
    assert error_message(error).startswith("timed out after 0.2 s ")
    assert "timeout" not in error_message(error).removeprefix("timed out")
