"""WebSocket soaks: an echo server behind a proxy that cuts the connection every second.

Run with ``-s`` to see the figures (lost messages, reconnect times).
"""

from __future__ import annotations

import statistics
import threading
import time

import pytest

from pushsdk import Backoff, ReadyState, WSClient
from pushsdk.message import Message
from tests.faults.proxy import FaultProxy, periodic_cuts
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
        client = WSClient(proxy.url("ws"), on_message=on_message, reconnect=FAST)
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
    lost_total = 0
    server_got = {str(m) for m in echo_server.received}
    for name, numbers in received.items():
        assert numbers == sorted(set(numbers)), f"{name}: duplicated or reordered"
        count = len(sent[name])
        lost = sorted(set(range(count)) - set(numbers))
        assert not offline[name] & set(lost), (
            f"{name}: messages sent while disconnected were lost: {sorted(offline[name] & set(lost))}"
        )
        lost_total += len(lost)
        upstream = [i for i in lost if f"{name}:{i}" not in server_got]
        print(
            f"\nSOAK ws {name}: sent={count} delivered={len(numbers)} lost={len(lost)} "
            f"(never reached the server: {len(upstream)}) sent-while-offline={len(offline[name])} "
            f"cuts={cuts}"
        )
    # At most what was in flight at each cut: a few messages per cut, never more.
    assert lost_total <= 10 * cuts


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(fraction * len(ordered)), len(ordered) - 1)]


@pytest.mark.slow
def test_reconnect_time_after_a_cut_with_default_backoff(echo_server: EchoServer) -> None:
    """20 clients are cut at once, three times; each reconnect waits per the default Backoff.

    The n-th consecutive cut waits ``0.5 * 2**(n-1)`` s shortened by up to half (jitter),
    since a connection shorter than ``reset_after`` (60 s) does not reset the growth.
    """
    clients = 20
    rounds = 3
    opened: dict[int, list[float]] = {i: [] for i in range(clients)}
    lock = threading.Condition()

    def on_open(index: int) -> None:
        with lock:
            opened[index].append(time.monotonic())
            lock.notify_all()

    def all_opened(times: int, timeout: float) -> bool:
        with lock:
            return lock.wait_for(lambda: all(len(o) >= times for o in opened.values()), timeout)

    backoff = Backoff()
    with FaultProxy(echo_server.address) as proxy:
        group = [
            WSClient(proxy.url("ws"), on_open=lambda _c, i=i: on_open(i), reconnect=backoff)
            for i in range(clients)
        ]
        for client in group:
            client.start()
        try:
            assert all_opened(1, WAIT)
            figures = []
            for round_ in range(1, rounds + 1):
                cut_at = time.monotonic()
                assert proxy.cut("rst") == clients
                assert all_opened(round_ + 1, WAIT + 2 * round_)
                with lock:
                    times = [opened[i][-1] - cut_at for i in range(clients)]
                    assert all(len(opened[i]) == round_ + 1 for i in range(clients))
                high = backoff.initial * backoff.multiplier ** (round_ - 1)
                low = high * (1 - backoff.jitter)
                assert min(times) >= low, "reconnected sooner than the backoff allows"
                assert max(times) < high + 1.0, "reconnect much later than the backoff asks"
                figures.append(
                    f"cut {round_}: p50={_percentile(times, 0.5) * 1000:.0f} ms "
                    f"max={max(times) * 1000:.0f} ms (delay drawn in [{low:.2f}, {high:.2f}] s)"
                )
        finally:
            for client in group:
                client.close()
    print("\nSOAK ws reconnect after cut, 20 clients, default Backoff: " + "; ".join(figures))


@pytest.mark.slow
def test_backoff_schedule_while_the_server_refuses_for_10_s(echo_server: EchoServer) -> None:
    """Attempts while refused follow ``Backoff(initial=0.1, maximum=2.0)``: 9 to 14 in 10 s.

    Delays are 0.1, 0.2, 0.4, 0.8, 1.6, 2, 2, ... s, each shortened by up to half;
    attempts at 0, 0.1, 0.3, 0.7, 1.5, 3.1, 5.1, 7.1, 9.1 s at the longest (9 in 10 s)
    and 0, 0.05, 0.15, 0.35, 0.75, 1.55, 2.55, ..., 9.55 s at the shortest (14).
    """
    backoff = Backoff(initial=0.1, maximum=2.0)
    refusal = 10.0
    low, high = _attempt_bounds(backoff, refusal)
    reconnects: list[tuple[int, float]] = []
    with FaultProxy(echo_server.address) as proxy:
        proxy.refuse(refusal, how="rst")
        started = time.monotonic()
        client = WSClient(
            proxy.url("ws"),
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


def _attempt_bounds(backoff: Backoff, window: float) -> tuple[int, int]:
    """How many attempts fall within ``window`` s at the longest and the shortest delays."""
    counts = []
    for scale in (1.0, 1 - backoff.jitter):
        at, n = 0.0, 0
        while at < window:
            n += 1
            at += scale * min(backoff.initial * backoff.multiplier ** (n - 1), backoff.maximum)
        counts.append(n)
    return counts[0], counts[1]


def test_attempt_bounds_match_the_documented_schedule() -> None:
    assert _attempt_bounds(Backoff(initial=0.1, maximum=2.0), 10.0) == (9, 14)
