"""A fake pushsdk client for widget tests: it calls back from its own thread.

It follows the SDK's threading contract (callbacks on the client's thread, one
at a time; ``close()`` joins the thread) so the GUI code is exercised exactly as
with a real client, without a network.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from pushsdk import ConnectionClosed, Message, ReadyState, Stats
from pushsdk_monitor.connection.clients import Callbacks, ConnectOptions

Action = Callable[["FakeClient"], None]


class FakeClient:
    """Runs scripted actions on its own thread; records what was sent."""

    def __init__(self, url: str, callbacks: Callbacks, options: ConnectOptions) -> None:
        self.url = url
        self.callbacks = callbacks
        self.options = options
        self.ready_state = ReadyState.CONNECTING
        self.sent: list[str | bytes] = []  #: written to the (pretend) socket
        self.queued: list[str | bytes] = []  #: sent while not open, written on the next open
        self.echo = True
        self.messages_out = 0
        self.closed = threading.Event()
        self._actions: queue.Queue[Action | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=f"pushsdk-fake-{id(self):x}")
        self.close_calls: list[float] = []

    # -- the SDK API the monitor uses --------------------------------------------

    def start(self) -> None:
        self._thread.start()

    @property
    def stats(self) -> Stats:
        return Stats(messages_out=self.messages_out)

    def send(self, data: str | bytes) -> None:
        if self.closed.is_set():
            raise ConnectionClosed("client is closed")
        if self.ready_state is not ReadyState.OPEN:  # like WSClient: queued until open
            self.queued.append(data)
            return
        self._write(data)

    def _write(self, data: str | bytes) -> None:
        self.sent.append(data)
        self.messages_out += 1
        if self.echo:  # like a server echo: binary back as is, text prefixed
            reply = data if isinstance(data, bytes) else f"echo: {data}"
            self.do(lambda c: c.message(reply))

    def close(self, code: int = 1000, reason: str = "", timeout: float = 5.0) -> None:
        self.close_calls.append(timeout)
        self._actions.put(None)
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    # -- scripting (any thread) ----------------------------------------------------

    def do(self, action: Action) -> None:
        """Run ``action(self)`` on the client thread."""
        self._actions.put(action)

    def message(self, data: str | bytes, event: str = "message", id: str | None = None) -> None:
        """Deliver one message (call on the client thread, e.g. inside ``do``)."""
        self.callbacks.on_any(self, Message(data, event, id, self.url, time.time()))

    def drop(self, delay: float, error: Exception) -> None:
        """Lose the connection and announce a reconnect in ``delay`` seconds."""
        self.ready_state = ReadyState.CONNECTING
        self.callbacks.on_error(self, error)
        self.callbacks.on_close(self, 1006, "")
        self.callbacks.on_reconnect(self, 1, delay)

    def open(self) -> None:
        """Open: like WSClient, write what was queued, then say OPEN and call on_open."""
        queued, self.queued = self.queued, []
        for data in queued:
            self._write(data)
        self.ready_state = ReadyState.OPEN
        self.callbacks.on_open(self)

    def _run(self) -> None:
        self.open()
        while (action := self._actions.get()) is not None:
            action(self)
        was_open = self.ready_state is ReadyState.OPEN
        self.ready_state = ReadyState.CLOSED
        self.closed.set()
        if was_open:
            self.callbacks.on_close(self, 1000, "")


class FakeFactory:
    """A client factory that remembers the clients it made."""

    def __init__(self) -> None:
        self.clients: list[FakeClient] = []

    def __call__(self, url: str, callbacks: Callbacks, options: ConnectOptions) -> Any:
        client = FakeClient(url, callbacks, options)
        self.clients.append(client)
        return client

    @property
    def last(self) -> FakeClient:
        return self.clients[-1]


def flood(client: FakeClient, rate: int, seconds: float, done: threading.Event) -> int:
    """On the client thread: deliver ``rate`` messages per second for ``seconds``.

    Paced in 1 ms slices so the GUI thread gets the GIL in between, as with a
    real socket reader. Returns the number delivered.
    """
    on_any = client.callbacks.on_any
    url = client.url
    sent = 0
    start = time.perf_counter()
    end = start + seconds
    while (now := time.perf_counter()) < end:
        due = int((now - start) * rate)
        while sent < due:
            on_any(
                client,
                Message(f'{{"seq": {sent}, "kind": "tick"}}', "message", None, url, time.time()),
            )
            sent += 1
        time.sleep(0.001)
    done.set()
    return sent
