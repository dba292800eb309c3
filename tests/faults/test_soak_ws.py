"""WebSocket soaks: an echo server behind a proxy that cuts the connection every second.

Each runs over ws:// and over wss:// (TLS end to end through the proxy). Run with
``-s`` to see the figures (lost messages, reconnect times).
"""

from __future__ import annotations

import threading
import time

import pytest

from pushsdk import Backoff, ReadyState, WSClient
from pushsdk.message import Message
from tests.faults.proxy import FaultProxy, periodic_cuts, seeded_cuts
from tests.faults.schedule import attempt_bounds
from tests.faults.servers import EchoServer

#: Fast enough that each cut costs little time; the schedule is not what is tested here.
FAST = Backoff(initial=0.02, maximum=0.1, jitter=0.5)
WAIT = 10.0


SOAK_SECONDS = 6.0


def _sender(
    client: WSClient, name: str, sent: list[int], offline: set[int], errors: list[BaseException]
) -> None:
    """Send ``name:0``, ``name:1``... for SOAK_SECONDS, noting those sent while not open."""
    ends = time.monotonic() + SOAK_SECONDS
    i = 0
    while time.monotonic() < ends:
        before = client.ready_state
        try:
            client.send(f"{name}:{i}")
        except BaseException as exc:  # any raise is a failure of the soak
            errors.append(exc)
            return
        sent.append(i)
        if before is not ReadyState.OPEN and client.ready_state is not ReadyState.OPEN:
            offline.add(i)
        i += 1
        time.sleep(0.002)


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """The sorted ``numbers`` as (first, last) runs of consecutive values."""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


@pytest.mark.slow
def test_ws_echo_soak_with_a_cut_every_second(echo_server: EchoServer) -> None:
    received: dict[str, list[int]] = {"a": [], "b": []}
    done = threading.Event()

    def on_message(_client: WSClient, message: Message) -> None:
        name, _, number = str(message.data).partition(":")
        if name == "end":
            done.set()
        else:
            received[name].append(int(number))

    sent: dict[str, list[int]] = {"a": [], "b": []}
    with FaultProxy(echo_server.address, plan=periodic_cuts(1.0, seed=3)) as proxy:
        client = WSClient(proxy.url(echo_server.scheme), on_message=on_message, reconnect=FAST)
        offline: dict[str, set[int]] = {"a": set(), "b": set()}
        errors: list[BaseException] = []
        with client:
            assert client.wait_open(WAIT)
            senders = [
                threading.Thread(target=_sender, args=(client, n, sent[n], offline[n], errors))
                for n in ("a", "b")
            ]
            for thread in senders:
                thread.start()
            for thread in senders:
                thread.join(60)
            # Stop cutting, start one clean connection, and let everything still buffered drain.
            proxy.plan = None
            before = client.stats.reconnects
            proxy.cut("fin")
            deadline = time.monotonic() + WAIT
            while client.stats.reconnects == before and time.monotonic() < deadline:
                time.sleep(0.01)
            assert client.wait_open(WAIT)
            client.send("end:0")
            assert done.wait(WAIT), "the final message never came back"
            cuts = client.stats.reconnects
    assert not errors, f"send() raised: {errors[:3]}"
    assert cuts >= 5, f"only {cuts} reconnects: the soak did not exercise the cut"
    server_got = {str(m) for m in echo_server.received}
    for name, numbers in received.items():
        assert numbers == sorted(set(numbers)), f"{name}: duplicated or reordered"
        count = len(sent[name])
        lost = sorted(set(range(count)) - set(numbers))
        lost_offline = sorted(offline[name] & set(lost))
        assert not lost_offline, f"{name}: lost messages sent while disconnected: {lost_offline}"
        upstream = [i for i in lost if f"{name}:{i}" not in server_got]
        print(
            f"\nSOAK {echo_server.scheme} {name}: sent={count} delivered={len(numbers)} "
            f"lost={len(lost)} (never reached the server: {len(upstream)}) "
            f"sent-while-offline={len(offline[name])} cuts={cuts}"
        )
        # Only what was in flight at a cut is lost: one unbroken run of messages per cut
        # at most (how long a run is depends on how busy the machine is, not on us).
        runs = _runs(lost)
        assert len(runs) <= cuts, f"{name}: {len(runs)} separate losses in {cuts} cuts: {runs}"


@pytest.mark.slow
@pytest.mark.parametrize("echo_server", ["ws"], indirect=True)  # refused before any TLS
def test_backoff_schedule_while_the_server_refuses_for_10_s(echo_server: EchoServer) -> None:
    """Attempts while refused follow ``Backoff(initial=0.1, maximum=2.0)``: 9 to 14 in 10 s.

    Delays are 0.1, 0.2, 0.4, 0.8, 1.6, 2, 2, ... s, each shortened by up to half;
    attempts at 0, 0.1, 0.3, 0.7, 1.5, 3.1, 5.1, 7.1, 9.1 s at the longest (9 in 10 s)
    and 0, 0.05, 0.15, 0.35, 0.75, 1.55, 2.55, ..., 9.55 s at the shortest (14).
    """
    backoff = Backoff(initial=0.1, maximum=2.0)
    refusal = 10.0
    low, high = attempt_bounds(backoff, refusal)
    reconnects: list[tuple[int, float]] = []
    with FaultProxy(echo_server.address) as proxy:
        proxy.refuse(refusal, how="rst")
        started = time.monotonic()
        client = WSClient(
            proxy.url(echo_server.scheme),
            reconnect=backoff,
            on_reconnect=lambda _c, attempt, delay: reconnects.append((attempt, delay)),
        )
        with client:
            assert client.wait_open(refusal + backoff.maximum + WAIT)
            opened_after = time.monotonic() - started
        attempts = proxy.refused
    print(
        f"\nSOAK ws backoff while refused {refusal:.0f} s: {attempts} attempts refused "
        f"(expected {low}..{high}), open after {opened_after:.2f} s; delays "
        + ", ".join(f"{d:.2f}" for _, d in reconnects)
    )
    assert low - 1 <= attempts <= high + 1
    assert [a for a, _ in reconnects] == list(range(1, len(reconnects) + 1))
    assert opened_after < refusal + backoff.maximum + 1.0


def test_attempt_bounds_match_the_documented_schedule() -> None:
    assert attempt_bounds(Backoff(initial=0.1, maximum=2.0), 10.0) == (9, 14)


@pytest.mark.slow
@pytest.mark.parametrize("compression", ["deflate", None])
def test_ws_frames_truncated_mid_frame_are_never_delivered(
    echo_server: EchoServer, compression: str | None
) -> None:
    """Cuts after 1 to 40 KiB of server frames (FIN or RST, seeded), so most land inside a
    4 KiB echo frame: no partial, corrupt, duplicated or reordered message is delivered."""
    size = 4096
    received: list[str] = []
    got_all = threading.Event()
    total = 400

    def on_message(_client: WSClient, message: Message) -> None:
        received.append(str(message.data))
        if message.data.startswith(f"{total - 1:05d}"):
            got_all.set()

    plan = seeded_cuts(seed=9, min_bytes=1024, max_bytes=40 * 1024)
    with FaultProxy(echo_server.address, plan=plan) as proxy:
        with WSClient(
            proxy.url(echo_server.scheme),
            on_message=on_message,
            reconnect=FAST,
            compression=compression,
        ) as client:
            assert client.wait_open(WAIT)
            for i in range(total - 1):
                client.send(f"{i:05d}".ljust(size, chr(ord("a") + i % 26)))
                time.sleep(0.003)
            proxy.plan = None
            # End the last planned connection: the next one is clean. Wait for the client
            # to come back on it: right after the cut, wait_open() can still see the dead
            # connection OPEN, and a message sent into it may be lost (at most once).
            before = proxy.connections
            proxy.cut("fin")
            assert proxy.wait_connections(before + 1, WAIT)
            assert client.wait_open(WAIT)
            client.send(f"{total - 1:05d}".ljust(size, "z"))
            assert got_all.wait(WAIT)
        cuts = proxy.connections - 1
    numbers = [int(m[:5]) for m in received]
    for text, number in zip(received, numbers, strict=True):
        assert len(text) == size and set(text[5:]) <= {chr(ord("a") + number % 26), "z"}
    assert numbers == sorted(set(numbers)), "duplicated or reordered"
    at_server = {int(str(m)[:5]) for m in echo_server.received}
    lost = set(range(total)) - set(numbers)
    print(
        f"\nSOAK {echo_server.scheme} mid-frame cuts: sent={total} delivered={len(numbers)} "
        f"lost={len(lost)} (echo cut on the way back: {len(lost & at_server)}, never reached "
        f"the server: {len(lost - at_server)}) cuts={cuts}; no partial frame delivered"
    )
    assert cuts >= 5


def test_ws_stall_is_detected_by_ping_timeout_and_nothing_sent_after_is_lost(
    echo_server: EchoServer,
) -> None:
    """A stalled (silent, still open) connection is taken for dead after ping_interval +
    ping_timeout; what was sent after the reconnect began arrives."""
    received: list[str] = []
    reconnected = threading.Event()
    got = threading.Event()

    def on_message(_client: WSClient, message: Message) -> None:
        received.append(str(message.data))
        if message.data == "after":
            got.set()

    with FaultProxy(echo_server.address) as proxy:
        client = WSClient(
            proxy.url(echo_server.scheme),
            on_message=on_message,
            on_reconnect=lambda *_: reconnected.set(),
            reconnect=FAST,
            ping_interval=0.1,
            ping_timeout=0.1,
        )
        with client:
            assert client.wait_open(WAIT)
            proxy.stall()
            stalled_at = time.monotonic()
            assert reconnected.wait(WAIT), "a stalled connection was never given up"
            detected = time.monotonic() - stalled_at
            client.send("after")
            assert got.wait(WAIT)
    assert "ping_timeout" in str(client.last_error)
    assert 0.05 <= detected < 2.0, f"stall detected after {detected:.2f} s"
    assert received == ["after"]


def test_ws_iterator_under_cuts_never_duplicates_or_reorders(echo_server: EchoServer) -> None:
    """The iterator path (no callbacks) with a cut every 0.3 s while a thread sends."""
    errors: list[BaseException] = []
    sent: list[int] = []
    plan = periodic_cuts(0.3, seed=4)
    with (
        FaultProxy(echo_server.address, plan=plan) as proxy,
        WSClient(proxy.url(echo_server.scheme), reconnect=FAST) as client,
    ):
        assert client.wait_open(WAIT)

        def send() -> None:
            for i in range(600):
                try:
                    client.send(str(i))
                except BaseException as exc:
                    errors.append(exc)
                    return
                sent.append(i)
                time.sleep(0.002)
            proxy.plan = None
            before = client.stats.reconnects
            proxy.cut("fin")
            deadline = time.monotonic() + WAIT
            while client.stats.reconnects == before and time.monotonic() < deadline:
                time.sleep(0.01)
            client.wait_open(WAIT)
            client.send("end")

        sender = threading.Thread(target=send)
        sender.start()
        numbers: list[int] = []
        try:
            for message in client.messages(timeout=WAIT):
                if message.data == "end":
                    break
                numbers.append(int(message.data))
        finally:
            sender.join(WAIT)
    assert not errors
    assert numbers == sorted(set(numbers))
    assert len(numbers) >= len(sent) - 10 * (proxy.connections - 1)
