"""SSE soaks: numbered events behind a proxy that cuts, truncates, stalls and drips.

The server resumes after ``Last-Event-ID``, so whatever the faults, the client must
end with every event exactly once, in order. Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from pushsdk import Backoff, SSEClient
from pushsdk.message import Message
from tests.faults.proxy import Fault, FaultProxy, Plan, seeded_cuts
from tests.faults.schedule import attempt_bounds
from tests.faults.servers import NumberedSSE

EVENTS = 500
#: Fast enough that each of the ~100 cuts costs little; the schedule is tested elsewhere.
FAST = Backoff(initial=0.001, maximum=0.01)
WAIT = 25.0


def _soak(
    server: NumberedSSE, plan: Plan, **options: object
) -> tuple[list[int], FaultProxy, SSEClient]:
    """Run an SSEClient through a proxy with ``plan`` until it has EVENTS events."""
    numbers: list[int] = []
    done = threading.Event()

    def on_message(_client: SSEClient, message: Message) -> None:
        number = int(message.data.split()[1])
        numbers.append(number if message.id == str(number) else -number)  # -n: wrong id
        if len(numbers) >= EVENTS:
            done.set()

    with FaultProxy(server.address, plan=plan) as proxy:
        client = SSEClient(proxy.url("http"), on_message=on_message, reconnect=FAST, **options)  # type: ignore[arg-type]
        with client:
            done.wait(WAIT)
    return numbers, proxy, client


def _check_exactly_once(numbers: list[int], label: str, proxy: FaultProxy) -> None:
    duplicated = len(numbers) - len(set(numbers))
    lost = EVENTS - len(set(numbers) & set(range(1, EVENTS + 1)))
    print(
        f"\nSOAK sse {label}: events={EVENTS} delivered={len(numbers)} lost={lost} "
        f"duplicated={duplicated} connections={proxy.connections}"
    )
    assert numbers == list(range(1, EVENTS + 1))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("chunked", "newline"),
    [(False, "\n"), (True, "\r\n")],
    ids=["plain-LF", "chunked-CRLF"],
)
def test_sse_every_event_exactly_once_through_cuts(
    numbered_sse: Callable[..., NumberedSSE], chunked: bool, newline: str
) -> None:
    """A FIN or RST every 100 to 300 bytes of response (about every 5 events), mostly mid-event.

    The response head and the first comment take about 90 bytes, so cuts land in the body;
    cuts inside the head are tested below.
    """
    server = numbered_sse(EVENTS, chunked=chunked, newline=newline, seed=11)
    numbers, proxy, _ = _soak(server, seeded_cuts(seed=5, min_bytes=100, max_bytes=300))
    _check_exactly_once(numbers, f"cuts {'chunked' if chunked else 'plain'}", proxy)
    assert proxy.connections >= 40, "the soak did not cut often enough to mean anything"
    # Every resume asked for the last event the client had dispatched, never a later one.
    resumed = [int(i) for i in server.resumed_from if i is not None]
    assert resumed == sorted(resumed)


@pytest.mark.slow
def test_sse_every_event_exactly_once_through_stalls(
    numbered_sse: Callable[..., NumberedSSE],
) -> None:
    """The proxy stalls every 100 to 1,500 bytes; read_timeout detects it and resumes."""
    server = numbered_sse(EVENTS, seed=12)
    plan = seeded_cuts(seed=6, min_bytes=100, max_bytes=1500, actions=("stall",))
    numbers, proxy, client = _soak(server, plan, read_timeout=0.1)
    _check_exactly_once(numbers, "stalls (read_timeout=0.1)", proxy)
    assert proxy.connections >= 10
    assert "read_timeout" in str(client.last_error)


def test_sse_dripped_one_byte_at_a_time(numbered_sse: Callable[..., NumberedSSE]) -> None:
    """Events split at every byte arrive whole; slow traffic is not taken for a stall."""
    server = numbered_sse(40, newline="\r\n")
    numbers: list[int] = []
    done = threading.Event()

    def on_message(_client: SSEClient, message: Message) -> None:
        numbers.append(int(message.data.split()[1]))
        if len(numbers) == 40:
            done.set()

    drip = Fault("drip", drip_bytes=1, drip_interval=0.0005)
    with FaultProxy(server.address, plan=lambda _: drip) as proxy:
        with SSEClient(proxy.url("http"), on_message=on_message, read_timeout=1.0):
            assert done.wait(WAIT)
        assert proxy.connections == 1
    assert numbers == list(range(1, 41))


@pytest.mark.parametrize("cut_at", [5, 30, 40, 60, 70])
@pytest.mark.parametrize("how", ["fin", "rst"])
def test_sse_cut_inside_the_response_head_reconnects(
    numbered_sse: Callable[..., NumberedSSE], cut_at: int, how: str
) -> None:
    """A head cut short (status line, a header, before the blank line) is a network error.

    The head is 72 bytes; a cut at 70 leaves "Connection: close" without its blank line.
    """
    server = numbered_sse(3)
    numbers: list[int] = []
    done = threading.Event()

    def on_message(_client: SSEClient, message: Message) -> None:
        numbers.append(int(message.data.split()[1]))
        if len(numbers) == 3:
            done.set()

    first = Fault(how, after_bytes=cut_at)  # type: ignore[arg-type]
    with FaultProxy(server.address, plan=lambda i: first if i == 0 else None) as proxy:
        with SSEClient(proxy.url("http"), on_message=on_message, reconnect=FAST) as client:
            done.wait(2.0)
            error = client.last_error
        assert proxy.connections >= 2, f"no reconnect after a cut head: {error!r}"
    assert numbers == [1, 2, 3]


@pytest.mark.slow
def test_sse_backoff_schedule_while_the_server_refuses_for_3_s(
    numbered_sse: Callable[..., NumberedSSE],
) -> None:
    """As the WebSocket test: Backoff(initial=0.1, maximum=2.0) makes 5 to 7 attempts in 3 s
    (at 0, 0.1, 0.3, 0.7, 1.5 s at the longest delays; at 0, 0.05, 0.15, 0.35, 0.75, 1.55,
    2.55 s at the shortest)."""
    backoff = Backoff(initial=0.1, maximum=2.0)
    refusal = 3.0
    low, high = attempt_bounds(backoff, refusal)
    assert (low, high) == (5, 7)
    server = numbered_sse(1)
    opened = threading.Event()
    with FaultProxy(server.address) as proxy:
        proxy.refuse(refusal, how="rst")
        started = time.monotonic()
        with SSEClient(proxy.url("http"), reconnect=backoff, on_open=lambda _c: opened.set()):
            assert opened.wait(refusal + backoff.maximum + WAIT)
            opened_after = time.monotonic() - started
        attempts = proxy.refused
    print(
        f"\nSOAK sse backoff while refused {refusal:.0f} s: {attempts} attempts refused "
        f"(expected {low}..{high}), open after {opened_after:.2f} s"
    )
    assert low - 1 <= attempts <= high + 1
    assert opened_after < refusal + backoff.maximum + 1.0


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_sse_iterator_exactly_once_under_mixed_faults(
    numbered_sse: Callable[..., NumberedSSE], seed: int
) -> None:
    """The iterator path (no callbacks) under a seeded mix of FIN, RST and stall faults."""
    total = 300
    server = numbered_sse(total, chunked=seed % 2 == 0, newline="\r\n", seed=seed)
    plan = seeded_cuts(seed=seed, min_bytes=100, max_bytes=1200, actions=("fin", "rst", "stall"))
    numbers: list[int] = []
    with (
        FaultProxy(server.address, plan=plan) as proxy,
        SSEClient(proxy.url("http"), reconnect=FAST, read_timeout=0.1) as client,
    ):
        for message in client.messages(timeout=WAIT):
            numbers.append(int(message.data.split()[1]))
            assert message.id == str(numbers[-1])
            if len(numbers) == total:
                break
    assert numbers == list(range(1, total + 1))
    assert proxy.connections >= 5
