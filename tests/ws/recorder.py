"""A callback recorder for WSClient tests: every callback becomes an event in a list."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from pushsdk import Message, PushError, WSClient

WAIT = 5.0


class Recorder:
    """Attach to a client; ``events`` lists ("open",), ("message", data), ("close", code,
    reason), ("error", error), ("reconnect", attempt, delay) in callback order."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []
        self._changed = threading.Condition()

    def attach(self, client: WSClient) -> WSClient:
        client.on_open = lambda _c: self.add("open")
        client.on_message = lambda _c, m: self.add("message", m.data)
        client.on_close = lambda _c, code, reason: self.add("close", code, reason)
        client.on_error = lambda _c, error: self.add("error", error)
        client.on_reconnect = lambda _c, attempt, delay: self.add("reconnect", attempt, delay)
        return client

    def add(self, *event: Any) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def wait(
        self, predicate: Callable[[list[tuple[Any, ...]]], bool], timeout: float = WAIT
    ) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self.events), timeout)

    def wait_count(self, kind: str, count: int = 1, timeout: float = WAIT) -> bool:
        return self.wait(lambda events: self.count(kind) >= count, timeout)

    def count(self, kind: str) -> int:
        return sum(1 for event in self.events if event[0] == kind)

    def kinds(self) -> list[str]:
        return [event[0] for event in self.events]

    def of(self, kind: str) -> list[tuple[Any, ...]]:
        return [event for event in self.events if event[0] == kind]

    def messages(self) -> list[str | bytes]:
        return [event[1] for event in self.events if event[0] == "message"]

    def errors(self) -> list[PushError]:
        return [event[1] for event in self.events if event[0] == "error"]


def data_of(message: Message) -> str | bytes:
    return message.data
