"""The fault proxy itself, tested with plain sockets against a plain TCP upstream."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import psutil
import pytest

from tests.faults.proxy import Fault, FaultProxy, periodic_cuts, seeded_cuts
from tests.faults.tcp import TCPServer, recv_all, recv_exactly

TIMEOUT = 5.0
PAYLOAD = bytes(range(256)) * 4  # 1 KiB, every byte value


def _echo(sock: socket.socket) -> None:
    while data := sock.recv(65536):
        sock.sendall(data)


def _send_payload(sock: socket.socket) -> None:
    """Send PAYLOAD at once, then wait for the peer to hang up."""
    sock.sendall(PAYLOAD)
    recv_all(sock)


@pytest.fixture
def echo_server() -> Iterator[TCPServer]:
    with TCPServer(_echo) as server:
        yield server


@pytest.fixture
def payload_server() -> Iterator[TCPServer]:
    with TCPServer(_send_payload) as server:
        yield server


def _connect(proxy: FaultProxy) -> socket.socket:
    sock = socket.create_connection(proxy.address, timeout=TIMEOUT)
    assert proxy.wait_connections(proxy.connections, TIMEOUT)
    return sock


def test_forwards_both_ways_and_counts_connections(echo_server: TCPServer) -> None:
    with FaultProxy(echo_server.address) as proxy:
        for n in range(3):
            with _connect(proxy) as sock:
                sock.sendall(PAYLOAD)
                assert recv_exactly(sock, len(PAYLOAD)) == PAYLOAD
            assert proxy.wait_connections(n + 1, TIMEOUT)
        assert proxy.connections == proxy.forwarded == 3
        assert proxy.wait_active(0, TIMEOUT), "closed connections must be released"


def test_half_close_is_passed_on(payload_server: TCPServer) -> None:
    with FaultProxy(payload_server.address) as proxy, _connect(proxy) as sock:
        sock.shutdown(socket.SHUT_WR)  # the server waits for this EOF, then ends
        assert recv_all(sock) == PAYLOAD


@pytest.mark.parametrize("how", ["fin", "rst"])
def test_cut_ends_both_directions(echo_server: TCPServer, how: str) -> None:
    upstream_ended = threading.Event()

    def handler(sock: socket.socket) -> None:
        with contextlib.suppress(ConnectionResetError):
            _echo(sock)
        upstream_ended.set()

    with TCPServer(handler) as server, FaultProxy(server.address) as proxy:
        sock = _connect(proxy)
        sock.sendall(b"ping")
        assert recv_exactly(sock, 4) == b"ping"
        assert proxy.cut(how) == 1  # type: ignore[arg-type]
        if how == "fin":
            assert sock.recv(10) == b""
        else:
            with pytest.raises(ConnectionResetError):
                sock.recv(10)
        sock.close()
        assert upstream_ended.wait(TIMEOUT), "the upstream side must be cut too"
        assert proxy.active == 0


def test_stall_forwards_nothing_until_resumed(echo_server: TCPServer) -> None:
    with FaultProxy(echo_server.address) as proxy, _connect(proxy) as sock:
        sock.sendall(b"a")
        assert recv_exactly(sock, 1) == b"a"
        proxy.stall()
        sock.sendall(b"held")
        sock.settimeout(0.3)
        with pytest.raises(TimeoutError):
            sock.recv(10)
        proxy.resume()
        sock.settimeout(TIMEOUT)
        assert recv_exactly(sock, 4) == b"held"


def test_stalled_connection_closes_when_the_client_hangs_up(echo_server: TCPServer) -> None:
    with FaultProxy(echo_server.address) as proxy:
        sock = _connect(proxy)
        assert proxy.wait_active(1, TIMEOUT)
        proxy.stall()
        sock.close()
        assert proxy.wait_active(0, TIMEOUT)


def test_drip_forwards_one_byte_at_a_time(payload_server: TCPServer) -> None:
    with FaultProxy(payload_server.address, plan=lambda _: Fault("stall")) as proxy:
        sock = _connect(proxy)
        assert proxy.wait_active(1, TIMEOUT)
        began = time.monotonic()
        proxy.drip(nbytes=1, interval=0.01)
        received = 0
        while received < 21:
            received += len(sock.recv(65536))
        took = time.monotonic() - began
        sock.close()
    # One byte per interval, never faster; a loaded machine may only make it slower
    # (a late reader then gets two bytes at once, so the sizes of reads prove nothing).
    assert received <= 21 + took / 0.01
    assert took >= 20 * 0.01 * 0.9


def test_drip_from_a_plan_is_exact() -> None:
    payload = b"0123456789"

    def handler(sock: socket.socket) -> None:
        sock.sendall(payload)
        recv_all(sock)

    fault = Fault("drip", drip_bytes=3, drip_interval=0.01)
    with (
        TCPServer(handler) as server,
        FaultProxy(server.address, plan=lambda _: fault) as proxy,
        _connect(proxy) as sock,
    ):
        chunks = [recv_exactly(sock, 3) for _ in range(3)]
        chunks.append(sock.recv(10))
    assert chunks == [b"012", b"345", b"678", b"9"]


@pytest.mark.parametrize("how", ["fin", "rst"])
def test_truncate_forwards_exactly_n_bytes_then_cuts(payload_server: TCPServer, how: str) -> None:
    with FaultProxy(payload_server.address, plan=lambda _: Fault("stall")) as proxy:
        sock = _connect(proxy)
        assert proxy.wait_active(1, TIMEOUT)
        proxy.truncate(100, how=how)  # type: ignore[arg-type]
        proxy.resume()
        assert recv_all(sock) == PAYLOAD[:100]
        sock.close()


def test_truncate_upstream_direction(echo_server: TCPServer) -> None:
    received = bytearray()
    done = threading.Event()

    def handler(sock: socket.socket) -> None:
        received.extend(recv_all(sock))
        done.set()

    with TCPServer(handler) as server, FaultProxy(server.address) as proxy:
        sock = _connect(proxy)
        assert proxy.wait_active(1, TIMEOUT)
        proxy.truncate(5, direction="up")
        sock.sendall(b"0123456789")
        assert done.wait(TIMEOUT)
        sock.close()
    assert bytes(received) == b"01234"


def test_seeded_plan_is_reproducible_and_cuts_at_the_planned_byte(
    payload_server: TCPServer,
) -> None:
    plan = seeded_cuts(seed=7, min_bytes=1, max_bytes=len(PAYLOAD) - 1)
    again = seeded_cuts(seed=7, min_bytes=1, max_bytes=len(PAYLOAD) - 1)
    assert [plan(i) for i in range(20)] == [again(i) for i in range(20)]
    assert len({plan(i).after_bytes for i in range(20)}) > 10
    with FaultProxy(payload_server.address, plan=seeded_cuts(7, 1, len(PAYLOAD) - 1)) as proxy:
        for index in range(5):
            with socket.create_connection(proxy.address, timeout=TIMEOUT) as sock:
                assert recv_all(sock) == PAYLOAD[: plan(index).after_bytes]


def test_periodic_cuts_end_each_connection_after_its_time(echo_server: TCPServer) -> None:
    with FaultProxy(echo_server.address, plan=periodic_cuts(0.2, seed=1)) as proxy:
        sock = _connect(proxy)
        started = time.monotonic()
        sock.sendall(b"x")
        assert recv_exactly(sock, 1) == b"x"
        assert recv_all(sock) == b""
        assert 0.15 <= time.monotonic() - started < TIMEOUT
        sock.close()


def test_refuse_with_reset_counts_attempts_then_allows(echo_server: TCPServer) -> None:
    with FaultProxy(echo_server.address) as proxy:
        proxy.refuse()
        for _ in range(3):
            with (
                pytest.raises(ConnectionResetError),  # from connect() or the first read
                socket.create_connection(proxy.address, timeout=TIMEOUT) as sock,
            ):
                sock.recv(1)
        assert proxy.wait_connections(3, TIMEOUT)
        assert (proxy.refused, proxy.forwarded) == (3, 0)
        proxy.allow()
        with _connect(proxy) as sock:
            sock.sendall(b"ok")
            assert recv_exactly(sock, 2) == b"ok"
        assert (proxy.connections, proxy.refused) == (4, 3)


def test_refuse_by_closing_the_listener_for_a_while(echo_server: TCPServer) -> None:
    with FaultProxy(echo_server.address) as proxy:
        port = proxy.port
        proxy.refuse(0.3, how="close")
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(proxy.address, timeout=TIMEOUT)
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline, "listener never came back"
                time.sleep(0.02)
        with sock:
            sock.sendall(b"back")
            assert recv_exactly(sock, 4) == b"back"


def test_upstream_down_resets_the_client() -> None:
    spare = socket.create_server(("127.0.0.1", 0))
    address = spare.getsockname()
    spare.close()  # nothing listens there now
    with FaultProxy(address) as proxy, socket.create_connection(proxy.address) as sock:
        sock.settimeout(TIMEOUT)
        with pytest.raises(ConnectionResetError):
            sock.recv(1)
        assert proxy.forwarded == 0


def test_stop_closes_everything_and_ends_the_thread(echo_server: TCPServer) -> None:
    process = psutil.Process()
    fds_before = process.num_fds()
    proxy = FaultProxy(echo_server.address, plan=lambda _: Fault("stall")).start()
    socks = [socket.create_connection(proxy.address, timeout=TIMEOUT) for _ in range(5)]
    assert proxy.wait_active(5, TIMEOUT)
    proxy.stop()
    assert not any(t.name == "fault-proxy" for t in threading.enumerate())
    for sock in socks:
        with pytest.raises(ConnectionResetError):
            sock.recv(1)
        sock.close()
    deadline = time.monotonic() + TIMEOUT
    while process.num_fds() > fds_before and time.monotonic() < deadline:
        time.sleep(0.01)  # the upstream server closes its side after the reset
    assert process.num_fds() <= fds_before  # <=: other tests may close theirs meanwhile
    with pytest.raises(RuntimeError, match="not running"):
        proxy.cut()
