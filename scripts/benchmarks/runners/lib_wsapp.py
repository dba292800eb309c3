"""websocket-client's ``WebSocketApp``: callbacks, ``run_forever()`` in a thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import websocket

from .common import (
    CallbackEcho,
    cpu_seconds,
    echo_payloads,
    failure,
    make_tally,
    rate_result,
)


def run(app: websocket.WebSocketApp, **options: Any) -> threading.Thread:
    thread = threading.Thread(target=app.run_forever, kwargs=options, daemon=True)
    thread.start()
    return thread


def stream(params: dict[str, Any]) -> dict[str, Any]:
    tally = make_tally(params)
    add = tally.add

    def on_message(app: Any, message: Any) -> None:
        add(message)

    app = websocket.WebSocketApp(params["url"], on_message=on_message)
    thread = run(app)
    tally.done.wait(params["timeout"])
    app.close()
    thread.join(5)
    return tally.result()


def echo(params: dict[str, Any]) -> dict[str, Any]:
    loop = CallbackEcho(echo_payloads(params))
    app = websocket.WebSocketApp(
        params["url"],
        on_open=lambda app: loop.opened(app.send),
        on_message=lambda app, message: loop.received(message, app.send),
    )
    cpu0 = cpu_seconds()
    thread = run(app)
    loop.done.wait(params["timeout"])
    cpu = cpu_seconds() - cpu0
    app.close()
    thread.join(5)
    return loop.result(cpu)


def send(params: dict[str, Any]) -> dict[str, Any]:
    messages = echo_payloads(params)
    opened, acked, judged = threading.Event(), threading.Event(), threading.Event()
    replies: list[str] = []

    def on_message(app: Any, message: str) -> None:
        replies.append(message)
        (acked if len(replies) == 1 else judged).set()

    app = websocket.WebSocketApp(
        params["url"], on_open=lambda app: opened.set(), on_message=on_message
    )
    thread = run(app)
    if not opened.wait(params["timeout"]):
        return failure("did not open")
    write = app.send
    start, cpu0 = time.perf_counter(), cpu_seconds()
    for message in messages:
        write(message)
    acked.wait(params["timeout"])
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu0
    judged.wait(params["timeout"])
    app.close()
    thread.join(5)
    if replies != ["ack", "ok"]:
        return failure(f"server: {replies!r}")
    return rate_result(len(messages), seconds, cpu, params["size"])


def listen(url: str, on_data: Callable[[str], None], reconnect: bool) -> None:
    app = websocket.WebSocketApp(url, on_message=lambda app, message: on_data(message))
    # reconnect=0 disables reconnecting: 1 us is the shortest delay it accepts.
    run(app, reconnect=1e-6) if reconnect else run(app)
