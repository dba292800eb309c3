"""permessage-deflate against real servers: websockets and aiohttp, compression on and off.

Each echoes what the client sends: a compressible JSON document goes out (the
server must inflate what we deflated) and comes back (we inflate what it
deflated), over plain TCP and TLS, with the server's default agreement and with
the restrictive parameters a server may impose.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
from collections.abc import Iterator

import pytest
import trustme
from aiohttp import WSMsgType, web
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.sync.server import ServerConnection, serve

from pushsdk import WSClient
from tests.ws.recorder import Recorder

WAIT = 10.0
DOCUMENT = json.dumps(
    [{"symbol": "BTCUSDT", "price": f"{43000 + i * 0.5:.2f}", "qty": "0.010"} for i in range(300)]
)
SMALL = '{"op":"ping"}'  # under the threshold: sent uncompressed


@pytest.fixture(scope="module")
def tls() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context, client context) from a CA made for the module."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return server, client


class WebsocketsEcho:
    def __init__(self, ssl_context: ssl.SSLContext | None, **options: object) -> None:
        self.extensions: list[str] = []
        self.received: list[str | bytes] = []

        def handler(conn: ServerConnection) -> None:
            self.extensions.append(",".join(e.name for e in conn.protocol.extensions))
            for message in conn:
                self.received.append(message)
                conn.send(message)

        self.server = serve(handler, "127.0.0.1", 0, ssl=ssl_context, **options)  # type: ignore[arg-type]
        port = self.server.socket.getsockname()[1]
        self.url = f"{'wss' if ssl_context else 'ws'}://127.0.0.1:{port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, name="websockets-echo")
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(WAIT)


class AiohttpEcho:
    def __init__(self, ssl_context: ssl.SSLContext | None, compress: bool) -> None:
        self.extensions: list[str] = []
        self.received: list[str | bytes] = []
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(
            target=self._run, args=(ssl_context, compress), name="aiohttp-echo"
        )
        self.thread.start()
        assert self.ready.wait(WAIT)

    async def _handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=self._compress)
        await ws.prepare(request)
        self.extensions.append(str(ws.compress))
        async for message in ws:
            if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                self.received.append(message.data)
                if message.type == WSMsgType.TEXT:
                    await ws.send_str(message.data)
                else:
                    await ws.send_bytes(message.data)
        return ws

    def _run(self, ssl_context: ssl.SSLContext | None, compress: bool) -> None:
        self._compress = compress
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_get("/", self._handler)
        self.runner = web.AppRunner(app)
        self.loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0, ssl_context=ssl_context)
        self.loop.run_until_complete(site.start())
        port = self.runner.addresses[0][1]
        self.url = f"{'wss' if ssl_context else 'ws'}://127.0.0.1:{port}/"
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.runner.cleanup())
        self.loop.close()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(WAIT)


SERVERS = {
    "websockets": lambda ctx: WebsocketsEcho(ctx, compression="deflate"),
    "websockets-off": lambda ctx: WebsocketsEcho(ctx, compression=None),
    "websockets-strict": lambda ctx: WebsocketsEcho(
        ctx,
        compression=None,
        extensions=[
            ServerPerMessageDeflateFactory(
                server_no_context_takeover=True,
                client_no_context_takeover=True,
                server_max_window_bits=9,
                client_max_window_bits=9,
            )
        ],
    ),
    "aiohttp": lambda ctx: AiohttpEcho(ctx, compress=True),
    "aiohttp-off": lambda ctx: AiohttpEcho(ctx, compress=False),
}


@pytest.fixture(params=list(SERVERS))
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["ws", "wss"])
def scheme(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def echo(
    kind: str, scheme: str, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> Iterator[WebsocketsEcho | AiohttpEcho]:
    server = SERVERS[kind](tls[0] if scheme == "wss" else None)
    yield server
    server.stop()


def test_echo_both_directions(
    echo: WebsocketsEcho | AiohttpEcho,
    kind: str,
    scheme: str,
    tls: tuple[ssl.SSLContext, ssl.SSLContext],
) -> None:
    recorder = Recorder()
    client = WSClient(
        echo.url,
        reconnect=False,
        ssl_context=tls[1] if scheme == "wss" else None,
    )
    with recorder.attach(client):
        assert client.wait_open(WAIT)
        for _ in range(3):  # context takeover (where agreed) carries across messages
            client.send(DOCUMENT)
        client.send(SMALL)
        client.send(DOCUMENT.encode())
        assert recorder.wait_count("message", 5, WAIT)
        stats = client.stats
    assert recorder.messages() == [DOCUMENT] * 3 + [SMALL, DOCUMENT.encode()]
    assert echo.received == [DOCUMENT] * 3 + [SMALL, DOCUMENT.encode()]
    assert stats.bytes_in == stats.bytes_out == 4 * len(DOCUMENT) + len(SMALL)
    server_agreed = echo.extensions[0] not in ("", "0", "False")  # as the server saw it
    assert server_agreed == (not kind.endswith("-off")), echo.extensions
    if kind.endswith("-off"):
        assert client.extension is None
        assert stats.wire_bytes_in == stats.bytes_in
        assert stats.wire_bytes_out == stats.bytes_out
    else:
        assert client.extension is not None and "permessage-deflate" in client.extension
        assert stats.wire_bytes_in < stats.bytes_in / 3, stats  # both ways compressed
        assert stats.wire_bytes_out < stats.bytes_out / 3, stats
    if kind == "websockets-strict":
        assert client.extension == (
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
            "server_max_window_bits=9; client_max_window_bits=9"
        )
