"""The replay server: aiohttp serving a ``Plan`` as WebSocket or SSE on every path.

aiohttp (the ``replay`` extra, as for the demo server) serves WebSocket and
streaming HTTP from one event loop in the calling thread; Ctrl+C closes every
connection (WebSocket: 1001 going away) and returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Callable

from aiohttp import WSMsgType, web

from .replay_plan import Plan, sse_event

__all__ = ["serve"]

#: The close reason a WebSocket client gets after the last message.
END_REASON = "end of recording"
#: The id an SSE replay ends with when the recording's own last id cannot say "all
#: played" (no ids, or the last id repeated): sent in an event with no data (the
#: client dispatches nothing but keeps the id), so its reconnect gets 204.
END_ID = "pushsdk-replay-end"


class _Replay:
    def __init__(self, plan: Plan, speed: float | None, loop: bool) -> None:
        self.plan = plan
        self.speed = speed
        self.loop = loop
        self.sockets: set[web.WebSocketResponse] = set()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        upgrade = request.headers.get("Upgrade", "").lower() == "websocket"
        if self.plan.protocol == "ws":
            if not upgrade:
                return web.Response(
                    status=426,
                    text="this endpoint replays a WebSocket recording: connect with ws://\n",
                    headers={"Upgrade": "websocket"},
                )
            return await self.websocket(request)
        if upgrade:
            return web.Response(status=400, text="this endpoint replays an SSE recording\n")
        return await self.event_stream(request)

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        offered = request.headers.get("Sec-WebSocket-Protocol", "")
        protocols = [p.strip() for p in offered.split(",") if p.strip()]
        ws = web.WebSocketResponse(protocols=protocols[:1], heartbeat=None)
        await ws.prepare(request)
        self.sockets.add(ws)
        drain = asyncio.ensure_future(self._drain(ws))
        try:
            for wait, step in self.plan.schedule(0, self.speed, loop=self.loop):
                await asyncio.sleep(wait)  # even 0: lets the drain see a close while looping
                if ws.closed:
                    break
                if isinstance(step.data, bytes):
                    await ws.send_bytes(step.data)
                else:
                    await ws.send_str(step.data)
            await ws.close(code=1000, message=END_REASON.encode())
        except (ConnectionError, RuntimeError):
            pass  # the client went away
        finally:
            drain.cancel()
            self.sockets.discard(ws)
        return ws

    @staticmethod
    async def _drain(ws: web.WebSocketResponse) -> None:
        """Read (and ignore) what the client sends, answering its pings and close."""
        with contextlib.suppress(Exception):
            async for message in ws:
                if message.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
                    break

    def _played(self, last_id: str) -> bool:
        """Whether a client whose last event ID is ``last_id`` has had every event."""
        if last_id == END_ID:
            return True
        return bool(last_id) and self.plan.resume_index(last_id) >= len(self.plan.steps)

    async def event_stream(self, request: web.Request) -> web.StreamResponse:
        await request.read()  # a POST stream's body
        last_id = request.headers.get("Last-Event-ID", "")
        if not self.loop and self._played(last_id):
            return web.Response(status=204)  # all played: EventSource stops reconnecting
        start = self.plan.resume_index(last_id)
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        current = last_id
        try:
            for wait, step in self.plan.schedule(start, self.speed, loop=self.loop):
                if wait:
                    await asyncio.sleep(wait)
                data, current = sse_event(step, current)
                await response.write(data)
            if not self.loop and not self._played(current):
                await response.write(f"id: {END_ID}\n\n".encode())
            await response.write_eof()
        except (ConnectionError, RuntimeError):
            pass
        return response


def serve(
    plan: Plan,
    *,
    host: str,
    port: int,
    speed: float | None,
    loop: bool,
    announce: Callable[[str], None],
    tls: ssl.SSLContext | None = None,
) -> None:
    """Serve ``plan`` until interrupted (over TLS with ``tls``); ``announce(url)`` once
    listening.

    Raises:
        OSError: the address cannot be bound.
        KeyboardInterrupt: Ctrl+C, after every connection was closed.
    """
    replay = _Replay(plan, speed, loop)

    async def main() -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", replay.handle)
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port, ssl_context=tls)
            await site.start()
            bound = runner.addresses[0][1]
            scheme = "ws" if plan.protocol == "ws" else "http"
            scheme += "s" if tls is not None else ""
            announce(f"{scheme}://{host}:{bound}/")
            await asyncio.Event().wait()
        finally:
            for ws in list(replay.sockets):
                with contextlib.suppress(Exception):
                    await ws.close(code=1001, message=b"replay server stopping")
            await runner.cleanup()

    asyncio.run(main())
