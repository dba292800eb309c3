"""The public API both clients share: callbacks, lifecycle, iteration (``Client``).

Every method here is called from the user's threads; what runs on the client
thread itself is in ``_loop``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar, overload

from ._handlers import Handler
from ._loop import ClientLoop, OnClose, OnError, OnMessage, OnOpen, OnReconnect
from ._state import ReadyState, Stats
from .backoff import Backoff
from .message import Message

__all__ = [
    "BaseClient",
    "Client",
    "OnClose",
    "OnError",
    "OnMessage",
    "OnOpen",
    "OnReconnect",
    "check_seconds",
]

F = TypeVar("F", bound=Callable[..., object])
ClientT = TypeVar("ClientT", bound="Client[Any]")
#: What ``Message.data`` holds: ``str`` for SSE, ``str | bytes`` for WebSocket.
DataT = TypeVar("DataT", bound="str | bytes")

#: After close()'s timeout, how long to wait for the thread once the socket is cut.
_FORCED_CLOSE_GRACE = 1.0


def check_seconds(name: str, value: float | None, *, allow_none: bool = True) -> None:
    """Raise ValueError naming ``name`` unless ``value`` is a non-negative number."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{name} must be a non-negative number of seconds, got {value!r}")


class Client(ClientLoop, Generic[DataT]):
    """What ``WSClient`` and ``SSEClient`` have in common.

    Not instantiated directly: use ``WSClient`` (a ``Client[str | bytes]``) or
    ``SSEClient`` (a ``Client[str]``). Code that takes either can annotate with
    ``pushsdk.AnyClient``.
    """

    def __init__(
        self,
        url: str,
        *,
        on_open: OnOpen | None = None,
        on_message: OnMessage | None = None,
        on_close: OnClose | None = None,
        on_error: OnError | None = None,
        on_reconnect: OnReconnect | None = None,
        headers: dict[str, str] | None = None,
        reconnect: bool | Backoff = True,
        first_connect_timeout: float | None = 30.0,
    ) -> None:
        check_seconds("first_connect_timeout", first_connect_timeout)
        if not isinstance(url, str):
            raise TypeError(f"url must be a str, got {type(url).__name__}")
        backoff: Backoff | None
        if isinstance(reconnect, Backoff):
            backoff = reconnect
        elif isinstance(reconnect, bool):
            backoff = Backoff() if reconnect else None
        else:
            raise TypeError(f"reconnect must be a bool or a Backoff, got {reconnect!r}")
        if headers is not None and not all(
            isinstance(k, str) and isinstance(v, str) for k, v in dict(headers).items()
        ):
            raise TypeError("headers must map str to str")
        super().__init__(url, backoff, first_connect_timeout)
        self.headers: dict[str, str] = dict(headers or {})
        self.on_open = on_open
        self.on_message = on_message
        self.on_close = on_close
        self.on_error = on_error
        self.on_reconnect = on_reconnect
        self._started = False
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    # -- public API ---------------------------------------------------------------

    @property
    def ready_state(self) -> ReadyState:
        """CONNECTING, OPEN, CLOSING or CLOSED."""
        return self._state

    @property
    def stats(self) -> Stats:
        """A snapshot of the message, byte and reconnect counters."""
        return Stats(
            messages_in=self._messages_in,
            bytes_in=self._bytes_in,
            messages_out=self._messages_out,
            bytes_out=self._bytes_out,
            reconnects=max(self._opens - 1, 0),
            connected_since=self._connected_since,
        )

    @overload
    def on(self, event: str) -> Callable[[F], F]: ...

    @overload
    def on(self, event: str, handler: F) -> F: ...

    def on(self, event: str, handler: F | None = None) -> F | Callable[[F], F]:
        """Call ``handler(client, message)`` for each message named ``event``.

        ``"*"`` receives every message. Without ``handler``, returns a decorator.
        """
        if handler is None:

            def decorator(function: F) -> F:
                self._handlers.add(event, function)
                return function

            return decorator
        self._handlers.add(event, handler)
        return handler

    def off(self, event: str, handler: Handler | None = None) -> None:
        """Remove ``handler`` (or every handler) from ``event``."""
        self._handlers.remove(event, handler)

    def start(self) -> None:
        """Connect in a background thread and return at once."""
        self._claim_start()
        thread = threading.Thread(
            target=self._run, name=f"pushsdk-{self._kind}-{id(self):x}", daemon=True
        )
        self._thread = thread
        thread.start()

    def run_forever(self) -> None:
        """Connect and run in the calling thread; return once closed for good."""
        self._claim_start()
        self._run()

    def wait_open(self, timeout: float | None = None) -> bool:
        """Block until the client is OPEN.

        Returns:
            True once open; False on timeout, or if the client was closed by ``close()``
            (or ended cleanly with reconnect off) before opening.

        Raises:
            PushError: the error that ended the client for good (e.g. a
                ``HandshakeError`` for a 401, or the last ``ConnectError`` once
                ``first_connect_timeout`` ran out), as soon as it ends.
            RuntimeError: called from a callback of this client while not OPEN.
        """
        check_seconds("timeout", timeout)
        with self._state_changed:
            if self._state is not ReadyState.OPEN and timeout != 0:
                self._refuse_own_thread("wait_open()")
            self._state_changed.wait_for(
                lambda: self._state is ReadyState.OPEN or self._finished.is_set(), timeout
            )
            if self._state is ReadyState.OPEN:
                return True
        self._raise_end_error()
        return False

    def join(self, timeout: float | None = None) -> bool:
        """Block until the client is closed for good.

        Returns:
            True once it ended (by ``close()``, or cleanly with reconnect off); False on
            timeout.

        Raises:
            PushError: the error that ended the client for good (as iteration does).
            RuntimeError: never started, or called from a callback of this client.
        """
        check_seconds("timeout", timeout)
        if not self._started:
            raise RuntimeError("cannot join a client that was never started")
        self._refuse_own_thread("join()")
        if not self._finished.wait(timeout):
            return False
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                return False
        self._raise_end_error()
        return True

    def close(self, code: int = 1000, reason: str = "", timeout: float = 5.0) -> None:
        """Stop reconnecting, close the connection and wait for the thread to end.

        Safe from any thread, including from a callback (then it does not wait).
        After it returns no callback fires again.
        """
        self._check_close_args(code, reason)
        check_seconds("timeout", timeout, allow_none=False)
        with self._start_lock:
            never_started = not self._started
            self._started = True
        self._muted = True  # before _closing: whoever sees _closing set sees this too
        self._closing.set()
        if never_started:
            self._set_state(ReadyState.CLOSED)
            self._finish()
            return
        with self._state_changed:
            was_open = self._state is ReadyState.OPEN
            if self._state is not ReadyState.CLOSED:  # also while connecting or waiting
                self._state = ReadyState.CLOSING
                self._state_changed.notify_all()
        if was_open:
            self._start_closing(code, reason)
        else:
            self._interrupt()
        if threading.get_ident() == self._thread_ident:
            return
        if not self._finished.wait(timeout):
            self._interrupt()
            self._finished.wait(_FORCED_CLOSE_GRACE)
        if not self._finished.is_set():
            self._silenced = self._muted = True
            self._logger.warning("close(): client thread still busy in a callback; silenced it")
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(_FORCED_CLOSE_GRACE)

    def __enter__(self: ClientT) -> ClientT:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Message[DataT]]:
        return self.messages()

    def messages(self, timeout: float | None = None) -> Iterator[Message[DataT]]:
        """Yield every message in arrival order until the client is closed for good.

        The loop ends quietly after ``close()`` or a clean end with reconnect off.

        Raises:
            PushError: the error that ended the client for good, after every message
                that arrived before it was yielded.
            TimeoutError: no message arrived within ``timeout`` seconds.
            RuntimeError: the client was never started, or this is one of its callbacks.
        """
        check_seconds("timeout", timeout)
        if not self._started:
            raise RuntimeError("start() the client (or use it in a with block) before iterating")
        self._refuse_own_thread("iterating")
        return self._iterate(timeout)

    def _iterate(self, timeout: float | None) -> Iterator[Message[DataT]]:
        inbox = self._inbox
        inbox.attach()
        try:
            while (message := inbox.get(timeout)) is not None:
                yield message
        finally:
            inbox.detach()
        self._raise_end_error()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._state.name} {self._log_url!r}>"

    # -- helpers -----------------------------------------------------------------

    def _claim_start(self) -> None:
        with self._start_lock:
            if self._started:
                raise RuntimeError("client already started (a client runs once)")
            self._started = True

    def _raise_end_error(self) -> None:
        """Raise the error that ended the client for good, if it ended so."""
        error = self._end_error
        if error is not None and self._finished.is_set():
            raise error

    def _refuse_own_thread(self, what: str) -> None:
        """Raise instead of waiting on the client from its own thread: that could only hang."""
        if threading.get_ident() == self._thread_ident and not self._finished.is_set():
            raise RuntimeError(f"{what} from a callback of the same client would deadlock")

    @staticmethod
    def _check_close_args(code: int, reason: str) -> None:
        if isinstance(code, bool) or not isinstance(code, int):
            raise TypeError(f"code must be an int, got {type(code).__name__}")
        if code != 1000 and not 3000 <= code <= 4999:
            raise ValueError(f"code must be 1000 or within 3000-4999, got {code}")
        if not isinstance(reason, str):
            raise TypeError(f"reason must be a str, got {type(reason).__name__}")
        if len(reason.encode()) > 123:
            raise ValueError("reason must be at most 123 bytes of UTF-8")


#: Kept for the transports and for code written against the old private name.
BaseClient = Client
