"""launchdarkly-eventsource: ``SSEClient(ConnectStrategy.http(url))``, iterating ``events``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ld_eventsource import SSEClient
from ld_eventsource.config import ConnectStrategy, ErrorStrategy

from .common import make_tally, with_last_id


def stream(params: dict[str, Any]) -> dict[str, Any]:
    tally = make_tally(params)
    add, total = tally.add, tally.total
    last_id = None
    client = SSEClient(ConnectStrategy.http(params["url"]))
    for event in client.events:
        add(event.data)
        if tally.n == total:
            last_id = event.last_event_id
            break
    client.close()
    return with_last_id(tally.result(), last_id, total)


def listen(url: str, on_data: Callable[[str], None], reconnect: bool) -> None:
    options: dict[str, Any] = {}
    if reconnect:  # keep going after the stream ends, with no delay
        options = {"initial_retry_delay": 0, "error_strategy": ErrorStrategy.always_continue()}
    client = SSEClient(ConnectStrategy.http(url), **options)

    def loop() -> None:
        try:
            for event in client.events:
                on_data(event.data)
        except Exception:
            pass

    threading.Thread(target=loop, daemon=True).start()
