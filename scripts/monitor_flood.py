"""The monitor under a sustained flood, through a real WebSocket (``scripts/flood``).

A raw WebSocket server in a child process sends ``--rate`` small JSON text
messages a second for ``--seconds`` to one monitor tab (the real pushsdk
WSClient, a filter hiding one message in ten, the window shown). The server runs
in its own process so the CPU figure is the monitor's alone. It paces itself
with the clock; if the monitor reads too slowly, TCP pushes back and the server
falls behind, so the achieved rate is reported, not assumed.

Reported, and checked: every message is accounted for (shown + filtered +
evicted + dropped = received), event-loop lag p99 (a 10 ms precise-timer probe)
under 50 ms, memory bounded by the log's capacity (RSS flat once the log is
full); and CPU time per message.
"""

from __future__ import annotations

import argparse
import base64
import gc
import hashlib
import itertools
import multiprocessing
import os
import re
import socket
import sys
import time
from multiprocessing.queues import Queue

import psutil
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication

from pushsdk_monitor.app import FREEZE_INTERVAL_MS
from pushsdk_monitor.gc_policy import SurvivorFreezer, freeze_startup_objects
from pushsdk_monitor.models.filter_proxy import LogFilter
from pushsdk_monitor.settings import MonitorSettings

PROBE_MS = 10
LAG_P99_MS = 50.0
MIB = 1024 * 1024
_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _frame(seq: int) -> bytes:
    payload = b'{"seq": %d, "kind": "tick"}' % seq
    return bytes((0x81, len(payload))) + payload


def serve(ports: Queue[int], results: Queue[int], rate: int, seconds: float) -> None:
    """Child process: accept one WebSocket client and send it ``rate`` messages a second."""
    listener = socket.create_server(("127.0.0.1", 0))
    ports.put(listener.getsockname()[1])
    sock, _ = listener.accept()
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(4096)
    found = re.search(rb"sec-websocket-key:\s*(\S+)", head, re.IGNORECASE)
    assert found is not None
    accept = base64.b64encode(hashlib.sha1(found.group(1) + _GUID).digest())
    sock.sendall(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
    )
    sent = 0
    start = time.perf_counter()
    while (now := time.perf_counter()) < start + seconds:
        due = int((now - start) * rate)
        if due > sent:
            sock.sendall(b"".join(_frame(seq) for seq in range(sent, due)))
            sent = due
        time.sleep(0.001)
    results.put(sent)
    sock.settimeout(120)
    while sock.recv(65536):  # until the monitor closes
        pass
    sock.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/flood", description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=int, default=50_000, help="messages per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--capacity", type=int, default=100_000, help="rows the log keeps")
    args = parser.parse_args(argv)

    from pushsdk_monitor.tab import ConnectionTab

    _app = QApplication.instance() or QApplication(sys.argv[:1])  # alive until the end
    context = multiprocessing.get_context("spawn")
    ports: Queue[int] = context.Queue()
    results: Queue[int] = context.Queue()
    server = context.Process(target=serve, args=(ports, results, args.rate, args.seconds))
    server.start()
    port = ports.get(timeout=30)

    import tempfile

    from PySide6.QtCore import QSettings

    folder = tempfile.mkdtemp()
    settings = MonitorSettings(QSettings(f"{folder}/monitor.ini", QSettings.Format.IniFormat))
    tab = ConnectionTab(settings, capacity=args.capacity)
    tab.resize(1280, 800)
    tab.show()
    controller = tab.controller
    controller.proxy.set_filter(LogFilter(text=r'7, "kind"', exclude=True))  # 1 in 10 hidden
    freeze_startup_objects()  # the collector policy pushsdk-monitor runs with (app.py)
    freezer = SurvivorFreezer()
    collector = QTimer()
    collector.setInterval(FREEZE_INTERVAL_MS)
    collector.timeout.connect(freezer.tick)
    collector.start()
    process = psutil.Process()
    rss_start = process.memory_info().rss

    ticks: list[float] = []
    probe = QTimer()
    probe.setTimerType(Qt.TimerType.PreciseTimer)
    probe.setInterval(PROBE_MS)
    probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
    rss: list[tuple[float, int]] = []
    sampler = QTimer()
    sampler.setInterval(1000)
    started = time.perf_counter()
    sampler.timeout.connect(
        lambda: rss.append((time.perf_counter() - started, process.memory_info().rss))
    )
    pauses: list[float] = []  # full (generation 2) garbage collections, in ms
    gc_started: list[float] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if info["generation"] == 2:
            if phase == "start":
                gc_started.append(time.perf_counter())
            elif gc_started:
                pauses.append((time.perf_counter() - gc_started.pop()) * 1000)

    gc.callbacks.append(on_gc)
    tab.connect_to(f"ws://127.0.0.1:{port}/flood")
    cpu_start = process.cpu_times()
    probe.start()
    sampler.start()

    sent: list[int] = []
    deadline = time.monotonic() + args.seconds + 120

    def check_done() -> None:
        """Stop once the server has sent everything and the monitor has counted it all."""
        if not sent and not results.empty():
            sent.append(results.get())
        if (sent and controller.counters.messages_in >= sent[0]) or time.monotonic() > deadline:
            loop.quit()

    loop = QEventLoop()  # not app.exec(): a test may run this inside its own application
    watcher = QTimer()
    watcher.setInterval(100)
    watcher.timeout.connect(check_done)
    watcher.start()
    loop.exec()
    watcher.stop()
    collector.stop()
    probe.stop()
    sampler.stop()
    gc.callbacks.remove(on_gc)
    elapsed = time.perf_counter() - started
    cpu_end = process.cpu_times()
    controller.flush()
    received = sent[0] if sent else 0

    model, proxy = controller.model, controller.proxy
    shown = proxy.rowCount()
    filtered = model.rowCount() - shown
    system = 1  # the open row (a reconnect would add more: checked below)
    lags = [(b - a) * 1000 - PROBE_MS for a, b in itertools.pairwise(ticks)]
    p50, p99, worst = percentile(lags, 0.5), percentile(lags, 0.99), max(lags)
    cpu = (cpu_end.user - cpu_start.user) + (cpu_end.system - cpu_start.system)
    accounted = shown + filtered + model.evicted + controller.dropped - system
    full_at = next((t for t, _ in rss if t > 2 * args.capacity / max(args.rate, 1)), None)
    after_full = [m for t, m in rss if full_at is not None and t >= full_at]
    print(
        f"flood: {received:,} messages in {args.seconds:.0f} s sent"
        f" ({received / args.seconds:,.0f} msg/s achieved of {args.rate:,});"
        f" all shown in the log {elapsed:.1f} s after the start\n"
        f"  accounting: shown {shown:,} + filtered {filtered:,} + evicted {model.evicted:,}"
        f" + dropped {controller.dropped:,} = {accounted:,} of {received:,} received"
        f" (+{system} connection rows)\n"
        f"  event-loop lag: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms"
        f" over {len(lags):,} probe ticks; {len(pauses)} full GCs,"
        f" longest {max(pauses, default=0):.0f} ms\n"
        f"  memory: RSS {rss_start / MIB:.0f} MiB at start, "
        + (
            f"{min(after_full) / MIB:.0f}-{max(after_full) / MIB:.0f} MiB once the log was full"
            f" ({args.capacity:,} rows)"
            if after_full
            else "no sample after the log filled"
        )
        + f"\n  CPU: {cpu:.1f} s of the monitor process for {received:,} messages"
        f" = {cpu / max(received, 1) * 1e6:.1f} us per message"
        f" ({cpu / elapsed * 100:.0f}% of one core); load average {os.getloadavg()[0]:.1f}"
        f" on {os.cpu_count()} CPUs"
    )
    tab.shutdown()
    server.join(10)
    if server.is_alive():
        server.terminate()
    failures = []
    if controller.counters.reconnects:
        failures.append("the connection dropped during the flood")
    if accounted != received:
        failures.append(f"unaccounted: {received - accounted:,}")
    if p99 >= LAG_P99_MS:
        failures.append(f"lag p99 {p99:.1f} ms >= {LAG_P99_MS} ms")
    if after_full and max(after_full) - min(after_full) > 150 * MIB:
        failures.append("memory kept growing after the log was full")
    for failure in failures:
        print(f"FAIL: {failure}")
    gc.unfreeze()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
