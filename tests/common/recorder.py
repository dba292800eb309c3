"""Records every callback a client makes: name, arguments, thread, order.

It also checks two threading rules on the fly: callbacks never overlap, and none
fires after ``close()`` has returned (``closed()`` marks that moment).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pushsdk import Message, PushError
from pushsdk._client import BaseClient
from tests.ending import ended

WAIT = 5.0


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Any, ...]
    thread: int
    at: float


class Recorder:
    """Attach to a client; ``calls`` lists its callbacks in the order they ran."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self._cond = threading.Condition()
        self._running = 0
        self._closed_returned = False
        #: Extra code to run inside a callback, by callback name (after recording it).
        self.then: dict[str, Callable[..., object]] = {}

    def attach(self, client: BaseClient) -> BaseClient:
        client.on_open = lambda c: self._record("open", c)
        client.on_message = lambda c, m: self._record("message", c, m)
        client.on_close = lambda c, code, reason: self._record("close", c, code, reason)
        client.on_error = lambda c, error: self._record("error", c, error)
        client.on_reconnect = lambda c, n, delay: self._record("reconnect", c, n, delay)
        return client

    def _record(self, name: str, client: BaseClient, *args: Any) -> None:
        with self._cond:
            self._running += 1
            if self._running > 1:
                self.violations.append(f"{name} overlapped another callback")
            if self._closed_returned:
                self.violations.append(f"{name}{args!r} fired after close() returned")
            self.calls.append(Call(name, args, threading.get_ident(), time.monotonic()))
            self._cond.notify_all()
        try:
            action = self.then.get(name)
            if action is not None:
                action(client, *args)
        finally:
            with self._cond:
                self._running -= 1

    def closed(self) -> None:
        """Mark that close() has returned: any later callback is a violation."""
        with self._cond:
            self._closed_returned = True

    def wait(self, predicate: Callable[[Recorder], bool], timeout: float = WAIT) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self), timeout)

    def wait_count(self, name: str, count: int = 1, timeout: float = WAIT) -> bool:
        return self.wait(lambda r: r.count(name) >= count, timeout)

    def count(self, name: str) -> int:
        return sum(1 for call in self.calls if call.name == name)

    def names(self, *, messages: bool = False) -> list[str]:
        """Callback names in order (messages left out unless asked for)."""
        return [c.name for c in self.calls if messages or c.name != "message"]

    def of(self, name: str) -> list[tuple[Any, ...]]:
        return [call.args for call in self.calls if call.name == name]

    def data(self) -> list[str | bytes]:
        return [args[0].data for args in self.of("message")]

    def errors(self) -> list[PushError]:
        return [args[0] for args in self.of("error")]

    def messages(self) -> list[Message]:
        return [args[0] for args in self.of("message")]


def close_and_check(client: BaseClient, recorder: Recorder, timeout: float = WAIT) -> None:
    """close() the client, then check the rules about what may follow it."""
    client.close(timeout=timeout)
    recorder.closed()
    assert ended(client, 0), "close() returned but the client thread is alive"
    assert not recorder.violations, recorder.violations
    if recorder.calls:
        assert recorder.calls[-1].name == "close", recorder.names()
