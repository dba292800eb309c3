"""pushsdk's ``SSEClient``: events through ``on_message`` on the client's thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pushsdk import Backoff, SSEClient

from .common import make_tally, with_last_id


def stream(params: dict[str, Any]) -> dict[str, Any]:
    tally = make_tally(params)
    add = tally.add
    last = [None]

    def on_message(client: Any, message: Any) -> None:
        add(message.data)
        last[0] = message.id

    client = SSEClient(params["url"], on_message=on_message, reconnect=False)
    client.start()
    tally.done.wait(params["timeout"])
    client.close()
    return with_last_id(tally.result(), last[0], tally.total)


def listen(url: str, on_data: Callable[[str], None], reconnect: bool) -> None:
    client = SSEClient(
        url,
        on_message=lambda client, message: on_data(message.data),
        reconnect=Backoff(initial=0.0, jitter=0.0) if reconnect else False,
    )
    client.start()
