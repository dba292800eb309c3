"""Runs the measurements: the server process, one fresh runner process per measurement.

Libraries are alternated within each repetition (A B C, A B C, ...) so that drift on a
shared machine hits all of them alike. The echo scenario pins the server to CPU 0 and
the runner to CPU 1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .scenarios import Scenario

ROOT = Path(__file__).resolve().parents[2]
#: The calibration "library": a raw socket reader (or writer) with no protocol work.
RAW = "raw socket"
RUN_TIMEOUT = 90.0
SERVER_CPU, CLIENT_CPU = 0, 1


@dataclass
class Run:
    """One measurement: a library on a scenario in repetition ``rep``."""

    scenario: str
    library: str
    rep: int
    result: dict[str, Any]


class Server:
    """A benchmark server in its own process; it exits when its stdin closes.

    ``module`` is ``scripts.benchmarks.server`` (every route) or ``.echo_server``
    (picows echoing, for the round trips); ``chain`` a PEM key and chain to serve TLS.
    """

    def __init__(self, module: str = "scripts.benchmarks.server", chain: str | None = None):
        tls = ["--tls", chain] if chain else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, *tls],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line.startswith("PORT "):
            self.close()
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        self.port = int(line.split()[1])

    @contextmanager
    def pinned(self, pin: bool) -> Iterator[bool]:
        """Pin the server to one CPU for the block, if asked and there are two CPUs."""
        cpus = os.sched_getaffinity(0)
        pin = pin and {SERVER_CPU, CLIENT_CPU} <= cpus
        if pin:
            os.sched_setaffinity(self.process.pid, {SERVER_CPU})
        try:
            yield pin
        finally:
            if pin:
                os.sched_setaffinity(self.process.pid, cpus)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


def measure(scenario: Scenario, library: str, options: dict[str, Any], pin: bool) -> dict:
    """Run one measurement in a fresh process and return its JSON result."""
    command = [
        sys.executable,
        "-m",
        "scripts.benchmarks.runners",
        scenario.protocol,
        library,
        scenario.mode,
        json.dumps(options),
    ]

    def pin_client() -> None:
        os.sched_setaffinity(0, {CLIENT_CPU})

    try:
        done = subprocess.run(
            command,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            preexec_fn=pin_client if pin else None,  # the harness has one thread
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"timed out after {RUN_TIMEOUT:.0f} s"}
    lines = done.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        tail = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        return {"ok": False, "error": f"runner crashed: {tail[0]}"}


def run_scenario(
    server: Server,
    scenario: Scenario,
    libraries: list[str],
    *,
    reps: int,
    count: int,
    skipped: dict[tuple[str, str], str],
    progress: Callable[[str], None],
    pin: bool,
) -> list[Run]:
    """All repetitions of one scenario, libraries alternated within each repetition.

    A calibrated scenario runs the raw socket reader first in each repetition.
    """
    runs: list[Run] = []
    with server.pinned(pin) as pinned:
        for rep in range(reps):
            for library in libraries:
                key = (scenario.protocol, library)
                if key in skipped:
                    result = {"ok": False, "skip": skipped[key]}
                else:
                    options = scenario.options(server.port, count, run=uuid.uuid4().hex)
                    result = measure(scenario, library, options, pinned)
                    if "skip" in result:
                        skipped[key] = result["skip"]
                runs.append(Run(scenario.id, library, rep, result))
                progress(f"{scenario.id} {rep + 1}/{reps} {library}: {brief(result)}")
    return runs


def brief(result: dict[str, Any]) -> str:
    """A few words on a result, for the progress lines."""
    if "skip" in result:
        return result["skip"]
    if not result.get("ok"):
        return f"FAIL {result.get('error')}"
    if "msg_per_s" in result and "p50" not in result:
        return f"{result['msg_per_s']:,.0f} msg/s"
    if "p50" in result:
        return f"p50 {result['p50'] * 1e3:.3f} ms, p99 {result['p99'] * 1e3:.3f} ms"
    return f"{result['rss_per_client_kib']:.0f} KiB, {result['threads_per_client']:.2f} threads"
