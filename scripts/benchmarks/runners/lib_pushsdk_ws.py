"""pushsdk's ``WSClient``: messages through ``on_message`` on the client's thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from pushsdk import Backoff, WSClient

from .common import (
    CallbackEcho,
    RoundTrips,
    cpu_seconds,
    echo_payloads,
    failure,
    make_tally,
    rate_result,
)


def stream(params: dict[str, Any]) -> dict[str, Any]:
    tally = make_tally(params)
    add = tally.add

    def on_message(client: Any, message: Any) -> None:
        add(message.data)

    client = WSClient(params["url"], on_message=on_message, reconnect=False)
    client.start()
    tally.done.wait(params["timeout"])
    client.close()
    return tally.result()


def echo(params: dict[str, Any]) -> dict[str, Any]:
    loop = CallbackEcho(echo_payloads(params))
    client = WSClient(
        params["url"],
        on_open=lambda client: loop.opened(client.send),
        on_message=lambda client, message: loop.received(message.data, client.send),
        reconnect=False,
    )
    cpu0 = cpu_seconds()
    client.start()
    loop.done.wait(params["timeout"])
    cpu = cpu_seconds() - cpu0
    client.close()
    return loop.result(cpu)


def send(params: dict[str, Any]) -> dict[str, Any]:
    messages = echo_payloads(params)
    acked, judged = threading.Event(), threading.Event()
    replies: list[str] = []

    def on_message(client: Any, message: Any) -> None:
        replies.append(message.data)
        (acked if len(replies) == 1 else judged).set()

    client = WSClient(params["url"], on_message=on_message, reconnect=False)
    client.start()
    if not client.wait_open(params["timeout"]):
        return failure("did not open")
    write = client.send
    start, cpu0 = time.perf_counter(), cpu_seconds()
    for message in messages:
        write(message)
    acked.wait(params["timeout"])
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu0
    judged.wait(params["timeout"])
    client.close()
    if replies != ["ack", "ok"]:
        return failure(f"server: {replies!r}")
    return rate_result(len(messages), seconds, cpu, params["size"])


def listen(url: str, on_data: Callable[[str], None], reconnect: bool) -> None:
    client = WSClient(
        url,
        on_message=lambda client, message: on_data(message.data),
        reconnect=Backoff(initial=0.0, jitter=0.0) if reconnect else False,
    )
    client.start()


def roundtrips(params: dict[str, Any]) -> dict[str, Any]:
    trips = RoundTrips(params)

    def on_open(client: Any) -> None:
        trips.start()
        client.send(trips.next())

    def on_message(client: Any, message: Any) -> None:
        if trips.received(message.data):
            client.send(trips.next())

    client = WSClient(params["url"], on_open=on_open, on_message=on_message, reconnect=False)
    client.start()
    trips.done.wait(params["timeout"])
    client.close()
    return trips.result()
