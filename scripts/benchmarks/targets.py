"""pushsdk's performance targets from the WSClient (issue 3) and SSEClient (issue 4) issues.

Each is checked on the same run's figures: a ratio to a named peer (median of the
per-repetition ratios) or an absolute bound on pushsdk's medians.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

from .harness import Run
from .report import Summary, ratio_per_rep


@dataclass
class Check:
    label: str
    value: str
    target: str
    passed: bool | None  # None: not measured in this run


def _ratio(runs: list[Run], scenario: str, other: str, metric: str) -> float | None:
    ratios = ratio_per_rep(runs, scenario, "pushsdk", other, metric)
    return statistics.median(ratios) if ratios else None


def check(runs: list[Run], rows: dict[tuple[str, str], Summary]) -> list[Check]:
    """Every target of issues 3 and 4 that this run measured."""
    checks: list[Check] = []

    def vs(label: str, scenario: str, other: str, metric: str, ok: Callable[[float], bool],
           target: str) -> None:  # fmt: skip
        if (scenario, "pushsdk") not in rows:
            return
        value = _ratio(runs, scenario, other, metric)
        text = "-" if value is None else f"{value:.2f}x {other}"
        checks.append(Check(label, text, target, None if value is None else ok(value)))

    def absolute(label: str, scenario: str, metric: str, ok: Callable[[float], bool],
                 show: Callable[[float], str], target: str) -> None:  # fmt: skip
        row = rows.get((scenario, "pushsdk"))
        if row is None:
            return
        value = row.medians.get(metric)
        text = "-" if value is None else show(value)
        checks.append(Check(label, text, target, None if value is None else ok(value)))

    def faster(value: float) -> bool:
        return value > 1.0

    # Issue 3: WSClient, without wsaccel.
    vs("WS 64 B text received/s", "a-ws-text64", "websockets", "msg_per_s", faster, "> 1x")
    vs("WS 64 B binary received/s", "b-ws-binary64", "websockets", "msg_per_s", faster, "> 1x")
    vs("WS 1 MiB text MB/s", "c-ws-text1m", "websockets", "mb_per_s", faster, "> 1x")
    vs("WS echo p50", "d-ws-echo", "websocket-client", "p50", lambda v: v <= 1.1, "<= 1.1x")
    vs("WS 64 B sends/s", "e-ws-send64", "websocket-client", "msg_per_s", lambda v: v >= 1.0,
       ">= 1x")  # fmt: skip
    absolute("WS threads per idle client", "j-ws-idle", "threads_per_client",
             lambda v: v <= 1.0, lambda v: f"{v:.2f}", "1")  # fmt: skip
    absolute("WS RSS per idle client", "j-ws-idle", "rss_per_client_kib",
             lambda v: v < 2048, lambda v: f"{v:,.0f} KiB", "< 2 MiB")  # fmt: skip
    # Issue 4: SSEClient.
    for mode in ("chunked", "plain"):
        scenario = f"f-sse-small-{mode}"
        peers = [lib for (sid, lib) in rows if sid == scenario and lib != "pushsdk"]
        for peer in peers:
            vs(f"SSE small events/s, {mode}", scenario, peer, "msg_per_s", faster, "> 1x")
        vs(f"SSE small events/s, {mode} (aim)", scenario, "sseclient-py", "msg_per_s",
           lambda v: v >= 3.0, ">= 3x")  # fmt: skip
        vs(f"SSE 1 MiB events MB/s, {mode}", f"g-sse-1m-{mode}", "httpx-sse", "mb_per_s",
           lambda v: v >= 1.0, ">= 1x")  # fmt: skip
        absolute(f"SSE delivery latency p99, {mode}", f"h-sse-latency-{mode}", "p99",
                 lambda v: v < 1e-3, lambda v: f"{v * 1e3:.3f} ms", "< 1 ms")  # fmt: skip
    return checks


def render(checks: list[Check]) -> str:
    width = max((len(c.label) for c in checks), default=0)
    lines = []
    for c in checks:
        mark = {True: "PASS", False: "MISS", None: "n/a "}[c.passed]
        lines.append(f"  [{mark}] {c.label.ljust(width)}  {c.value:>22}  (target {c.target})")
    return "\n".join(lines)
