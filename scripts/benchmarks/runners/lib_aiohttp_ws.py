"""aiohttp's WebSocket client (``ClientSession.ws_connect``), offering compression.

``ws_connect`` offers no permessage-deflate unless asked (``compress=0`` is its
default), so it is asked, as pushsdk and websockets offer it by default; a compressed
scenario fails if aiohttp did not agree it.

Each scenario runs in its own ``asyncio.run``; ``receive()`` delivers str for text
(UTF-8 checked) and bytes for binary, as every other client does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from .common import (
    RoundTrips,
    cpu_seconds,
    echo_payloads,
    echo_result,
    failure,
    make_tally,
    rate_result,
)

#: The same limit as pushsdk's default (aiohttp's own default is 4 MiB).
MAX_SIZE = 16 * 2**20


def run(params: dict[str, Any], body: Callable[[Any], Awaitable[Any]]) -> Any:
    """Connect to the run's URL and await ``body(ws)``, all within the run's timeout."""

    async def main() -> Any:
        session = aiohttp.ClientSession()
        connect = session.ws_connect(params["url"], max_msg_size=MAX_SIZE, compress=15)
        async with session, connect as ws:
            if "deflate=1" in params["url"] and not ws.compress:
                raise RuntimeError("permessage-deflate was not agreed")
            return await body(ws)

    return asyncio.run(asyncio.wait_for(main(), params["timeout"]))


def stream(params: dict[str, Any]) -> dict[str, Any]:
    tally = make_tally(params)

    async def body(ws: Any) -> None:
        receive, add = ws.receive, tally.add
        for _ in range(tally.total):
            add((await receive()).data)

    run(params, body)
    return tally.result()


def echo(params: dict[str, Any]) -> dict[str, Any]:
    sent = echo_payloads(params)
    samples: list[float] = []
    got: list[str] = []

    async def body(ws: Any) -> float:
        send, receive, clock = ws.send_str, ws.receive, time.perf_counter
        cpu0 = cpu_seconds()
        for message in sent:
            start = clock()
            await send(message)
            got.append((await receive()).data)
            samples.append(clock() - start)
        return cpu_seconds() - cpu0

    cpu = run(params, body)
    return echo_result(samples, sent, got, cpu)


def send(params: dict[str, Any]) -> dict[str, Any]:
    messages = echo_payloads(params)

    async def body(ws: Any) -> dict[str, Any]:
        write = ws.send_str
        start, cpu0 = time.perf_counter(), cpu_seconds()
        for message in messages:
            await write(message)
        ack = (await ws.receive()).data
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu0
        verdict = (await ws.receive()).data
        if ack != "ack" or verdict != "ok":
            return failure(f"server: {ack!r} {verdict!r}")
        return rate_result(len(messages), seconds, cpu, params["size"])

    result: dict[str, Any] = run(params, body)
    return result


def roundtrips(params: dict[str, Any]) -> dict[str, Any]:
    trips = RoundTrips(params)

    async def body(ws: Any) -> None:
        send, receive = ws.send_bytes, ws.receive
        trips.start()
        while True:
            await send(trips.next())
            if not trips.received((await receive()).data):
                break

    run(params, body)
    return trips.result()
