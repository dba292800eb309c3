"""``pushsdk replay``: a recording served back and received identically by the
command and by the SDK, resume after a cut, and its one-line errors.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme
from websockets.sync.server import ServerConnection

from pushsdk import HandshakeError, Message, SSEClient, WSClient
from pushsdk.recording import Entry, Header, read_recording, write_jsonl
from pushsdk_monitor.demo_server import DemoServer
from tests.cli.harness import WAIT, Command, Commands
from tests.faults.proxy import FaultProxy
from tests.servers.ws_server import WSServer


def replay(cli: Commands, path: Path, *args: str) -> tuple[Command, str]:
    """A replay server on a free port, and its URL (the first line it prints)."""
    server = cli("replay", str(path), "--port", "0", *args)
    return server, server.line()


def received(path: Path) -> list[tuple[str, str | None, str | bytes]]:
    """(event, id, data) of each message a recording holds."""
    return [(e.event, e.id, e.data) for e in read_recording(path).entries if e.direction == "in"]


def from_jsonl(lines: list[str]) -> list[tuple[str, str | None, str | bytes]]:
    rows = [json.loads(line) for line in lines]
    return [(r["event"], r["id"], r["data"]) for r in rows]


def collect_with_sdk(client: WSClient | SSEClient) -> list[tuple[str, str | None, str | bytes]]:
    """Every message the SDK client gets until it ends by itself.

    An SSE client ends with the replay's 204 No Content, which ``join()`` may raise
    (as the error that ended it) or not, depending on the SDK's version.
    """
    messages: list[Message] = []
    client.on("*", lambda _client, message: messages.append(message))
    client.start()
    try:
        try:
            assert client.join(WAIT), "the client did not end"
        except HandshakeError as exc:
            assert exc.status == 204
    finally:
        client.close()
    return [(m.event, m.id, m.data) for m in messages]


def _script(conn: ServerConnection) -> None:
    for message in ("one", b"\x00\xff binary", '{"type": "tick", "n": 1}', "two"):
        conn.send(message)
    conn.close(1000, "done")


def test_ws_recording_replayed_identically(
    cli: Commands, ws_server: WSServer, tmp_path: Path
) -> None:
    path = tmp_path / "ws.jsonl"
    ws_server.handler = _script
    recorder = cli.run(
        ws_server.url, "--record", str(path), "--event-key", "type", "--no-reconnect"
    )
    assert recorder.proc.returncode == 0
    expected = received(path)
    assert expected == [
        ("message", None, "one"),
        ("message", None, b"\x00\xff binary"),
        ("tick", None, '{"type": "tick", "n": 1}'),
        ("message", None, "two"),
    ]
    server, url = replay(cli, path, "--as-fast-as-possible")
    command = cli(url, "--jsonl", "--event-key", "type", "--no-reconnect")
    sdk = collect_with_sdk(WSClient(url, event_key="type", reconnect=False))  # meanwhile
    assert command.wait() == 0  # the replay ends with a clean close
    rows = [json.loads(line) for line in command.lines]
    assert rows[1]["encoding"] == "base64"
    assert from_jsonl(command.lines) == [
        (event, id, data if isinstance(data, str) else "AP8gYmluYXJ5")
        for event, id, data in expected
    ]
    assert sdk == expected
    server.interrupt()
    assert server.wait() == 130
    assert "Traceback" not in server.stderr


def test_sse_recording_replayed_identically(
    cli: Commands, demo_server: DemoServer, tmp_path: Path
) -> None:
    path = tmp_path / "sse.jsonl"
    assert cli.run(demo_server.sse_url, "--record", str(path), "--count", "7").proc.returncode == 0
    expected = received(path)
    assert [id for _, id, _ in expected] == ["1", "2", "3", "4", "5", "6", "7"]
    assert expected[5][0] == "ping"
    _, url = replay(cli, path, "--speed", "50")
    # After the last event, a reconnect with its Last-Event-ID gets 204: both clients end.
    command = cli(url, "--jsonl")
    assert collect_with_sdk(SSEClient(url)) == expected  # meanwhile
    assert command.wait() == 0
    assert from_jsonl(command.lines) == expected


def _numbered(path: Path, count: int, spacing: float) -> None:
    start = 1_700_000_000.0
    entries = [Entry(start, "system", "open", None, "connected")]
    entries += [
        Entry(start + n * spacing, "in", "tick" if n % 3 == 0 else "message", str(n), f"event {n}")
        for n in range(1, count + 1)
    ]
    write_jsonl(entries, path, Header("sse", "http://example.com/stream"))


def test_resume_against_the_replay_after_a_cut(cli: Commands, tmp_path: Path) -> None:
    path = tmp_path / "numbered.jsonl"
    _numbered(path, 20, 0.05)
    _, url = replay(cli, path)
    port = int(url.rsplit(":", 1)[1].strip("/"))
    with FaultProxy(("127.0.0.1", port)) as proxy:
        command = cli(proxy.url("http", "/stream"), "--jsonl", "-v")
        for _ in range(5):
            command.line()
        proxy.cut("rst")
        assert command.wait() == 0
    ids = [row[1] for row in from_jsonl(command.lines)]
    assert ids == [str(n) for n in range(1, 21)]  # each once, in order, across the cut
    assert "reconnecting in" in command.stderr
    assert from_jsonl(command.lines) == received(path)


def test_replay_keeps_the_timing_scaled_by_speed(cli: Commands, tmp_path: Path) -> None:
    path = tmp_path / "slow.jsonl"
    _numbered(path, 3, 1.0)  # one event a second
    _, url = replay(cli, path, "--speed", "4")
    client = SSEClient(url, reconnect=False)
    times: list[float] = []
    client.on("*", lambda _c, _m: times.append(time.monotonic()))
    client.start()
    try:
        assert client.join(WAIT)
    finally:
        client.close()
    assert len(times) == 3
    assert times[2] - times[0] >= 0.45  # two gaps of 1 s at 4x: 0.5 s, never less


def test_loop_starts_again(cli: Commands, tmp_path: Path) -> None:
    path = tmp_path / "short.jsonl"
    _numbered(path, 2, 0.01)
    _, url = replay(cli, path, "--loop", "--as-fast-as-possible")
    command = cli.run(url, "--count", "5")
    assert command.lines == ["event 1", "event 2"] * 2 + ["event 1"]


def test_a_bad_recording_is_one_line(cli: Commands, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"format": "pushsdk-recording", "version": 1}\n{"direction": "sideways"}\n')
    command = cli.run("replay", str(path))
    assert command.proc.returncode == 1
    assert command.errors == [
        f"pushsdk replay: {path}, line 2: direction must be one of in, out, system, got 'sideways'"
    ]


def test_replay_without_aiohttp_says_what_to_install(cli: Commands, tmp_path: Path) -> None:
    _numbered(tmp_path / "r.jsonl", 1, 0.1)
    blocker = tmp_path / "no-aiohttp" / "aiohttp"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('not installed')\n")
    env_path = os.pathsep.join([str(blocker.parent), os.environ.get("PYTHONPATH", "")])
    os.environ["PYTHONPATH"] = env_path
    try:
        command = cli.run("replay", str(tmp_path / "r.jsonl"))
    finally:
        os.environ["PYTHONPATH"] = env_path.split(os.pathsep, 1)[1]
        if not os.environ["PYTHONPATH"]:
            del os.environ["PYTHONPATH"]
    assert command.proc.returncode == 1
    assert command.errors == ['pushsdk replay: replay needs aiohttp: pip install "pushsdk[replay]"']


def test_monitor_export_without_header_needs_or_infers_protocol(
    cli: Commands, tmp_path: Path
) -> None:
    path = tmp_path / "export.jsonl"
    write_jsonl([Entry(1.0, "in", "message", None, "plain text")], path)  # no header, no ids
    command = cli("replay", str(path))
    server, url = replay(cli, path, "--protocol", "sse")  # both start at once
    assert command.wait() == 1
    assert "pass --protocol ws|sse" in command.stderr
    assert url.startswith("http://127.0.0.1:")
    server.interrupt()
    assert server.wait() == 130


@dataclass(frozen=True)
class Trust:
    """How to serve a replay (``--cert``) and how a client trusts it."""

    serve: list[str]
    client: list[str]
    verify: bool | str


@pytest.fixture(params=["plain", "tls"])
def trust(request: pytest.FixtureRequest, ws_ca: trustme.CA, tmp_path: Path) -> Trust:
    if request.param == "plain":
        return Trust([], [], True)
    cert, ca = tmp_path / "server.pem", tmp_path / "ca.pem"
    ws_ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(cert))
    ws_ca.cert_pem.write_to_path(str(ca))
    return Trust(["--cert", str(cert)], ["--cacert", str(ca)], str(ca))


def _recording(path: Path, protocol: str, ids: list[str | None]) -> list[str]:
    """A recording of ``len(ids)`` messages with these SSE ids; their texts."""
    start = 1_700_000_000.0
    entries = [Entry(start, "system", "open", None, "connected")]
    entries += [Entry(start + n / 100, "in", "message", id, f"m{n}") for n, id in enumerate(ids)]
    write_jsonl(entries, path, Header(protocol, "http://example.com/stream"))
    return [f"m{n}" for n in range(len(ids))]


NO_IDS: list[str | None] = [None, None, None]


# The ids are the replay's logic; the wire is the same for each: TLS once.
@pytest.mark.parametrize(
    ("ids", "trust"),
    [
        (NO_IDS, "plain"),
        (["1", "2", "2"], "plain"),
        (["1", "2", None], "plain"),
        (["1", "2", "3"], "plain"),
        (NO_IDS, "tls"),
    ],
    ids=["no ids", "last id repeated", "last id reset", "ids", "no ids over TLS"],
    indirect=["trust"],
)
def test_sse_replay_ends_after_one_pass(
    cli: Commands, tmp_path: Path, ids: list[str | None], trust: Trust
) -> None:
    """Whatever its ids, a client that follows the rules gets the replay once, then 204."""
    path = tmp_path / "sse.jsonl"
    texts = _recording(path, "sse", ids)
    _, url = replay(cli, path, "--as-fast-as-possible", *trust.serve)
    assert url.startswith("https://" if trust.serve else "http://")
    # --timeout: a replay that starts over ends the run with the messages twice.
    command = cli(url, "-v", "--timeout", "8", *trust.client)
    sdk = collect_with_sdk(SSEClient(url, verify=trust.verify))  # meanwhile
    assert [m for _, _, m in sdk] == texts
    assert command.wait() == 0
    assert command.lines == texts
    assert "stream ended: the server has no more events (HTTP 204 No Content)" in command.stderr


def test_ws_replay_ends_after_one_pass_with_no_reconnect(
    cli: Commands, tmp_path: Path, trust: Trust
) -> None:
    """A WebSocket close cannot say "final": the replay names --no-reconnect for one pass."""
    path = tmp_path / "ws.jsonl"
    texts = _recording(path, "ws", [None, None])
    server, url = replay(cli, path, "--as-fast-as-possible", *trust.serve)
    assert url.startswith("wss://" if trust.serve else "ws://")
    assert f"* for one pass: pushsdk --no-reconnect {url}" in server.wait_status("for one pass")
    command = cli(url, "-v", "--no-reconnect", *trust.client)
    assert command.wait() == 0
    assert command.lines == texts
    assert "closed: code 1000 end of recording" in command.stderr


@pytest.mark.parametrize("trust", ["plain"], indirect=True)  # the one-pass tests cover TLS
@pytest.mark.parametrize("protocol", ["ws", "sse"])
def test_loop_keeps_looping_without_ids(
    cli: Commands, tmp_path: Path, protocol: str, trust: Trust
) -> None:
    path = tmp_path / "loop.jsonl"
    _recording(path, protocol, [None, None])
    _, url = replay(cli, path, "--loop", "--as-fast-as-possible", *trust.serve)
    command = cli.run(url, "--count", "5", "--no-reconnect", *trust.client)
    assert command.lines == ["m0", "m1"] * 2 + ["m0"]


def test_a_bad_certificate_is_one_line(cli: Commands, tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    _recording(path, "ws", [None])
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("not a certificate\n")
    command = cli.run("replay", str(path), "--cert", str(not_pem))
    assert command.proc.returncode == 1
    assert len(command.errors) == 1
    assert command.errors[0].startswith(f"pushsdk replay: cannot use --cert {not_pem}: ")
    assert cli.run("replay", str(path), "--key", str(not_pem)).proc.returncode == 2
