"""20,000 messages per second for 3 seconds: nothing lost, the window stays responsive.

Prints the measured figures (run with ``-s`` to see them):
event-loop lag from a 10 ms precise-timer probe, rows shown / filtered / evicted,
and the process's memory growth.
"""

from __future__ import annotations

import gc
import itertools
import threading
import time
from collections.abc import Iterator

import psutil
import pytest
from PySide6.QtCore import Qt, QTimer

from pushsdk_monitor.gc_policy import freeze_startup_objects
from pushsdk_monitor.models.filter_proxy import LogFilter
from pushsdk_monitor.tab import ConnectionTab
from tests.gui.fakes import FakeFactory, flood

RATE = 20_000
SECONDS = 3.0
CAPACITY = 50_000
PROBE_MS = 10
MB = 1024 * 1024


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)]


@pytest.fixture
def app_gc_policy() -> Iterator[None]:
    """The garbage-collector policy pushsdk-monitor runs with (see gc_policy)."""
    yield freeze_startup_objects()
    gc.unfreeze()


@pytest.mark.slow
@pytest.mark.serial
def test_flood_is_accounted_for_and_keeps_the_loop_responsive(
    qtbot, settings, app_gc_policy
) -> None:
    factory = FakeFactory()
    tab = ConnectionTab(settings, factory=factory, capacity=CAPACITY)
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    controller = tab.controller
    # Hide one message in ten (seq ending in 7), as "exclude heartbeats" would.
    controller.proxy.set_filter(LogFilter(text=r'7, "kind"', exclude=True))
    process = psutil.Process()
    rss_before = process.memory_info().rss

    tab.connect_to("ws://flood.test/")
    client = factory.last
    try:
        _measure_and_check(qtbot, controller, client, process, rss_before)
    finally:
        tab.shutdown()
        client.closed.wait(5)


def _measure_and_check(qtbot, controller, client, process, rss_before: int) -> None:
    qtbot.waitUntil(lambda: controller.model.rowCount() == 1)  # the open row
    ticks: list[float] = []
    probe = QTimer()
    probe.setTimerType(Qt.TimerType.PreciseTimer)
    probe.setInterval(PROBE_MS)
    probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
    done = threading.Event()
    sent: list[int] = []
    pauses: list[float] = []  # full (generation 2) garbage collections, in ms
    started: list[float] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if info["generation"] == 2:
            if phase == "start":
                started.append(time.perf_counter())
            elif started:
                pauses.append((time.perf_counter() - started.pop()) * 1000)

    gc.callbacks.append(on_gc)
    probe.start()
    client.do(lambda c: sent.append(flood(c, RATE, SECONDS, done)))
    try:
        qtbot.waitUntil(done.is_set, timeout=int(SECONDS * 1000) + 20_000)
        qtbot.wait(100)  # one more flush on the timer
    finally:
        probe.stop()
        gc.callbacks.remove(on_gc)
    controller.flush()
    rss_after = process.memory_info().rss

    emitted = sent[0]
    model, proxy = controller.model, controller.proxy
    shown = proxy.rowCount()
    filtered = model.rowCount() - shown
    lags = [(b - a) * 1000 - PROBE_MS for a, b in itertools.pairwise(ticks)]
    p50, p99, worst = percentile(lags, 0.5), percentile(lags, 0.99), max(lags)
    print(
        f"\nflood: {emitted:,} messages in {SECONDS} s; shown {shown:,}, filtered {filtered:,},"
        f" evicted {model.evicted:,}, dropped before the model {controller.dropped:,};"
        f" lag p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms over {len(lags)} ticks;"
        f" {len(pauses)} full GCs, longest {max(pauses, default=0):.1f} ms;"
        f" RSS +{(rss_after - rss_before) / MB:.1f} MiB"
    )

    assert emitted >= RATE * SECONDS * 0.95
    assert controller.counters.messages_in == emitted
    assert shown + filtered + model.evicted + controller.dropped == emitted + 1  # + the open row
    assert model.rowCount() == CAPACITY
    assert model.evicted > 0
    assert 0.08 < filtered / model.rowCount() < 0.12
    assert p99 < 50, f"event-loop lag p99 {p99:.1f} ms"
    # 50,000 small records cost ~25 MiB; the bound is on capacity, not on traffic.
    assert rss_after - rss_before < 150 * MB


@pytest.mark.slow
def test_the_flood_script_accounts_for_every_message(qapp, capsys) -> None:
    """scripts/flood, small: a real WebSocket from another process, nothing unaccounted."""
    from scripts.monitor_flood import main

    main(["--rate", "5000", "--seconds", "0.5", "--capacity", "1000"])
    out = capsys.readouterr().out
    accounting = next(line for line in out.splitlines() if "accounting:" in line)
    accounted, received = accounting.split(" = ")[1].split(" received")[0].split(" of ")
    assert accounted == received
    assert int(received.replace(",", "")) >= 2_000
    assert "us per message" in out
    # Its exit status also says whether lag p99 stayed under 50 ms: not asserted here,
    # where half a second on a shared CI machine is one hiccup from its 99th percentile.
    assert "unaccounted" not in out
