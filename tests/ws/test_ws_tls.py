"""wss:// against a local TLS server whose CA trustme made for the test."""

from __future__ import annotations

import socket
import ssl
import threading
import time

import pytest
import trustme

from pushsdk import ConnectError, Message, PushError, ReadyState, WSClient
from tests.ending import ended
from tests.servers.raw_ws import RawWSServer, frame
from tests.servers.tls import request_key_update
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


def test_sends_from_two_threads_while_receiving_lose_nothing(
    wss_server: WSServer, ws_ca: trustme.CA
) -> None:
    """Issue 10 item 1: with the default ping_interval (a read timeout), the client thread's
    reads and other threads' sends shared one SSL object and dropped the connection, at
    random: about one burst of 2 x 3,000 echoed messages in three here. Four bursts."""
    context = ssl.create_default_context()
    ws_ca.configure_trust(context)
    per_thread, bursts = 3000, 4
    received: dict[str, list[int]] = {"a": [], "b": []}
    burst_back = threading.Event()
    errors: list[PushError] = []

    def on_message(_client: WSClient, message: Message) -> None:
        name, _, number = str(message.data).partition(":")
        received[name].append(int(number))
        if sum(map(len, received.values())) % (2 * per_thread) == 0:
            burst_back.set()

    client = WSClient(
        wss_server.url,
        ssl_context=context,
        reconnect=False,
        on_message=on_message,
        on_error=lambda _c, error: errors.append(error),
    )

    def burst(name: str, first: int) -> None:
        for index in range(first, first + per_thread):
            client.send(f"{name}:{index}")

    with client:
        assert client.wait_open(WAIT)
        for number in range(bursts):
            burst_back.clear()
            senders = [
                threading.Thread(target=burst, args=(name, number * per_thread))
                for name in received
            ]
            for thread in senders:
                thread.start()
            for thread in senders:
                thread.join(30)
            assert burst_back.wait(30), f"burst {number}: {errors or 'echoes missing'}"
        assert client.ready_state is ReadyState.OPEN
    assert not errors
    assert received == {name: list(range(bursts * per_thread)) for name in received}


@pytest.mark.parametrize("raw_ws_server", ["wss"], indirect=True)
def test_tls13_key_update_from_the_server_while_a_thread_sends(
    raw_ws_server: RawWSServer,
) -> None:
    """The server updates its keys and asks for ours while a thread sends: the client's
    KeyUpdate (due once the reader has read the server's) and the sender's records must go
    out in order, each under the right keys, or the server cannot decrypt what follows."""
    read_new_keys = threading.Event()
    stop = threading.Event()
    client = WSClient(
        raw_ws_server.url, reconnect=False, on_message=lambda _c, _m: read_new_keys.set()
    )

    def send_until_stopped() -> None:
        index = 0
        while not stop.is_set():
            client.send(str(index))
            index += 1
        client.send("end")

    client.start()
    try:
        conn = raw_ws_server.accept()
        assert client.wait_open(WAIT)
        sender = threading.Thread(target=send_until_stopped, name="test-send")
        sender.start()
        assert conn.recv_frame() == (True, 0x1, b"0")  # the sender is under way
        request_key_update(conn.sock)  # type: ignore[arg-type]
        conn.send(frame(0x1, b"new keys"))  # the KeyUpdate goes first
        assert read_new_keys.wait(WAIT)
        payloads = [conn.recv_frame()[2] for _ in range(500)]  # sent across the update
        stop.set()
        while payloads[-1] != b"end":
            payloads.append(conn.recv_frame()[2])
        sender.join(WAIT)
        numbers = [int(p) for p in payloads[:-1]]
        assert numbers == list(range(1, len(numbers) + 1))
        assert client.ready_state is ReadyState.OPEN
        conn.send(frame(0x8, b"\x03\xe8"))
        assert conn.recv_close_code() == 1000
        assert client.join(WAIT)
    finally:
        stop.set()
        client.close()


def test_a_server_silent_during_the_tls_handshake_times_out() -> None:
    """The TLS handshake is bounded by open_timeout like the rest of the connect."""
    listener = socket.create_server(("127.0.0.1", 0))  # accepts (backlog), never answers
    try:
        port = listener.getsockname()[1]
        recorder = Recorder()
        client = recorder.attach(
            WSClient(f"wss://127.0.0.1:{port}/", open_timeout=0.3, reconnect=False)
        )
        started = time.monotonic()
        client.start()
        assert client.join(WAIT)
        assert time.monotonic() - started < 3.0
    finally:
        listener.close()
    (error,) = recorder.errors()
    assert isinstance(error, ConnectError) and "timed out" in str(error)
