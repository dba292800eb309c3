"""sseclient-py over a streamed ``requests`` response (baseline); it does not reconnect."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import requests
import sseclient

from .common import make_tally, with_last_id

HEADERS = {"Accept": "text/event-stream"}


def stream(params: dict[str, Any]) -> dict[str, Any]:
    tally = make_tally(params)
    add, total = tally.add, tally.total
    response = requests.get(params["url"], stream=True, headers=HEADERS)
    last_id = None
    for event in sseclient.SSEClient(response).events():
        add(event.data)
        if tally.n == total:
            last_id = event.id
            break
    response.close()
    return with_last_id(tally.result(), last_id, total)


def listen(url: str, on_data: Callable[[str], None], reconnect: bool) -> None:
    def loop() -> None:
        try:
            response = requests.get(url, stream=True, headers=HEADERS)
            for event in sseclient.SSEClient(response).events():
                on_data(event.data)
        except Exception:
            pass

    threading.Thread(target=loop, daemon=True).start()
