"""requests-sse's ``EventSource``: iteration over a ``requests`` stream, with reconnect."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from requests_sse import EventSource

from .common import make_tally, with_last_id


def stream(params: dict[str, Any]) -> dict[str, Any]:
    tally = make_tally(params)
    add, total = tally.add, tally.total
    last_id = None
    with EventSource(params["url"], timeout=60) as source:
        for event in source:
            add(event.data)
            if tally.n == total:
                last_id = event.last_event_id
                break
    return with_last_id(tally.result(), last_id, total)


def listen(url: str, on_data: Callable[[str], None], reconnect: bool) -> None:
    # It doubles reconnection_time before each wait: 0 is the shortest delay.
    options = {"reconnection_time": timedelta(0)} if reconnect else {"max_connect_retry": 0}

    def loop() -> None:
        try:
            with EventSource(url, timeout=60, **options) as source:
                for event in source:
                    on_data(event.data)
        except Exception:
            pass

    threading.Thread(target=loop, daemon=True).start()
