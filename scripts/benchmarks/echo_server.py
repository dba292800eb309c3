"""A C-speed WebSocket echo server for the round-trip scenario: picows' own server.

Run as ``python -m scripts.benchmarks.echo_server [--tls CHAIN_PEM]``: it prints
``PORT <n>`` and echoes every data frame (same opcode, same payload) until its stdin
closes. picows parses and builds frames in Cython, so a Python client, however fast,
is what limits a round trip; the harness pins it to another CPU than the client's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import ssl
import sys
from typing import Any

from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_create_server


class Echo(WSListener):  # type: ignore[misc]
    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type == WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code())
            transport.disconnect()
        elif frame.msg_type in (WSMsgType.TEXT, WSMsgType.BINARY, WSMsgType.CONTINUATION):
            transport.send(frame.msg_type, frame.get_payload_as_memoryview(), frame.fin)


async def serve(chain: str | None) -> None:
    extra: dict[str, Any] = {}
    if chain:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(chain)
        extra["ssl"] = context
    server = await ws_create_server(
        lambda request: Echo(), "127.0.0.1", 0, max_frame_size=16 * 2**20, **extra
    )
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # the harness closes stdin when done
    os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.benchmarks.echo_server")
    parser.add_argument("--tls", metavar="CHAIN_PEM", help="serve wss:// with this key+chain")
    asyncio.run(serve(parser.parse_args().tls))


if __name__ == "__main__":
    main()
