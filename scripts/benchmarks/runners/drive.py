"""Scenario drivers shared by every library: latency, reconnect and idle cost.

A library module provides ``listen(url, on_data, reconnect)``: start receiving in the
background (its own thread, or a consumer thread for libraries that need the caller's)
and call ``on_data(text)`` per message. Per-message cost does not matter here (one
message every 20 ms, or one per connection), so one generic wrapper serves all.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from .common import cpu_seconds, failure, latency_result, peak_rss_kib

Listen = Callable[[str, Callable[[str], None], bool], None]


def latency(params: dict[str, Any], listen: Listen) -> dict[str, Any]:
    """Delivery delay of events that carry their send time (CLOCK_MONOTONIC, system-wide)."""
    count, deadline = params["count"], params["deadline"]
    samples: list[float] = []
    order_ok = [True]
    cpu = [0.0, 0.0]
    done = threading.Event()

    def on_data(data: str) -> None:
        now = time.monotonic()
        seq, sent = data.split(" ")
        if int(seq) != len(samples):
            order_ok[0] = False
        samples.append(now - float(sent))
        cpu[len(samples) > 1] = cpu_seconds()  # CPU from the first event to the last
        if len(samples) == count:
            done.set()

    listen(params["url"], on_data, False)
    # Past the last event's deadline, stop waiting: a buffering client cannot stall the run.
    done.wait(count * params["interval"] + deadline + 2.0)
    if not order_ok[0]:
        return failure("events out of order or missing")
    if not samples:
        return failure("no event arrived, even after the stream ended")
    got = [s if s <= deadline else float("inf") for s in samples]
    result = latency_result(got, count, (cpu[1] - cpu[0]) * count / max(len(samples) - 1, 1))
    result["late"] = count - sum(1 for s in got if s != float("inf"))
    return result


def reconnect(params: dict[str, Any], listen: Listen) -> dict[str, Any]:
    """Time from the server cutting the connection to the next message, over ``count`` cuts."""
    count = params["count"]
    arrivals: list[tuple[int, float, float]] = []
    cpu = [0.0, 0.0]
    done = threading.Event()

    def on_data(data: str) -> None:
        now = time.monotonic()
        seq, dropped = data.split(" ")
        if len(arrivals) <= count:
            arrivals.append((int(seq), float(dropped), now))
            cpu[len(arrivals) > 1] = cpu_seconds()
        if len(arrivals) == count + 1:
            done.set()

    listen(params["url"], on_data, True)
    if not done.wait(params["timeout"]):
        got = max(len(arrivals) - 1, 0)
        return failure(f"{got} of {count} reconnects within {params['timeout']} s")
    if [a[0] for a in arrivals] != list(range(count + 1)):
        return failure(f"messages out of order: {[a[0] for a in arrivals]}")
    times = [later[2] - earlier[1] for earlier, later in itertools.pairwise(arrivals)]
    return latency_result(times, count, cpu[1] - cpu[0])


def threads_now() -> int:
    """OS threads of this process (websockets and others may start non-Python threads)."""
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return threading.active_count()


def rss_kib() -> int:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def idle(params: dict[str, Any], listen: Listen) -> dict[str, Any]:
    """RSS and threads that ``count`` open, idle clients add to the process."""
    count = params["count"]
    opened = threading.Semaphore(0)

    def on_data(data: str) -> None:
        if data == "hello":
            opened.release()

    # One client first, so that lazy imports and first-use caches are not counted.
    listen(params["url"], on_data, False)
    if not opened.acquire(timeout=params["timeout"]):
        return failure("the first client did not open")
    time.sleep(0.2)
    rss0, threads0 = rss_kib(), threads_now()
    for _ in range(count):
        listen(params["url"], on_data, False)
    for i in range(count):
        if not opened.acquire(timeout=params["timeout"]):
            return failure(f"only {i} of {count} clients opened")
    time.sleep(0.3)
    rss1, threads1 = rss_kib(), threads_now()
    return {
        "ok": True,
        "messages": count,
        "rss_per_client_kib": (rss1 - rss0) / count,
        "threads_per_client": (threads1 - threads0) / count,
        "peak_rss_kib": peak_rss_kib(),
    }
