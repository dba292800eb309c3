"""pushsdk's WSClient over wss://: the benchmark server's WebSocket routes behind TLS.

``python -m scripts.benchmarks.wss [--quick] [--reps N]`` (from the repository root,
in the venv ``scripts/bench`` sets up). It serves the benchmark server's routes over
TLS (a trustme certificate) from a process of its own, runs pushsdk's runner on the
scenarios (a), (b), (c) and (e) of ``scenarios.py`` with wss:// URLs, each run in a
fresh process trusting the certificate through ``SSL_CERT_FILE``, and prints the
median of the repetitions. The plain ws:// figures are ``scripts/bench``'s.
"""

from __future__ import annotations

import argparse
import os
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from . import harness, server
from .scenarios import SCENARIOS

IDS = ("a-ws-text64", "b-ws-binary64", "c-ws-text1m", "e-ws-send64")


def serve(chain: str) -> None:
    """Serve the benchmark routes over TLS until stdin closes (the ``--serve`` mode)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(chain)
    listener = socket.create_server(("127.0.0.1", 0), backlog=512)

    def handle(conn: socket.socket) -> None:
        try:
            tls = context.wrap_socket(conn, server_side=True)
        except OSError:
            conn.close()
            return
        server.handle(tls)

    def accept() -> None:
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    print(f"PORT {listener.getsockname()[1]}", flush=True)
    sys.stdin.read()
    os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.benchmarks.wss")
    parser.add_argument("--quick", action="store_true", help="fewer messages")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--serve", metavar="CHAIN_PEM", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    import trustme

    ca = trustme.CA()
    with tempfile.TemporaryDirectory() as folder:
        chain, ca_file = Path(folder, "chain.pem"), Path(folder, "ca.pem")
        ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(chain))
        ca.cert_pem.write_to_path(str(ca_file))
        os.environ["SSL_CERT_FILE"] = str(ca_file)  # the runners inherit it
        process = subprocess.Popen(
            [sys.executable, "-m", "scripts.benchmarks.wss", "--serve", str(chain)],
            cwd=harness.ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            port = int(process.stdout.readline().split()[1])
            run_all(port, args.quick, args.reps)
        finally:
            assert process.stdin is not None
            process.stdin.close()
            process.wait(5)


def run_all(port: int, quick: bool, reps: int) -> None:
    print(f"pushsdk over wss:// ({ssl.OPENSSL_VERSION}), median of {reps} runs")
    for scenario in (s for s in SCENARIOS if s.id in IDS):
        count = scenario.quick_count if quick else scenario.count
        rates, cpus, failures = [], [], []
        for _ in range(reps):
            options = scenario.options(port, count)
            options["url"] = options["url"].replace("ws://", "wss://", 1)
            result = harness.measure(scenario, "pushsdk", options, pin=False)
            if result.get("ok"):
                rates.append(result["msg_per_s"])
                cpus.append(result["cpu_us_per_msg"])
            else:
                failures.append(result.get("error") or result.get("skip"))
        line = f"  {scenario.id:<16} {scenario.title:<44}"
        if rates:
            line += (
                f" {statistics.median(rates):>10,.0f} msg/s"
                f"  {statistics.median(cpus):>8.1f} us CPU/msg"
            )
        if failures:
            line += f"  FAILED {len(failures)}/{reps}: {failures[0]}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
