"""pushsdk against the peer libraries, side by side: ``python -m scripts.benchmarks``.

``scripts/bench [--quick] [--only PATTERN] [--json PATH]``; see BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import compiled, harness, report, targets
from .scenarios import SCENARIOS, Scenario

DISTRIBUTIONS = ("pushsdk", "websocket-client", "websockets", "aiohttp", "picows", "requests",
                 "sseclient-py", "httpx", "httpx-sse", "requests-sse",
                 "launchdarkly-eventsource")  # fmt: skip
#: Where each library finds the test CA: the ssl module's default paths, requests (and
#: so sseclient-py and requests-sse), websocket-client.
CA_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "WEBSOCKET_CLIENT_CA_BUNDLE")
MAKE_CERTS = """import sys, trustme
ca = trustme.CA()
ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(sys.argv[1])
ca.cert_pem.write_to_path(sys.argv[2])
"""


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer messages, 2 repetitions")
    parser.add_argument("--only", metavar="PATTERN", help="regex on scenario ids and libraries")
    parser.add_argument("--json", metavar="PATH", help="write the raw figures here")
    parser.add_argument("--reps", type=int, help="repetitions (default 3, quick 2)")
    parser.add_argument("--count", type=int, help="messages per run (overrides scenarios)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin CPUs for latency")
    args = parser.parse_args(argv)
    if args.reps is None:
        args.reps = 2 if args.quick else 3
    return args


def select(pattern: str | None) -> list[tuple[Scenario, list[str]]]:
    """Scenarios and libraries matching ``pattern``; a scenario keeps its baseline."""
    chosen = []
    for scenario in SCENARIOS:
        libraries = list(scenario.libraries)
        calibration = [harness.RAW] if scenario.calibrate else []
        if pattern and not re.search(pattern, scenario.id, re.IGNORECASE):
            libraries = [lib for lib in libraries if re.search(pattern, lib, re.IGNORECASE)]
            if libraries and scenario.baseline not in libraries:
                libraries.insert(0, scenario.baseline)
        if libraries:
            chosen.append((scenario, calibration + libraries))
    return chosen


def environment() -> dict[str, Any]:
    versions = {}
    for name in DISTRIBUTIONS:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "scripts/bench " + " ".join(sys.argv[1:]),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} CPUs",
        "load_average": os.getloadavg(),
        "versions": versions,
        "wsaccel": importlib.util.find_spec("wsaccel") is not None,
    }


def header(env: dict[str, Any]) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in env["versions"].items())
    accel = (
        "WARNING: wsaccel IS installed; websocket-client figures are not those of a plain install"
        if env["wsaccel"]
        else "wsaccel: not installed (websocket-client checks UTF-8 in pure Python, as after "
        "a plain `pip install websocket-client`)"
    )
    load = " ".join(f"{x:.2f}" for x in env["load_average"])
    return (
        f"{env['date']}  {env['command']}\nPython {env['python']}, {env['machine']}, "
        f"load average {load}\n{versions}\n{accel}"
    )


def count_for(scenario: Scenario, args: argparse.Namespace) -> int:
    if args.count:
        return args.count
    return scenario.quick_count if args.quick else scenario.count


def calibration_line(rows: list[report.Summary]) -> str | None:
    """How far the raw socket reader outruns the fastest client on one scenario."""
    raw = next((r for r in rows if r.library == harness.RAW), None)
    if raw is None:
        return None
    scenario = raw.scenario
    if raw.status != "ok":
        return f"  {scenario.id}: {raw.status} {raw.note}"
    if scenario.metric == "p50":
        floor = report.seconds(raw.medians["p50"])
        return f"  {scenario.id}: round trip p50 {floor} (the server + loopback floor)"
    clients = [r.medians.get("msg_per_s") or 0 for r in rows if r is not raw]
    text = f"  {scenario.id}: {report.rate(raw.medians['msg_per_s'])} msg/s"
    if clients and max(clients):
        text += f", {raw.medians['msg_per_s'] / max(clients):.0f}x the fastest client"
    return text


class Servers:
    """The servers a run needs, started on first use and stopped with ``stack``.

    The first TLS scenario makes a trustme CA and a certificate for 127.0.0.1, and
    points every library at the CA through CA_VARIABLES (the runners inherit them).
    """

    MODULES = {"bench": "scripts.benchmarks.server", "echo": "scripts.benchmarks.echo_server"}

    def __init__(self, stack: ExitStack) -> None:
        self.stack = stack
        self.started: dict[tuple[str, bool], harness.Server] = {}
        self.chain: str | None = None

    def get(self, scenario: Scenario) -> harness.Server:
        key = (scenario.server, scenario.tls)
        if key not in self.started:
            chain = self.certificate() if scenario.tls else None
            server = harness.Server(self.MODULES[scenario.server], chain)
            self.stack.callback(server.close)
            self.started[key] = server
        return self.started[key]

    def certificate(self) -> str:
        if self.chain is None:
            folder = Path(self.stack.enter_context(tempfile.TemporaryDirectory()))
            chain, ca_file = folder / "chain.pem", folder / "ca.pem"
            # In a child process: trustme's imports would raise the harness's RSS, which
            # the runners it starts inherit as their initial ru_maxrss (peak RSS column).
            subprocess.run([sys.executable, "-c", MAKE_CERTS, chain, ca_file], check=True)
            for name in CA_VARIABLES:
                self.stack.enter_context(_environ(name, str(ca_file)))
            self.chain = str(chain)
        return self.chain


@contextlib.contextmanager
def _environ(name: str, value: str) -> Iterator[None]:
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            del os.environ[name]
        else:
            os.environ[name] = old


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    chosen = select(args.only)
    if not chosen:
        print(f"no scenario or library matches {args.only!r}", file=sys.stderr)
        return 2
    env = environment()
    print(header(env), flush=True)
    started = time.monotonic()
    if any(compiled.LIBRARY in libraries for _, libraries in chosen):
        why_not = compiled.build()
        if why_not:
            print(f"{compiled.LIBRARY}: left out, {why_not}", file=sys.stderr)
            chosen = [(s, [lib for lib in libs if lib != compiled.LIBRARY]) for s, libs in chosen]

    def progress(line: str) -> None:
        print(f"  .. {line}", file=sys.stderr, flush=True)

    runs: list[harness.Run] = []
    skipped: dict[tuple[str, str], str] = {}
    with ExitStack() as stack:
        servers = Servers(stack)
        for scenario, libraries in chosen:
            count = count_for(scenario, args)
            pin = scenario.pin and not args.no_pin
            runs += harness.run_scenario(
                servers.get(scenario), scenario, libraries, reps=args.reps, count=count,
                skipped=skipped, progress=progress, pin=pin,
            )  # fmt: skip

    groups = [report.summarize(s, libs, runs) for s, libs in chosen]
    rows = {(r.scenario.id, r.library): r for g in groups for r in g}
    print("\nCalibration: a raw socket reader drains each route (a writer, for sends):")
    for line in filter(None, map(calibration_line, groups)):
        print(line)
    reps = f"{args.reps} repetition{'s' * (args.reps > 1)}"
    print(f"\nMedians of {reps}; ratio = median of the per-repetition ratios (each listed).")
    print("CPU = user+sys of the client process per message; peak RSS = its ru_maxrss.")
    print(report.table(groups))
    checks = targets.check(runs, rows)
    if checks:
        print("\npushsdk against the targets of issues 3, 4, 13 (compression) and 14 (speed):")
        print(targets.render(checks))
    failures = sum(1 for r in rows.values() if r.status == "FAIL")
    elapsed = time.monotonic() - started
    print(f"\n{len(runs)} runs in {elapsed:.0f} s; {failures} failed verification.")
    if args.json:
        payload = {
            "environment": env,
            "runs": [asdict(r) for r in runs],
            "targets": [asdict(c) for c in checks],
        }
        with open(args.json, "w") as out:
            json.dump(payload, out, indent=1)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
