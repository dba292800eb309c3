"""scripts/bench end to end on one tiny scenario, so that CI catches a broken harness.

Speed is not asserted here (benchmarks measure it); only that the server, a runner in
its own process, the per-message verification and the report work together.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scripts.benchmarks import __main__ as bench
from scripts.benchmarks import harness
from scripts.benchmarks.scenarios import SCENARIOS


def test_one_scenario_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Over TLS (a trustme CA made for the run), every WebSocket peer, picows included,
    and pushsdk's mypyc build (made for the run; the runner refuses a pure one)."""
    out = tmp_path / "bench.json"
    environ = dict(os.environ)
    status = bench.main(
        ["--only", "^a-ws-text64-tls$", "--reps", "1", "--count", "300", "--json", str(out)]
    )
    printed = capsys.readouterr().out
    figures = json.loads(out.read_text())
    assert status == 0, printed
    libraries = {run["library"] for run in figures["runs"]}
    assert {"raw socket", "websocket-client", "websockets", "picows", "aiohttp"} <= libraries
    compiled = [run for run in figures["runs"] if run["library"] == "pushsdk-compiled"]
    assert compiled and compiled[0]["result"]["ok"], compiled
    for run in figures["runs"]:
        result = run["result"]
        assert result["ok"] or "skip" in result, run
        if result["ok"] and run["library"] != "raw socket":
            assert result["messages"] == 299  # the window opens at the first message
    assert "a-ws-text64-tls" in printed and "wsaccel: not installed" in printed
    assert dict(os.environ) == environ  # the CA was the run's only


def test_round_trips_against_picows_echo_server() -> None:
    """The echo-throughput runner and picows' echo server (plain, 0.1 s of round trips)."""
    scenario = next(s for s in SCENARIOS if s.id == "o-ws-roundtrip256")
    server = harness.Server("scripts.benchmarks.echo_server")
    try:
        result = harness.measure(scenario, "pushsdk", scenario.options(server.port, 100), False)
    finally:
        server.close()
    assert result["ok"], result
    assert result["messages"] > 10


def test_a_wrong_stream_fails_verification() -> None:
    """A client receiving other messages than announced must FAIL, not score."""
    scenario = next(s for s in SCENARIOS if s.id == "a-ws-text64")
    server = harness.Server()
    try:
        options = scenario.options(server.port, 50)
        options["size"] = 65  # the runner now expects 65-byte messages; the server sends 64
        result = harness.measure(scenario, "websocket-client", options, pin=False)
    finally:
        server.close()
    assert not result["ok"]
    assert "expected str of 65" in result["error"]
