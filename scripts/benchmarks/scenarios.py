"""The scenarios (a)-(o) of the benchmark issues: what each sends, who runs it, what counts.

The first library of each scenario is its baseline; ``metric`` is the figure ratios are
taken on (``higher`` says whether more is better).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

MIB = 2**20
WS_LIBS = ("websocket-client", "websocket-client-app", "websockets", "pushsdk")
#: The asyncio clients people pick for speed (issue 14), in (a)-(e) and the round trips.
#: "pushsdk-compiled" is pushsdk built with mypyc (setup.py), measured beside the pure one.
WS_PEERS = ("websocket-client", "websocket-client-app", "websockets", "aiohttp", "picows",
            "pushsdk", "pushsdk-compiled")  # fmt: skip
ROUNDTRIP_LIBS = ("picows", "websocket-client", "websockets", "aiohttp", "pushsdk",
                  "pushsdk-compiled")  # fmt: skip
SSE_LIBS = ("sseclient-py", "httpx-sse", "requests-sse", "ld-eventsource", "pushsdk")
#: The SSE throughput and latency scenarios (f, g, h) measure the compiled build too.
SSE_PEERS = (*SSE_LIBS, "pushsdk-compiled")
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
    #: Server on CPU 0, client on CPU 1. It steadies the echo ping-pong; on a shared machine
    #: it made the 20 ms latency and reconnect p99 worse (a pinned process cannot move to
    #: the idle CPU), so those scenarios are not pinned.
    pin: bool = False
    calibrate: bool = False  # a raw socket reader/writer checks the server's ceiling
    params: dict[str, Any] = field(default_factory=dict)
    tls: bool = False  # wss:// and https://, a trustme certificate made for the run
    #: "bench" (server.py, every route) or "echo" (picows' echo server, echo_server.py)
    server: str = "bench"

    @property
    def baseline(self) -> str:
        return self.libraries[0]

    def options(self, port: int, count: int, **extra: Any) -> dict[str, Any]:
        """The runner's parameters for one run against the server on ``port``."""
        scheme = ("ws" if self.protocol == "ws" else "http") + "s" * self.tls
        options = dict(self.params, count=count, timeout=30.0, **extra)
        query = "&".join(f"{k}={v}" for k, v in options.items() if k in QUERY_KEYS)
        options["url"] = f"{scheme}://127.0.0.1:{port}{self.path}?{query}"
        return options


QUERY_KEYS = ("kind", "size", "count", "mode", "interval", "run", "deflate")
#: Libraries that implement permessage-deflate (websocket-client never did).
DEFLATE_LIBS = ("websockets", "aiohttp", "pushsdk")


def _stream(id: str, title: str, protocol: str, n: int, quick: int, **params: Any) -> Scenario:
    return Scenario(
        id=id,
        title=title,
        protocol=protocol,
        mode="stream",
        path=f"/{protocol}/stream",
        libraries=WS_PEERS if protocol == "ws" else SSE_PEERS,
        count=n,
        quick_count=quick,
        calibrate=True,
        params=params,
    )


def _sse_stream(prefix: str, title: str, size: int, n: int, quick: int) -> list[Scenario]:
    return [
        _stream(
            f"{prefix}-{mode}",
            f"{title}, {mode}",
            "sse",
            n,
            quick,
            kind="sse",
            size=size,
            mode=mode,
            chunked=mode == "chunked",
        )
        for mode in ("chunked", "plain")
    ]


def _latency(mode: str) -> Scenario:
    return Scenario(
        id=f"h-sse-latency-{mode}",
        title=f"delivery latency, 1 event / 20 ms, {mode}",
        protocol="sse",
        mode="latency",
        path="/sse/latency",
        libraries=SSE_PEERS,
        count=100,
        quick_count=25,
        metric="p99",
        higher=False,
        params={"mode": mode, "interval": 0.02, "deadline": DEADLINE},
    )


def _reconnect(protocol: str, title: str, libraries: tuple[str, ...]) -> Scenario:
    return Scenario(
        id=f"i-{protocol}-reconnect",
        title=title,
        protocol=protocol,
        mode="reconnect",
        path=f"/{protocol}/drop",
        libraries=libraries,
        count=20,
        quick_count=5,
        metric="p50",
        higher=False,
    )


def _roundtrips(size: int, label: str, tls: bool) -> Scenario:
    return Scenario(
        id=f"o-ws-roundtrip{label}" + "-tls" * tls,
        title=f"echo round trips, {label} B binary, picows' echo server" + ", TLS" * tls,
        protocol="ws",
        mode="roundtrips",
        path="/",
        libraries=ROUNDTRIP_LIBS,
        count=2_000,  # milliseconds of round trips
        quick_count=1_000,
        pin=True,
        params={"size": size},
        tls=tls,
        server="echo",
    )


def _tls(scenario: Scenario) -> Scenario:
    """``scenario`` over TLS 1.3 (wss://, https://), the same server behind it."""
    return replace(scenario, id=f"{scenario.id}-tls", title=f"{scenario.title}, TLS", tls=True)


def _idle(protocol: str) -> Scenario:
    return Scenario(
        id=f"j-{protocol}-idle",
        title="idle cost of 100 open clients",
        protocol=protocol,
        mode="idle",
        path=f"/{protocol}/idle",
        libraries=WS_LIBS if protocol == "ws" else SSE_LIBS,
        count=100,
        quick_count=100,
        metric="rss_per_client_kib",
        higher=False,
    )


_PLAIN: list[Scenario] = [
    _stream("a-ws-text64", "64 B text messages received", "ws", 50_000, 10_000,
            kind="text", size=64),
    _stream("b-ws-binary64", "64 B binary messages received", "ws", 50_000, 10_000,
            kind="binary", size=64),
    _stream("c-ws-text1m", "1 MiB text messages (multi-byte) received", "ws", 6, 3,
            kind="mbtext", size=MIB),
    Scenario(
        id="d-ws-echo",
        title="echo round trip, 64 B",
        protocol="ws",
        mode="echo",
        path="/ws/echo",
        libraries=WS_PEERS,
        count=5_000,
        quick_count=1_000,
        metric="p50",
        higher=False,
        pin=True,
        calibrate=True,
        params={"size": 64},
    ),
    Scenario(
        id="e-ws-send64",
        title="64 B text messages sent",
        protocol="ws",
        mode="send",
        path="/ws/sink",
        libraries=WS_PEERS,
        count=50_000,
        quick_count=10_000,
        calibrate=True,
        params={"size": 64},
    ),
    *_sse_stream("f-sse-small", "64 B events with ids", 64, 100_000, 20_000),
    # 16 events: with 4, the first ones (heap growth, first-use caches) weighed on the rate.
    *_sse_stream("g-sse-1m", "1 MiB events over ~1,000 data lines", MIB, 16, 4),
    _latency("chunked"),
    _latency("plain"),
    _reconnect("ws", "reconnect: server drops TCP -> next message",
               ("websocket-client-app", "websockets", "pushsdk")),
    _reconnect("sse", "reconnect: server ends stream -> next event",
               ("requests-sse", "ld-eventsource", "pushsdk")),
    _idle("ws"),
    _idle("sse"),
    # Issue 13: permessage-deflate. The same ~200 B market-feed JSON without and with
    # compression (context takeover), and 64 KiB JSON documents compressed.
    replace(_stream("k-ws-json200", "200 B JSON feed received, uncompressed", "ws", 50_000,
                    10_000, kind="json", size=200), libraries=DEFLATE_LIBS),
    replace(_stream("l-ws-json200-deflate", "200 B JSON feed received, compressed", "ws",
                    50_000, 10_000, kind="json", size=200, deflate=1),
            libraries=DEFLATE_LIBS, calibrate=False),
    replace(_stream("m-ws-json64k-deflate", "64 KiB JSON documents received, compressed",
                    "ws", 500, 100, kind="json", size=65536, deflate=1),
            libraries=DEFLATE_LIBS, calibrate=False),
    replace(_idle("ws"), id="n-ws-idle-deflate",
            title="idle cost of 100 open clients, compression agreed",
            libraries=("websockets", "pushsdk"), params={"deflate": 1}),
    # Issue 14: the WebSocket and SSE scenarios every real deployment runs, over TLS, and
    # echo throughput as picows' websocket-benchmark measures it, against picows' server.
    *[_roundtrips(size, label, tls) for tls in (False, True)
      for size, label in ((256, "256"), (8192, "8k"))],
]  # fmt: skip
_TLS_IDS = ("a-ws-text64", "d-ws-echo", "e-ws-send64", "f-sse-small-chunked",
            "f-sse-small-plain", "h-sse-latency-chunked", "h-sse-latency-plain")  # fmt: skip
#: Every scenario, each TLS variant right after its plain one.
SCENARIOS: list[Scenario] = [
    variant
    for scenario in _PLAIN
    for variant in ((scenario, _tls(scenario)) if scenario.id in _TLS_IDS else (scenario,))
]
