"""httpx-sse: ``connect_sse`` on an ``httpx.Client``, iterating ``iter_sse()``; no reconnect."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
from httpx_sse import connect_sse

from .common import make_tally, with_last_id

TIMEOUT = httpx.Timeout(60.0)


def stream(params: dict[str, Any]) -> dict[str, Any]:
    tally = make_tally(params)
    add, total = tally.add, tally.total
    last_id = None
    with httpx.Client(timeout=TIMEOUT) as http, connect_sse(http, "GET", params["url"]) as source:
        for event in source.iter_sse():
            add(event.data)
            if tally.n == total:
                last_id = event.id
                break
    return with_last_id(tally.result(), last_id, total)


def listen(url: str, on_data: Callable[[str], None], reconnect: bool) -> None:
    def loop() -> None:
        try:
            with httpx.Client(timeout=TIMEOUT) as http, connect_sse(http, "GET", url) as source:
                for event in source.iter_sse():
                    on_data(event.data)
        except Exception:
            pass

    threading.Thread(target=loop, daemon=True).start()
