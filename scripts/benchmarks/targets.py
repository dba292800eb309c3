"""pushsdk's performance targets from issues 3 (WSClient), 4 (SSE), 13 (deflate) and 14 (speed).

Each is checked on the same run's figures: a ratio to a named peer (median of the
per-repetition ratios) or an absolute bound on pushsdk's medians.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

from .harness import RAW, Run
from .report import Summary, ratio_per_rep


@dataclass
class Check:
    label: str
    value: str
    target: str
    passed: bool | None  # None: not measured in this run


@dataclass(frozen=True)
class Rule:
    test: Callable[[float], bool]
    text: str


ABOVE_1 = Rule(lambda v: v > 1.0, "> 1x")
AT_LEAST_1 = Rule(lambda v: v >= 1.0, ">= 1x")


def check(runs: list[Run], rows: dict[tuple[str, str], Summary]) -> list[Check]:
    """Every target of issues 3, 4 and 13 that this run measured."""
    checks: list[Check] = []

    def vs(label: str, scenario: str, other: str, metric: str, rule: Rule) -> None:
        if (scenario, "pushsdk") not in rows or (scenario, other) not in rows:
            return
        ratios = ratio_per_rep(runs, scenario, "pushsdk", other, metric)
        value = statistics.median(ratios) if ratios else None
        text = "-" if value is None else f"{value:.2f}x {other}"
        checks.append(Check(label, text, rule.text, None if value is None else rule.test(value)))

    def absolute(label: str, scenario: str, metric: str, rule: Rule, unit: float) -> None:
        row = rows.get((scenario, "pushsdk"))
        if row is None:
            return
        value = row.medians.get(metric)
        text = "-" if value is None else f"{value * unit:,.3g}"
        checks.append(Check(label, text, rule.text, None if value is None else rule.test(value)))

    # Issue 3: WSClient, without wsaccel.
    vs("WS 64 B text received/s", "a-ws-text64", "websockets", "msg_per_s", ABOVE_1)
    vs("WS 64 B binary received/s", "b-ws-binary64", "websockets", "msg_per_s", ABOVE_1)
    vs("WS 1 MiB text MB/s", "c-ws-text1m", "websockets", "mb_per_s", ABOVE_1)
    vs("WS echo p50", "d-ws-echo", "websocket-client", "p50", Rule(lambda v: v <= 1.1, "<= 1.1x"))
    vs("WS 64 B sends/s", "e-ws-send64", "websocket-client", "msg_per_s", AT_LEAST_1)
    absolute("WS threads per idle client", "j-ws-idle", "threads_per_client",
             Rule(lambda v: v <= 1.0, "1"), 1)  # fmt: skip
    absolute("WS RSS per idle client, KiB", "j-ws-idle", "rss_per_client_kib",
             Rule(lambda v: v < 2048, "< 2 MiB"), 1)  # fmt: skip
    # Issue 4: SSEClient.
    for mode in ("chunked", "plain"):
        scenario = f"f-sse-small-{mode}"
        for peer in ("sseclient-py", "httpx-sse", "requests-sse", "ld-eventsource"):
            vs(f"SSE small events/s, {mode}", scenario, peer, "msg_per_s", ABOVE_1)
        vs(f"SSE small events/s, {mode} (aim)", scenario, "sseclient-py", "msg_per_s",
           Rule(lambda v: v >= 3.0, ">= 3x"))  # fmt: skip
        vs(f"SSE 1 MiB events MB/s, {mode}", f"g-sse-1m-{mode}", "httpx-sse", "mb_per_s",
           AT_LEAST_1)  # fmt: skip
        absolute(f"SSE delivery latency p99 ms, {mode}", f"h-sse-latency-{mode}", "p99",
                 Rule(lambda v: v < 1e-3, "< 1 ms"), 1e3)  # fmt: skip
    # Issue 13: permessage-deflate, every library with compression on.
    for peer in ("websockets", "aiohttp"):
        vs("WS 200 B JSON compressed received/s", "l-ws-json200-deflate", peer, "msg_per_s",
           ABOVE_1)  # fmt: skip
        vs("WS 64 KiB JSON compressed received/s", "m-ws-json64k-deflate", peer, "msg_per_s",
           ABOVE_1)  # fmt: skip
    absolute("WS RSS per idle client, compressed, KiB", "n-ws-idle-deflate",
             "rss_per_client_kib", Rule(lambda v: v < 2048, "< 2 MiB"), 1)  # fmt: skip
    idle, idle_deflate = (
        rows.get(("j-ws-idle", "pushsdk")),
        rows.get(("n-ws-idle-deflate", "pushsdk")),
    )
    if idle is not None and idle_deflate is not None:
        extra = idle_deflate.medians["rss_per_client_kib"] - idle.medians["rss_per_client_kib"]
        checks.append(Check("WS compression's RSS per idle client, KiB", f"{extra:,.1f}",
                            "< 64", extra < 64))  # fmt: skip
    plain, packed = (
        rows.get(("k-ws-json200", "pushsdk")),
        rows.get(("l-ws-json200-deflate", "pushsdk")),
    )
    if plain is not None and packed is not None:
        base, value = plain.medians.get("msg_per_s"), packed.medians.get("msg_per_s")
        ratio = value / base if base and value else None
        checks.append(Check(
            "WS 200 B JSON compressed vs uncompressed",
            "-" if ratio is None else f"{ratio:.2f}x own uncompressed",
            ">= 0.5x",
            None if ratio is None else ratio >= 0.5,
        ))  # fmt: skip
    issue_14(runs, rows, checks)
    return checks


#: Issue 14: every WebSocket scenario, plain and TLS, ahead of every peer.
SPEED_CROWN = ("a-ws-text64", "a-ws-text64-tls", "b-ws-binary64", "c-ws-text1m", "d-ws-echo",
               "d-ws-echo-tls", "e-ws-send64", "e-ws-send64-tls", "o-ws-roundtrip256",
               "o-ws-roundtrip8k", "o-ws-roundtrip256-tls", "o-ws-roundtrip8k-tls")  # fmt: skip


#: Both builds of pushsdk: neither counts as the other's peer.
OURS = ("pushsdk", "pushsdk-compiled")


def issue_14(runs: list[Run], rows: dict[tuple[str, str], Summary], checks: list[Check]) -> None:
    """Each build of pushsdk against its strongest peer per scenario (the worst median ratio)."""

    def strongest(scenario: str, ours: str, metric: str, higher: bool) -> tuple[str, float] | None:
        peers = [lib for sid, lib in rows if sid == scenario and lib not in (*OURS, RAW)]
        medians = {}
        for peer in peers:
            ratios = ratio_per_rep(runs, scenario, ours, peer, metric)
            if ratios:
                medians[peer] = statistics.median(ratios)
        if (scenario, ours) not in rows or not medians:
            return None
        peer = (min if higher else max)(medians, key=lambda p: medians[p])
        return peer, medians[peer]

    def crown(label: str, scenario: str, metric: str, higher: bool, rule: Rule) -> None:
        for ours in OURS:
            found = strongest(scenario, ours, metric, higher)
            if found is not None:
                peer, value = found
                name = label if ours == "pushsdk" else f"{label} (compiled)"
                checks.append(Check(name, f"{value:.2f}x {peer}", rule.text, rule.test(value)))

    ahead, no_slower = (
        Rule(lambda v: v > 1.0, "> 1x every peer"),
        Rule(lambda v: v < 1.0, "< 1x every peer"),
    )
    for scenario in SPEED_CROWN:
        if any(sid == scenario for sid, _ in rows):
            p50 = scenario.startswith("d-")
            metric = "p50" if p50 else "mb_per_s" if scenario.startswith("c-") else "msg_per_s"
            crown(f"{scenario} {metric}", scenario, metric, not p50, no_slower if p50 else ahead)
    at_least = Rule(lambda v: v >= 1.5, ">= 1.5x every peer")
    for scenario in ("f-sse-small-chunked", "f-sse-small-plain", "f-sse-small-chunked-tls",
                     "f-sse-small-plain-tls", "g-sse-1m-chunked", "g-sse-1m-plain"):  # fmt: skip
        metric = "mb_per_s" if scenario.startswith("g-") else "msg_per_s"
        crown(f"{scenario} {metric}", scenario, metric, True, at_least)
    for scenario in ("h-sse-latency-chunked", "h-sse-latency-plain",
                     "h-sse-latency-chunked-tls", "h-sse-latency-plain-tls"):  # fmt: skip
        crown(f"{scenario} p50", scenario, "p50", False,
              Rule(lambda v: v <= 1.0, "<= 1x every peer"))  # fmt: skip
        row = rows.get((scenario, "pushsdk"))
        if row is not None and row.medians.get("p99") is not None:
            p99 = row.medians["p99"]
            checks.append(Check(f"{scenario} p99 ms", f"{p99 * 1e3:.3f}", "< 1 ms", p99 < 1e-3))
    crown("j-ws-idle RSS per client", "j-ws-idle", "rss_per_client_kib", False,
          Rule(lambda v: v <= 1.0, "<= 1x every peer"))  # fmt: skip


def render(checks: list[Check]) -> str:
    width = max((len(c.label) for c in checks), default=0)
    lines = []
    for c in checks:
        mark = {True: "PASS", False: "MISS", None: "n/a "}[c.passed]
        lines.append(f"  [{mark}] {c.label.ljust(width)}  {c.value:>22}  (target {c.target})")
    return "\n".join(lines)
