"""picows' asyncio client (``ws_connect`` with a ``WSListener``), driven as its README shows.

picows hands over frames, not messages; the benchmark server never fragments, so each
final frame is a message. Text is decoded with ``get_payload_as_utf8_text()`` (UTF-8
checked, as every other client does), binary taken with ``get_payload_as_bytes()``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

from .common import (
    CallbackEcho,
    RoundTrips,
    cpu_seconds,
    echo_payloads,
    failure,
    make_tally,
    rate_result,
)

#: The same limit as pushsdk's default (picows' own is 10 MiB).
MAX_SIZE = 16 * 2**20


def message(frame: WSFrame) -> str | bytes:
    """The frame's payload as every client delivers it: str for text, bytes for binary."""
    if not frame.fin:
        raise ValueError("the benchmark server does not fragment")
    if frame.msg_type == WSMsgType.TEXT:
        return frame.get_payload_as_utf8_text()
    return frame.get_payload_as_bytes()


def run(listener: WSListener, url: str, timeout: float) -> None:
    """Connect with ``listener``, and wait until it disconnects (or ``timeout``)."""

    async def main() -> None:
        transport, _ = await ws_connect(lambda: listener, url, max_frame_size=MAX_SIZE)
        try:
            await asyncio.wait_for(transport.wait_disconnected(), timeout)
        finally:
            transport.disconnect()

    asyncio.run(main())


def finish(transport: WSTransport) -> None:
    transport.send_close()
    transport.disconnect()


def stream(params: dict[str, Any]) -> dict[str, Any]:
    tally = make_tally(params)
    add = tally.add

    class Listener(WSListener):  # type: ignore[misc]
        def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
            if frame.msg_type == WSMsgType.CLOSE:
                finish(transport)
                return
            add(message(frame))
            if tally.done.is_set():
                finish(transport)

    run(Listener(), params["url"], params["timeout"])
    return tally.result()


def echo(params: dict[str, Any]) -> dict[str, Any]:
    loop = CallbackEcho(echo_payloads(params))

    def send(text: str, transport: WSTransport) -> None:
        transport.send(WSMsgType.TEXT, text.encode())

    class Listener(WSListener):  # type: ignore[misc]
        def on_ws_connected(self, transport: WSTransport) -> None:
            loop.opened(lambda text: send(text, transport))

        def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
            loop.received(message(frame), lambda text: send(text, transport))  # type: ignore[arg-type]
            if loop.done.is_set():
                finish(transport)

    cpu0 = cpu_seconds()
    run(Listener(), params["url"], params["timeout"])
    return loop.result(cpu_seconds() - cpu0)


def send(params: dict[str, Any]) -> dict[str, Any]:
    messages = echo_payloads(params)
    replies: list[Any] = []
    figures: list[float] = []

    class Listener(WSListener):  # type: ignore[misc]
        def on_ws_connected(self, transport: WSTransport) -> None:
            write, text = transport.send, WSMsgType.TEXT
            figures.extend((time.perf_counter(), cpu_seconds()))
            for m in messages:
                write(text, m.encode())

        def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
            replies.append(message(frame))
            if len(replies) == 1:
                figures.extend((time.perf_counter(), cpu_seconds()))
            else:
                finish(transport)

    run(Listener(), params["url"], params["timeout"])
    if replies != ["ack", "ok"]:
        return failure(f"server: {replies!r}")
    start, cpu0, end, cpu1 = figures
    return rate_result(len(messages), end - start, cpu1 - cpu0, params["size"])


def roundtrips(params: dict[str, Any]) -> dict[str, Any]:
    trips = RoundTrips(params)

    class Listener(WSListener):  # type: ignore[misc]
        def on_ws_connected(self, transport: WSTransport) -> None:
            self.write = transport.send
            trips.start()
            transport.send(WSMsgType.BINARY, trips.next())

        def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
            if trips.received(message(frame)):
                self.write(WSMsgType.BINARY, trips.next())
            else:
                finish(transport)

    run(Listener(), params["url"], params["timeout"])
    return trips.result()
