"""Memory of the monitor's log per 100,000 rows, by payload size (the capacity setting's cost).

``QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/monitor_memory.py``

Counts what Python allocates (tracemalloc) for 100,000 records appended to a
LogModel behind its filter proxy, as a tab holds them: records, their cell
strings and payloads, and the model's row list.
"""

from __future__ import annotations

import gc
import json
import time
import tracemalloc

from PySide6.QtCore import QCoreApplication

from pushsdk_monitor.models.filter_proxy import FilterProxy
from pushsdk_monitor.models.log_model import LogModel
from pushsdk_monitor.models.records import make_record

ROWS = 100_000
BATCH = 1_000  # one timer flush at 25,000 msg/s
MIB = 1024 * 1024


def payload(size: int, seq: int) -> str:
    """A JSON text message of about ``size`` bytes, as a market feed or a log stream sends."""
    head = json.dumps({"seq": seq, "kind": "tick", "px": 101.25, "pad": ""})
    return head[:-2] + "x" * max(size - len(head), 0) + '"}'


def measure(size: int) -> float:
    """MiB allocated for ROWS records of ``size``-byte payloads in a model."""
    model = LogModel(capacity=ROWS)
    proxy = FilterProxy(model)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    now = time.time()
    for start in range(0, ROWS, BATCH):
        model.append(
            [make_record(payload(size, s), timestamp=now) for s in range(start, start + BATCH)]
        )
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert proxy.rowCount() == ROWS
    return used / MIB


def main() -> None:
    QCoreApplication.instance() or QCoreApplication([])
    print(f"{'payload':>10}  {'MiB per 100,000 rows':>20}")
    for size in (50, 200, 1_000, 4_000):
        print(f"{size:>8} B  {measure(size):>20.1f}")


if __name__ == "__main__":
    main()
