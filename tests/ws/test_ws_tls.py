"""wss:// against a local TLS server whose CA trustme made for the test."""

from __future__ import annotations

import ssl

import trustme

from pushsdk import ConnectError, WSClient
from tests.ending import ended
from tests.servers.ws_server import WSServer
from tests.ws.recorder import WAIT, Recorder


def echo_once(client: WSClient) -> list[str | bytes]:
    recorder = Recorder()
    recorder.attach(client)
    with client:
        assert client.wait_open(WAIT)
        client.send("over tls")
        assert recorder.wait_count("message")
    return recorder.messages()


def test_certificate_is_verified_by_default_and_failure_is_final(wss_server: WSServer) -> None:
    recorder = Recorder()
    client = recorder.attach(WSClient(wss_server.url))  # reconnect on: still no retry
    client.start()
    assert ended(client)
    assert recorder.kinds() == ["error", "close"]
    (error,) = recorder.errors()
    assert isinstance(error, ConnectError)
    assert isinstance(error.__cause__, ssl.SSLCertVerificationError)


def test_ssl_context_trusting_the_ca(wss_server: WSServer, ws_ca: trustme.CA) -> None:
    context = ssl.create_default_context()
    ws_ca.configure_trust(context)
    assert echo_once(WSClient(wss_server.url, ssl_context=context, reconnect=False)) == ["over tls"]


def test_sslopt_ca_certs(wss_server: WSServer, ws_ca: trustme.CA) -> None:
    with ws_ca.cert_pem.tempfile() as ca_file:
        client = WSClient(wss_server.url, sslopt={"ca_certs": ca_file}, reconnect=False)
        assert echo_once(client) == ["over tls"]


def test_sslopt_can_disable_verification(wss_server: WSServer) -> None:
    client = WSClient(wss_server.url, sslopt={"cert_reqs": ssl.CERT_NONE}, reconnect=False)
    assert echo_once(client) == ["over tls"]


def test_pings_over_tls_keep_the_connection(wss_server: WSServer, ws_ca: trustme.CA) -> None:
    context = ssl.create_default_context()
    ws_ca.configure_trust(context)
    recorder = Recorder()
    client = WSClient(wss_server.url, ssl_context=context, ping_interval=0.02, ping_timeout=0.5)
    with recorder.attach(client):
        assert recorder.wait_count("open")
        assert not recorder.wait_count("close", timeout=0.3)  # several pings answered
        client.send("still here")
        assert recorder.wait_count("message")
    assert recorder.kinds() == ["open", "message", "close"]
