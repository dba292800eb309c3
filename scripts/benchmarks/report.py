"""Turns runs into the table: medians per library, per-repetition ratios, target checks."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .harness import RAW, Run
from .scenarios import DEADLINE, Scenario

FIGURES = ("msg_per_s", "mb_per_s", "p50", "p99", "cpu_us_per_msg", "peak_rss_kib",
           "rss_per_client_kib", "threads_per_client", "late")  # fmt: skip
METRIC_NAMES = {"msg_per_s": "msg/s", "mb_per_s": "MB/s", "p50": "p50", "p99": "p99",
                "rss_per_client_kib": "RSS per client"}  # fmt: skip


@dataclass
class Summary:
    """One row: a library's medians on a scenario, or why it has none."""

    scenario: Scenario
    library: str
    status: str  # "ok", "FAIL" or "n/a"
    note: str = ""
    medians: dict[str, float] = field(default_factory=dict)
    ratios: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        return statistics.median(self.ratios) if self.ratios else None


def by_rep(runs: Iterable[Run], scenario: str, library: str) -> dict[int, dict[str, Any]]:
    return {r.rep: r.result for r in runs if r.scenario == scenario and r.library == library}


def ratio_per_rep(runs: list[Run], scenario: str, library: str, other: str, metric: str):
    """``library``'s metric over ``other``'s, repetition by repetition (both must pass)."""
    mine, theirs = by_rep(runs, scenario, library), by_rep(runs, scenario, other)
    ratios = []
    for rep, result in sorted(mine.items()):
        base = theirs.get(rep)
        if result.get("ok") and base and base.get("ok") and base.get(metric):
            ratios.append(result[metric] / base[metric])
    return ratios


def summarize(scenario: Scenario, libraries: list[str], runs: list[Run]) -> list[Summary]:
    rows = []
    for library in libraries:
        results = list(by_rep(runs, scenario.id, library).values())
        skip = next((r["skip"] for r in results if "skip" in r), None)
        failed = next((r for r in results if not r.get("ok") and "skip" not in r), None)
        if skip:
            rows.append(Summary(scenario, library, "n/a", skip))
        elif failed or not results:
            error = failed["error"] if failed else "no runs"
            rows.append(Summary(scenario, library, "FAIL", f"verification failed: {error}"))
        else:
            medians = {
                key: statistics.median(r[key] for r in results)
                for key in FIGURES
                if all(r.get(key) is not None for r in results)
            }
            ratios = ratio_per_rep(runs, scenario.id, library, scenario.baseline, scenario.metric)
            rows.append(Summary(scenario, library, "ok", note_for(medians), medians, ratios))
    return rows


def note_for(medians: dict[str, float]) -> str:
    if "threads_per_client" in medians:
        rss, threads = medians["rss_per_client_kib"], medians["threads_per_client"]
        return f"{rss:,.0f} KiB and {threads:.2f} threads per client"
    if medians.get("late"):
        return f"{medians['late']:.0f} events later than {DEADLINE:g} s (median run)"
    return ""


def rate(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 1e6:
        return f"{value / 1e6:.2f}M"
    return f"{value / 1e3:.1f}k" if value >= 1e4 else f"{value:,.0f}"


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if math.isinf(value):
        return f">{DEADLINE:g} s"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    return f"{value * 1e3:.2f} ms" if value < 1 else f"{value:.2f} s"


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
    return text + unit


def ratio_text(row: Summary) -> str:
    if row.library == row.scenario.baseline:
        return "baseline"
    if row.library == RAW:
        return "calibration"
    if row.ratio is None:
        return "-"
    reps = " ".join("inf" if math.isinf(r) else f"{r:.2f}" for r in row.ratios)
    head = "inf" if math.isinf(row.ratio) else f"{row.ratio:.2f}x"
    return f"{head} ({reps})"


HEADER = ("library", "msg/s", "MB/s", "p50", "p99", "CPU µs/msg", "peak RSS", "ratio", "notes")


def table(groups: list[list[Summary]]) -> str:
    """The scenario x library table as aligned text."""
    lines: list[str] = []
    body: list[tuple[str, ...] | str] = []
    for rows in groups:
        scenario = rows[0].scenario
        better = "higher" if scenario.higher else "lower"
        body.append(
            f"{scenario.id}: {scenario.title}  [ratio: {METRIC_NAMES[scenario.metric]} / "
            f"{scenario.baseline}'s, {better} is better]"
        )
        for row in rows:
            m = row.medians
            if row.status != "ok":
                body.append((row.library, *["-"] * 6, row.status, row.note))
                continue
            rss = m.get("peak_rss_kib")
            body.append((
                row.library, rate(m.get("msg_per_s")), number(m.get("mb_per_s")),
                seconds(m.get("p50")), seconds(m.get("p99")), number(m.get("cpu_us_per_msg")),
                f"{rss / 1024:.1f} MiB" if rss else "-", ratio_text(row), row.note,
            ))  # fmt: skip
    cells = [HEADER] + [r for r in body if isinstance(r, tuple)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADER) - 1)]

    def fmt(cols: tuple[str, ...]) -> str:
        left = cols[0].ljust(widths[0])
        mid = "  ".join(c.rjust(w) for c, w in zip(cols[1:-2], widths[1:-1], strict=True))
        return f"  {left}  {mid}  {cols[-2].ljust(widths[-1])}  {cols[-1]}".rstrip()

    lines.append(fmt(HEADER))
    for row in body:
        lines.append(fmt(row) if isinstance(row, tuple) else row)
    return "\n".join(lines)
