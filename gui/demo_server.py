"""The bundled demo server: one WebSocket and one SSE endpoint on a loopback port.

It reproduces the classic Node.js examples, so that ``pushsdk-monitor --demo``
and the tests have a live stream to watch:

- ``/ws`` (and ``/`` with an Upgrade header): sends ``Server time: HH:MM:SS`` every
  interval and answers every message with ``Server received: <message>``.
- ``/stream``: a welcome event, then the time every interval, ``id:`` on every
  event and an ``event: ping`` every ``ping_every`` ticks; a ``Last-Event-ID``
  request header resumes the numbering after that id.

Built on aiohttp, which serves WebSocket and streaming HTTP on one port from one
event loop. It runs in a background thread: ``DemoServer().start()`` ... ``stop()``,
or alone with ``python -m pushsdk_monitor.demo_server --port N``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Sequence

try:
    from aiohttp import WSMsgType, web
except ModuleNotFoundError as exc:  # run as a program without the gui extra: say what to do
    if __name__ != "__main__":
        raise
    raise SystemExit(
        f'the demo server needs the gui extra ({exc.name} is missing): pip install "pushsdk[gui]"'
    ) from None

__all__ = ["DemoServer", "main"]

WELCOME = "Connection established! This is the first message."
_log = logging.getLogger("pushsdk_monitor.demo_server")


def _clock() -> str:
    return time.strftime("%H:%M:%S")


class DemoServer:
    """The demo server, run on its own event loop in a background thread.

    Args:
        host: the address to bind (loopback by default).
        port: the port; 0 picks a free one (read it back from ``port``).
        interval: seconds between the periodic messages.
        ping_every: every this many SSE ticks, the event is an ``event: ping``.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        interval: float = 1.0,
        ping_every: int = 5,
    ) -> None:
        self.host = host
        self.port = port
        self.interval = interval
        self.ping_every = ping_every
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._stopping: asyncio.Event | None = None
        self._handlers: set[asyncio.Task[object]] = set()

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}/ws"

    @property
    def sse_url(self) -> str:
        return f"http://{self.host}:{self.port}/stream"

    def start(self, timeout: float = 10.0) -> DemoServer:
        """Bind and serve in a background thread; return once it accepts connections."""
        if self._thread is not None:
            raise RuntimeError("DemoServer already started")
        self._thread = threading.Thread(target=self._serve, name="demo-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("demo server did not start")
        if self._failure is not None:
            raise RuntimeError(f"demo server failed to start: {self._failure}") from self._failure
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Close every connection, stop serving and join the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        stopping = self._stopping
        if stopping is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stopping.set)
        thread.join(timeout)
        self._thread = None
        self._loop = None
        self._ready.clear()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- event loop thread ------------------------------------------------------

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
        finally:
            loop.close()

    async def _main(self) -> None:
        self._stopping = asyncio.Event()
        app = web.Application()
        app.router.add_get("/", self._root)
        app.router.add_get("/ws", self._websocket)
        app.router.add_get("/stream", self._stream)
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self.port = runner.addresses[0][1]  # port 0: read back the real port
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            for task in list(self._handlers):
                task.cancel()
            await runner.cleanup()

    def _track(self) -> asyncio.Task[object]:
        task: asyncio.Task[object] | None = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        task.add_done_callback(self._handlers.discard)
        return task

    async def _root(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._websocket(request)
        return web.Response(
            text=f"pushsdk demo server\nWebSocket: {self.ws_url}\nSSE: {self.sse_url}\n"
        )

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        self._track()
        ws = web.WebSocketResponse()
        await ws.prepare(request)

        async def tick() -> None:
            while not ws.closed:
                await asyncio.sleep(self.interval)
                await ws.send_str(f"Server time: {_clock()}")

        ticker = asyncio.ensure_future(tick())
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await ws.send_str(f"Server received: {msg.data}")
                elif msg.type is WSMsgType.BINARY:
                    await ws.send_bytes(b"Server received: " + msg.data)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            ticker.cancel()
            with contextlib.suppress(Exception):
                await ws.close(code=1001, message=b"server going away")
        return ws

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        self._track()
        last = request.headers.get("Last-Event-ID", "")
        next_id = int(last) + 1 if last.isdigit() else 1
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        try:
            await response.write(f"id: {next_id}\ndata: {WELCOME}\n\n".encode())
            tick = 0
            while True:
                await asyncio.sleep(self.interval)
                tick += 1
                next_id += 1
                if self.ping_every and tick % self.ping_every == 0:
                    payload = json.dumps({"type": "ping", "time": _clock(), "tick": tick})
                    event = f"id: {next_id}\nevent: ping\ndata: {payload}\n\n"
                else:
                    event = f"id: {next_id}\ndata: Server time: {_clock()}\n\n"
                await response.write(event.encode())
        except (ConnectionError, asyncio.CancelledError):
            pass
        return response


def main(argv: Sequence[str] | None = None) -> None:
    """Run the demo server in the foreground until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    server = DemoServer(args.host, args.port, interval=args.interval).start()
    _log.info("serving WebSocket on %s and SSE on %s", server.ws_url, server.sse_url)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
