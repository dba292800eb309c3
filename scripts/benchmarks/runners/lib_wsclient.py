"""websocket-client's low-level ``WebSocket``: a plain ``recv()``/``send()`` loop (baseline)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import websocket

from .common import (
    RoundTrips,
    cpu_seconds,
    echo_payloads,
    echo_result,
    failure,
    make_tally,
    rate_result,
)


def stream(params: dict[str, Any]) -> dict[str, Any]:
    tally = make_tally(params)
    ws = websocket.create_connection(params["url"])
    recv, add = ws.recv, tally.add
    for _ in range(tally.total):
        add(recv())
    ws.close()
    return tally.result()


def echo(params: dict[str, Any]) -> dict[str, Any]:
    sent = echo_payloads(params)
    ws = websocket.create_connection(params["url"])
    send, recv, clock = ws.send, ws.recv, time.perf_counter
    samples, got = [], []
    cpu0 = cpu_seconds()
    for message in sent:
        start = clock()
        send(message)
        got.append(recv())
        samples.append(clock() - start)
    cpu = cpu_seconds() - cpu0
    ws.close()
    return echo_result(samples, sent, got, cpu)


def send(params: dict[str, Any]) -> dict[str, Any]:
    messages = echo_payloads(params)
    ws = websocket.create_connection(params["url"])
    write = ws.send
    start, cpu0 = time.perf_counter(), cpu_seconds()
    for message in messages:
        write(message)
    ack = ws.recv()
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu0
    verdict = ws.recv()
    ws.close()
    if ack != "ack" or verdict != "ok":
        return failure(f"server: {ack!r} {verdict!r}")
    return rate_result(len(messages), seconds, cpu, params["size"])


def listen(url: str, on_data: Callable[[str], None], reconnect: bool) -> None:
    ws = websocket.create_connection(url)

    def loop() -> None:
        try:
            while True:
                on_data(ws.recv())
        except Exception:
            pass

    threading.Thread(target=loop, daemon=True).start()


def roundtrips(params: dict[str, Any]) -> dict[str, Any]:
    trips = RoundTrips(params)
    ws = websocket.create_connection(params["url"])
    send, recv = ws.send_binary, ws.recv
    trips.start()
    while True:
        send(trips.next())
        if not trips.received(recv()):
            break
    ws.close()
    return trips.result()
