"""1,000 connect/close cycles per client (400 over TLS): threads, fds and memory come back.

Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable

import psutil
import pytest

from pushsdk import SSEClient, WSClient
from pushsdk._client import BaseClient
from tests.faults.servers import EchoServer, NumberedSSE

CYCLES = 1000
#: A TLS handshake makes a cycle about 4x slower: fewer cycles keep the run short.
CYCLES_TLS = 400
WARMUP = 50
MiB = 1024 * 1024
SETTLE = 10.0


def _cycle(make: Callable[[], BaseClient]) -> None:
    client = make()
    client.start()
    try:
        assert client.wait_open(5.0), f"not open: {client.last_error!r}"
    finally:
        client.close()


def _settle(process: psutil.Process, threads: int, fds: int) -> tuple[int, int]:
    """Wait for server-side threads and sockets of the last cycles to finish."""
    deadline = time.monotonic() + SETTLE
    while time.monotonic() < deadline:
        now = process.num_threads(), process.num_fds()
        if now[0] <= threads and now[1] <= fds:
            return now
        time.sleep(0.02)
    return process.num_threads(), process.num_fds()


def _baseline(process: psutil.Process) -> tuple[int, int]:
    """The fewest threads and fds seen over 0.3 s (the server's last handlers may be ending)."""
    samples = []
    for _ in range(15):
        samples.append((process.num_threads(), process.num_fds()))
        time.sleep(0.02)
    return min(t for t, _ in samples), min(f for _, f in samples)


def _leak_check(label: str, make: Callable[[], BaseClient], cycles: int = CYCLES) -> None:
    process = psutil.Process()
    for _ in range(WARMUP):  # imports, caches and pools reach their steady size
        _cycle(make)
    gc.collect()
    threads, fds = _baseline(process)
    rss = process.memory_info().rss
    started = time.monotonic()
    for _ in range(cycles):
        _cycle(make)
    elapsed = time.monotonic() - started
    gc.collect()
    threads_after, fds_after = _settle(process, threads, fds)
    growth = process.memory_info().rss - rss
    print(
        f"\nSOAK leaks {label}: {cycles} cycles in {elapsed:.1f} s; threads {threads}->"
        f"{threads_after} fds {fds}->{fds_after} RSS +{growth / MiB:.2f} MiB"
    )
    assert not [t for t in threading.enumerate() if t.name.startswith("pushsdk-")]
    assert threads_after <= threads, "threads left behind"
    assert fds_after <= fds, "file descriptors left open"
    assert growth < 5 * MiB


@pytest.mark.slow
def test_ws_connect_close_cycles_leak_nothing(echo_server: EchoServer) -> None:
    url = f"{echo_server.scheme}://127.0.0.1:{echo_server.port}/"
    cycles = CYCLES_TLS if echo_server.scheme == "wss" else CYCLES
    _leak_check(echo_server.scheme, lambda: WSClient(url), cycles)


@pytest.mark.slow
def test_sse_connect_close_cycles_leak_nothing(
    numbered_sse: Callable[..., NumberedSSE],
) -> None:
    server = numbered_sse(1)
    url = f"http://127.0.0.1:{server.address[1]}/"
    _leak_check("sse", lambda: SSEClient(url))
