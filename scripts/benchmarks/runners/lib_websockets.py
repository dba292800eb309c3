"""websockets' threading client, ``websockets.sync.client.connect``."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from websockets.sync.client import reconnect as reconnecting

from .common import (
    RoundTrips,
    cpu_seconds,
    echo_payloads,
    echo_result,
    failure,
    make_tally,
    rate_result,
)

#: The same limit as pushsdk's default (websockets' own default is 1 MiB).
MAX_SIZE = 16 * 2**20


def stream(params: dict[str, Any]) -> dict[str, Any]:
    tally = make_tally(params)
    with connect(params["url"], max_size=MAX_SIZE) as ws:
        recv, add = ws.recv, tally.add
        for _ in range(tally.total):
            add(recv())
    return tally.result()


def echo(params: dict[str, Any]) -> dict[str, Any]:
    sent = echo_payloads(params)
    samples, got = [], []
    with connect(params["url"]) as ws:
        send, recv, clock = ws.send, ws.recv, time.perf_counter
        cpu0 = cpu_seconds()
        for message in sent:
            start = clock()
            send(message)
            got.append(recv())
            samples.append(clock() - start)
        cpu = cpu_seconds() - cpu0
    return echo_result(samples, sent, got, cpu)


def send(params: dict[str, Any]) -> dict[str, Any]:
    messages = echo_payloads(params)
    with connect(params["url"]) as ws:
        write = ws.send
        start, cpu0 = time.perf_counter(), cpu_seconds()
        for message in messages:
            write(message)
        ack = ws.recv()
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu0
        verdict = ws.recv()
    if ack != "ack" or verdict != "ok":
        return failure(f"server: {ack!r} {verdict!r}")
    return rate_result(len(messages), seconds, cpu, params["size"])


def listen(url: str, on_data: Callable[[str], None], reconnect: bool) -> None:
    def once() -> None:
        with connect(url) as ws:
            for message in ws:
                on_data(message)

    def forever() -> None:
        for ws in reconnecting(url):  # the documented reconnect loop
            try:
                for message in ws:
                    on_data(message)
            except ConnectionClosed:
                continue

    def guarded() -> None:
        with contextlib.suppress(Exception):
            (forever if reconnect else once)()

    threading.Thread(target=guarded, daemon=True).start()


def roundtrips(params: dict[str, Any]) -> dict[str, Any]:
    trips = RoundTrips(params)
    with connect(params["url"], max_size=MAX_SIZE) as ws:
        send, recv = ws.send, ws.recv
        trips.start()
        while True:
            send(trips.next())
            if not trips.received(recv()):
                break
    return trips.result()
