"""What every runner shares: the per-message check, timing windows and the JSON result.

A runner measures one library on one scenario in a fresh process. It times the window
from the first message to the last (connection set-up excluded), takes CPU from
``getrusage`` over the same window (all threads), and checks every message so that a
fast but wrong client cannot win.
"""

from __future__ import annotations

import json
import math
import os
import resource
import sys
import threading
import time
from typing import Any

from .. import payloads

#: Messages longer than this are compared in full, not only at both ends.
LARGE = 1024


def cpu_seconds() -> float:
    """User + system CPU of this process (all threads) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_kib() -> int:
    """Peak resident set size of this process (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Tally:
    """Counts and checks messages; times the window from the first to the last.

    Each message must be of the expected type and length and carry its sequence
    number at both ends; a large message must also match the expected bytes in
    between (a memory compare in place, cheap next to receiving it: a slice would copy
    each message, and that copy's page faults weighed on every library's figures).
    ``done`` is set at the last message.
    """

    __slots__ = ("bad", "cpu0", "cpu1", "done", "dtype", "first_bad", "length", "middle", "n",
                 "t0", "t1", "total", "wire_bytes")  # fmt: skip

    def __init__(self, total: int, sample: str | bytes, wire_bytes: int) -> None:
        self.total = total
        self.dtype = type(sample)
        self.length = len(sample)
        self.middle = sample[8:-8] if len(sample) > LARGE else None
        self.wire_bytes = wire_bytes
        self.n = 0
        self.bad = 0
        self.first_bad = ""
        self.t0 = self.t1 = self.cpu0 = self.cpu1 = 0.0
        self.done = threading.Event()

    def add(self, data: Any) -> None:
        """Check and count one message (called from the library's thread or loop)."""
        n = self.n
        if (
            type(data) is not self.dtype
            or len(data) != self.length
            or int(data[:8]) != n
            or int(data[-8:]) != n
            or (self.middle is not None and not data.startswith(self.middle, 8))
        ):
            self._bad(n, data)
        self.n = n = n + 1
        if n == 1:
            self.t0, self.cpu0 = time.perf_counter(), cpu_seconds()
        if n == self.total:
            self.t1, self.cpu1 = time.perf_counter(), cpu_seconds()
            self.done.set()

    def _bad(self, n: int, data: Any) -> None:
        self.bad += 1
        if not self.first_bad:
            got = f"{type(data).__name__} of length {len(data)}: {data[:20]!r}"
            self.first_bad = f"message {n}: expected {self.dtype.__name__} of {self.length}, {got}"

    def result(self) -> dict[str, Any]:
        """The figures of a finished run, or its failure."""
        if self.n != self.total or self.bad:
            error = self.first_bad or f"received {self.n} of {self.total} messages"
            return failure(error)
        seconds = self.t1 - self.t0
        counted = self.total - 1  # the window opens at the first message
        return {
            "ok": True,
            "messages": counted,
            "seconds": seconds,
            "msg_per_s": counted / seconds if seconds else None,
            "mb_per_s": counted * self.wire_bytes / seconds / 1e6 if seconds else None,
            "cpu_us_per_msg": (self.cpu1 - self.cpu0) / counted * 1e6,
            "peak_rss_kib": peak_rss_kib(),
        }


def sample_for(params: dict[str, Any]) -> tuple[str | bytes, int]:
    """The message 0 a stream scenario sends, as the library delivers it, and its wire size."""
    size = params["size"]
    if params["kind"] == "binary":
        return payloads.binary_payload(0, size), size
    if params["kind"] == "sse":
        return payloads.sse_data(0, size), size
    if params["kind"] == "json":
        return payloads.json_payload(0, size), size
    return payloads.text_payload(0, size, params["kind"] == "mbtext"), size


def make_tally(params: dict[str, Any]) -> Tally:
    sample, wire = sample_for(params)
    return Tally(params["count"], sample, wire)


def percentiles(values: list[float]) -> dict[str, float]:
    """p50 and p99 (nearest rank) of ``values``; inf marks samples past the deadline."""
    ordered = sorted(values)
    if not ordered:
        return {"p50": float("inf"), "p99": float("inf")}

    def rank(p: float) -> float:
        return ordered[max(0, math.ceil(p * len(ordered)) - 1)]

    return {"p50": rank(0.50), "p99": rank(0.99)}


def latency_result(samples: list[float], expected: int, cpu: float, seconds: float = 0.0) -> dict:
    """Latency figures (in seconds); missing samples count as past the deadline."""
    late = expected - len(samples)
    values = samples + [float("inf")] * late
    out: dict[str, Any] = {"ok": True, "messages": expected, "late": late, "peak_rss_kib": 0}
    out.update(percentiles(values))
    out["cpu_us_per_msg"] = cpu / expected * 1e6 if expected else None
    if seconds:
        out["msg_per_s"] = expected / seconds
    out["peak_rss_kib"] = peak_rss_kib()
    return out


def failure(error: str) -> dict[str, Any]:
    return {"ok": False, "error": error}


def not_importable(exc: BaseException) -> dict[str, Any]:
    return {"ok": False, "skip": f"n/a: not importable ({type(exc).__name__}: {exc})"}


def emit(result: dict[str, Any]) -> None:
    """Print the result as the last stdout line and leave at once.

    ``os._exit`` also ends a run whose client is stuck in a blocking read
    (a buffering client past its deadline) without waiting for its threads.
    """
    sys.stdout.write(json.dumps(result, allow_nan=True) + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def rate_result(count: int, seconds: float, cpu: float, wire_bytes: int) -> dict[str, Any]:
    """Throughput figures of ``count`` messages of ``wire_bytes`` in ``seconds``."""
    return {
        "ok": True,
        "messages": count,
        "seconds": seconds,
        "msg_per_s": count / seconds,
        "mb_per_s": count * wire_bytes / seconds / 1e6,
        "cpu_us_per_msg": cpu / count * 1e6,
        "peak_rss_kib": peak_rss_kib(),
    }


def with_last_id(result: dict[str, Any], last_id: str | None, total: int) -> dict[str, Any]:
    """Fail an SSE run whose last event ID is not the last event's id."""
    if result["ok"] and last_id != str(total - 1):
        return failure(f"last event id {last_id!r}, expected {str(total - 1)!r}")
    return result


def echo_payloads(params: dict[str, Any]) -> list[str]:
    """The messages of an echo or send run, built before the timed window."""
    return [payloads.text_payload(i, params["size"]) for i in range(params["count"])]


class CallbackEcho:
    """The echo loop for callback-style clients: each reply sends the next message.

    ``opened`` goes in ``on_open`` and ``received`` in ``on_message``; both take the
    client's send function, so the same loop drives every callback library alike.
    """

    def __init__(self, sent: list[str]) -> None:
        self.sent = sent
        self.samples: list[float] = []
        self.got: list[str] = []
        self.done = threading.Event()
        self._start = 0.0

    def opened(self, send: Any) -> None:
        self._start = time.perf_counter()
        send(self.sent[0])

    def received(self, data: str, send: Any) -> None:
        self.samples.append(time.perf_counter() - self._start)
        self.got.append(data)
        if len(self.got) == len(self.sent):
            self.done.set()
            return
        self._start = time.perf_counter()
        send(self.sent[len(self.got)])

    def result(self, cpu: float) -> dict[str, Any]:
        return echo_result(self.samples, self.sent, self.got, cpu)


def echo_result(samples: list[float], sent: list[str], got: list[str], cpu: float) -> dict:
    """Round-trip figures, or a failure if any echo differs from what was sent."""
    if got != sent:
        wrong = next(
            (i for i, (a, b) in enumerate(zip(sent, got, strict=False)) if a != b), len(got)
        )
        return failure(f"echo {wrong} differs (or missing): {len(got)} of {len(sent)} received")
    return latency_result(samples, len(sent), cpu, sum(samples))


class RoundTrips:
    """Echo throughput as picows' websocket-benchmark measures it: one binary message in
    flight, the next sent when the echo of the last is back, for ``count`` milliseconds.

    Every echo is compared with what was sent (a cycle of CYCLE distinct payloads).
    ``received`` returns False once the time is up.
    """

    CYCLE = 1024

    def __init__(self, params: dict[str, Any]) -> None:
        self.sent = [payloads.binary_payload(i, params["size"]) for i in range(self.CYCLE)]
        self.size = params["size"]
        self.seconds = params["count"] / 1000
        self.n = self.bad = 0
        self.t0 = self.t1 = self.cpu0 = self.cpu1 = self.deadline = 0.0
        self.done = threading.Event()

    def start(self) -> None:
        self.t0, self.cpu0 = time.perf_counter(), cpu_seconds()
        self.deadline = self.t0 + self.seconds

    def next(self) -> bytes:
        return self.sent[self.n % self.CYCLE]

    def received(self, data: Any) -> bool:
        """Check one echo; False when the run is over (``done`` is then set)."""
        if data != self.sent[self.n % self.CYCLE]:
            self.bad += 1
        self.n += 1
        now = time.perf_counter()
        if now < self.deadline:
            return True
        self.t1, self.cpu1 = now, cpu_seconds()
        self.done.set()
        return False

    def result(self) -> dict[str, Any]:
        if not self.done.is_set():
            return failure(f"{self.n} round trips, then no echo")
        if self.bad:
            return failure(f"{self.bad} of {self.n} echoes differ from what was sent")
        return rate_result(self.n, self.t1 - self.t0, self.cpu1 - self.cpu0, self.size)
