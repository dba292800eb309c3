"""Reconnect time after a cut, with the default Backoff (run with ``-s`` for the figures)."""

from __future__ import annotations

import threading
import time

import pytest

from pushsdk import Backoff
from tests.faults.proxy import FaultProxy
from tests.faults.schedule import percentile
from tests.faults.servers import client_for

WAIT = 10.0


@pytest.mark.slow
@pytest.mark.parametrize("upstream", ["ws", "wss", "sse"], indirect=True)
def test_reconnect_time_after_a_cut_with_default_backoff(
    upstream: tuple[str, tuple[str, int]],
) -> None:
    """20 clients are cut at once, three times; each reconnect waits per the default Backoff.

    The n-th consecutive cut waits ``0.5 * 2**(n-1)`` s shortened by up to half (jitter),
    since a connection shorter than ``reset_after`` (60 s) does not reset the growth.
    """
    clients = 20
    rounds = 3
    opened: dict[int, list[float]] = {i: [] for i in range(clients)}
    lock = threading.Condition()

    def on_open(index: int) -> None:
        with lock:
            opened[index].append(time.monotonic())
            lock.notify_all()

    def all_opened(times: int, timeout: float) -> bool:
        with lock:
            return lock.wait_for(lambda: all(len(o) >= times for o in opened.values()), timeout)

    scheme, address = upstream
    backoff = Backoff()
    with FaultProxy(address) as proxy:
        group = [
            client_for(
                scheme, proxy.url(scheme), on_open=lambda _c, i=i: on_open(i), reconnect=backoff
            )
            for i in range(clients)
        ]
        for client in group:
            client.start()
        try:
            assert all_opened(1, WAIT)
            figures = []
            for round_ in range(1, rounds + 1):
                cut_at = time.monotonic()
                assert proxy.cut("rst") == clients
                assert all_opened(round_ + 1, WAIT + 2 * round_)
                with lock:
                    times = [opened[i][-1] - cut_at for i in range(clients)]
                    assert all(len(opened[i]) == round_ + 1 for i in range(clients))
                high = backoff.initial * backoff.multiplier ** (round_ - 1)
                low = high * (1 - backoff.jitter)
                assert min(times) >= low, "reconnected sooner than the backoff allows"
                assert max(times) < high + 1.0, "reconnect much later than the backoff asks"
                figures.append(
                    f"cut {round_}: p50={percentile(times, 0.5) * 1000:.0f} ms "
                    f"max={max(times) * 1000:.0f} ms (delay drawn in [{low:.2f}, {high:.2f}] s)"
                )
        finally:
            for client in group:
                client.close()
    kind = "sse" if scheme == "http" else scheme
    print(f"\nSOAK {kind} reconnect after cut, {clients} clients, default Backoff: ", end="")
    print("; ".join(figures))
