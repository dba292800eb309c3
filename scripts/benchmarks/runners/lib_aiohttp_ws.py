"""aiohttp's WebSocket client (``ClientSession.ws_connect``), compression on (its default)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from .common import make_tally

#: The same limit as pushsdk's default (aiohttp's own default is 4 MiB).
MAX_SIZE = 16 * 2**20


def stream(params: dict[str, Any]) -> dict[str, Any]:
    tally = make_tally(params)

    async def run() -> None:
        session = aiohttp.ClientSession()
        async with session, session.ws_connect(params["url"], max_msg_size=MAX_SIZE) as ws:
            receive, add = ws.receive, tally.add
            for _ in range(tally.total):
                add((await receive()).data)

    asyncio.run(asyncio.wait_for(run(), params["timeout"]))
    return tally.result()
