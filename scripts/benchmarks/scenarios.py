"""The scenarios (a)-(j) of the benchmark issue: what each sends, who runs it, what counts.

The first library of each scenario is its baseline; ``metric`` is the figure ratios are
taken on (``higher`` says whether more is better).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MIB = 2**20
WS_LIBS = ("websocket-client", "websocket-client-app", "websockets", "pushsdk")
SSE_LIBS = ("sseclient-py", "httpx-sse", "requests-sse", "ld-eventsource", "pushsdk")
#: Seconds an SSE latency event may take before it counts as late.
DEADLINE = 1.0


@dataclass(frozen=True)
class Scenario:
    """One row group of the table."""

    id: str
    title: str
    protocol: str  # "ws" or "sse"
    mode: str  # the runner function: stream, echo, send, latency, reconnect, idle
    path: str
    libraries: tuple[str, ...]
    count: int  # messages (or reconnects, or clients) per run
    quick_count: int
    metric: str = "msg_per_s"
    higher: bool = True
    pin: bool = False  # server on CPU 0, client on CPU 1
    calibrate: bool = False  # a raw socket reader/writer checks the server's ceiling
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def baseline(self) -> str:
        return self.libraries[0]

    def options(self, port: int, count: int, **extra: Any) -> dict[str, Any]:
        """The runner's parameters for one run against the server on ``port``."""
        scheme = "ws" if self.protocol == "ws" else "http"
        options = dict(self.params, count=count, timeout=30.0, **extra)
        query = "&".join(f"{k}={v}" for k, v in options.items() if k in QUERY_KEYS)
        options["url"] = f"{scheme}://127.0.0.1:{port}{self.path}?{query}"
        return options


QUERY_KEYS = ("kind", "size", "count", "mode", "interval", "run")


def _ws_stream(letter: str, name: str, title: str, kind: str, size: int, n: int, q: int):
    return Scenario(
        f"{letter}-ws-{name}", title, "ws", "stream", "/ws/stream", WS_LIBS, n, q,
        calibrate=True, params={"kind": kind, "size": size},
    )  # fmt: skip


def _sse_stream(letter: str, name: str, title: str, size: int, n: int, q: int) -> list:
    return [
        Scenario(
            f"{letter}-sse-{name}-{mode}", f"{title}, {mode}", "sse", "stream", "/sse/stream",
            SSE_LIBS, n, q, calibrate=True,
            params={"kind": "sse", "size": size, "mode": mode, "chunked": mode == "chunked"},
        )  # fmt: skip
        for mode in ("chunked", "plain")
    ]


SCENARIOS: list[Scenario] = [
    _ws_stream("a", "text64", "64 B text messages received", "text", 64, 50_000, 10_000),
    _ws_stream("b", "binary64", "64 B binary messages received", "binary", 64, 50_000, 10_000),
    _ws_stream("c", "text1m", "1 MiB text messages (multi-byte) received", "mbtext", MIB, 6, 3),
    Scenario(
        "d-ws-echo", "echo round trip, 64 B", "ws", "echo", "/ws/echo", WS_LIBS, 5_000, 1_000,
        metric="p50", higher=False, pin=True, calibrate=True, params={"size": 64},
    ),  # fmt: skip
    Scenario(
        "e-ws-send64", "64 B text messages sent", "ws", "send", "/ws/sink", WS_LIBS, 50_000,
        10_000, calibrate=True, params={"size": 64},
    ),  # fmt: skip
    *_sse_stream("f", "small", "64 B events with ids", 64, 100_000, 20_000),
    *_sse_stream("g", "1m", "1 MiB events over ~1,000 data lines", MIB, 4, 2),
    *[
        Scenario(
            f"h-sse-latency-{mode}", f"delivery latency, 1 event / 20 ms, {mode}", "sse",
            "latency", "/sse/latency", SSE_LIBS, 60, 25, metric="p99", higher=False, pin=True,
            params={"mode": mode, "interval": 0.02, "deadline": DEADLINE},
        )  # fmt: skip
        for mode in ("chunked", "plain")
    ],
    Scenario(
        "i-ws-reconnect", "reconnect: server drops TCP -> next message", "ws", "reconnect",
        "/ws/drop", ("websocket-client-app", "websockets", "pushsdk"), 20, 5, metric="p50",
        higher=False, pin=True,
    ),  # fmt: skip
    Scenario(
        "i-sse-reconnect", "reconnect: server ends stream -> next event", "sse", "reconnect",
        "/sse/drop", ("requests-sse", "ld-eventsource", "pushsdk"), 20, 5, metric="p50",
        higher=False, pin=True,
    ),  # fmt: skip
    Scenario(
        "j-ws-idle", "idle cost of 100 open clients", "ws", "idle", "/ws/idle", WS_LIBS, 100,
        100, metric="rss_per_client_kib", higher=False,
    ),  # fmt: skip
    Scenario(
        "j-sse-idle", "idle cost of 100 open clients", "sse", "idle", "/sse/idle", SSE_LIBS,
        100, 100, metric="rss_per_client_kib", higher=False,
    ),  # fmt: skip
]
