"""The public API both clients share: callbacks, lifecycle, iteration (``Client``).

Every method here is called from the user's threads; what runs on the client
thread itself is in ``_loop``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar, overload

from ._checks import check_headers
from ._handlers import Handler
from ._loop import ClientLoop, OnClose, OnError, OnMessage, OnOpen, OnReconnect
from ._signals import start_without_signals
from ._state import ReadyState, Stats
from .backoff import Backoff
from .errors import CallbackError
from .message import Message

__all__ = [
    "BaseClient",
    "Client",
    "HeadersArg",
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

#: ``headers=``: a mapping, or a function returning one for each connection attempt.
HeadersArg = Mapping[str, str] | Callable[[], Mapping[str, str]]

#: After close()'s timeout, how long to wait for the thread once the socket is cut.
_FORCED_CLOSE_GRACE = 1.0


def check_seconds(name: str, value: float | None, *, allow_none: bool = True) -> None:
    """Raise ValueError naming ``name`` unless ``value`` is a non-negative number."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{name} must be a non-negative number of seconds, got {value!r}")


class Client(ClientLoop, Generic[DataT]):
    """What ``WSClient`` and ``SSEClient`` have in common: callbacks, lifecycle, iteration.

    Not instantiated directly: use ``WSClient`` (a ``Client[str | bytes]``) or
    ``SSEClient`` (a ``Client[str]``), whose docstrings give the callbacks and
    every argument. Code that takes either can annotate with ``pushsdk.AnyClient``.
    The rules are in the docs' "Reconnect and failure semantics" and "Threading
    model" pages.
    """

    __slots__ = {
        "_started": None,
        "_thread": None,
        "headers": "The headers sent on every connection, or the function that returns them.",
    }

    def __init__(
        self,
        url: str,
        *,
        on_open: OnOpen | None = None,
        on_message: OnMessage | None = None,
        on_close: OnClose | None = None,
        on_error: OnError | None = None,
        on_reconnect: OnReconnect | None = None,
        headers: HeadersArg | None = None,
        reconnect: bool | Backoff = True,
        first_connect_timeout: float | None = 30.0,
    ) -> None:
        check_seconds("first_connect_timeout", first_connect_timeout)
        if not callable(headers):
            check_headers("headers", headers)
        if not isinstance(url, str):
            raise TypeError(f"url must be a str, got {type(url).__name__}")
        backoff: Backoff | None
        if isinstance(reconnect, Backoff):
            backoff = reconnect
        elif isinstance(reconnect, bool):
            backoff = Backoff() if reconnect else None
        else:
            raise TypeError(f"reconnect must be a bool or a Backoff, got {reconnect!r}")
        super().__init__(url, backoff, first_connect_timeout)
        #: The headers sent on every connection, or the function that returns them.
        self.headers: dict[str, str] | Callable[[], Mapping[str, str]] = (
            headers if callable(headers) else dict(headers or {})
        )
        self.on_open = on_open
        self.on_message = on_message
        self.on_close = on_close
        self.on_error = on_error
        self.on_reconnect = on_reconnect
        self._started = False
        self._thread: threading.Thread | None = None

    # -- public API ---------------------------------------------------------------

    @property
    def ready_state(self) -> ReadyState:
        """CONNECTING, OPEN, CLOSING or CLOSED, as the browser's ``readyState``."""
        return self._state

    @property
    def stats(self) -> Stats:
        """A snapshot of the counters: messages and bytes in and out, reconnects."""
        messages_out, bytes_out, saved_out = self._sent()
        return Stats(
            messages_in=self._messages_in,
            bytes_in=self._bytes_in,
            messages_out=messages_out,
            bytes_out=bytes_out,
            wire_bytes_in=self._bytes_in - self._wire_saved_in,
            wire_bytes_out=bytes_out - saved_out,
            reconnects=max(self._opens - 1, 0),
            connected_since=self._connected_since,
        )

    @overload
    def on(self, event: str) -> Callable[[F], F]: ...

    @overload
    def on(self, event: str, handler: F) -> F: ...

    def on(self, event: str, handler: F | None = None) -> F | Callable[[F], F]:
        """Call ``handler(client, message)`` for each message named ``event``.

        The browser's ``addEventListener``: SSE events with ``event: NAME``, and
        WebSocket messages routed by ``event_key``, go to the handlers of NAME;
        ``"*"`` receives every message, whatever its name. Handlers run on the
        client's thread after ``on_message``, in the order they were added. Safe
        from any thread. Without ``handler``, returns a decorator::

            @client.on("ping")
            def on_ping(client, message): ...

        Returns:
            ``handler`` (or the decorator).
        """
        if handler is None:

            def decorator(function: F) -> F:
                self._handlers.add(event, function)
                return function

            return decorator
        self._handlers.add(event, handler)
        return handler

    def off(self, event: str, handler: Handler | None = None) -> None:
        """Remove ``handler`` from ``event``, or every handler of ``event`` if None."""
        self._handlers.remove(event, handler)

    def start(self) -> None:
        """Connect in a background thread and return at once.

        Raises:
            RuntimeError: the client was already started (a client runs once).
        """
        self._claim_start()
        thread = threading.Thread(
            target=self._run, name=f"pushsdk-{self._kind}-{id(self):x}", daemon=True
        )
        self._thread = thread
        start_without_signals(thread)  # Ctrl+C must reach the main thread

    def run_forever(self) -> None:
        """Connect and run in the calling thread; return once closed for good.

        Callbacks then run in the calling thread. Another thread (or a callback)
        ends it with ``close()``.
        """
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
        with self._state_lock:
            if self._state is not ReadyState.OPEN and timeout != 0:
                self._refuse_own_thread("wait_open()")
            self._wait(lambda: self._state is ReadyState.OPEN or self._finished, timeout)
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
        if not self._wait_finished(timeout):
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

        Safe from any thread, including from a callback (then it returns at once
        and the thread ends after the callback). After it returns, no callback
        fires again and no thread or socket of the client is left; ``on_close``
        has made its last call. Closing a closed client does nothing.

        Args:
            code: the WebSocket close code: 1000, or an application code from 3000
                to 4999 (ignored by SSE).
            reason: the close reason, at most 123 bytes of UTF-8.
            timeout: seconds to wait for a clean close; then the connection is
                cut, and a callback still running is silenced.
        """
        self._check_close_args(code, reason)
        check_seconds("timeout", timeout, allow_none=False)
        with self._state_lock:
            never_started = not self._started
            self._started = True
        self._muted = True  # before _closing: whoever sees _closing set sees this too
        self._set_closing()
        if never_started:
            self._set_state(ReadyState.CLOSED)
            self._finish()
            return
        with self._state_lock:
            was_open = self._state is ReadyState.OPEN
            if self._state is not ReadyState.CLOSED:  # also while connecting or waiting
                self._state = ReadyState.CLOSING
                self._notify()
        if was_open:
            self._start_closing(code, reason)
        else:
            self._interrupt()
        if threading.get_ident() == self._thread_ident:
            return
        if not self._wait_finished(timeout):
            self._interrupt()
            self._wait_finished(_FORCED_CLOSE_GRACE)
        if not self._finished:
            self._silenced = self._muted = True
            self._logger.warning("close(): client thread still busy in a callback; silenced it")
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(_FORCED_CLOSE_GRACE)

    def retry(self) -> None:
        """From ``on_error``: reconnect after this error, although it would end the client.

        A 401 or 403 (or any error that is not retried) ends the client for good.
        When ``on_error`` can fix the cause, e.g. by refreshing the token that a
        ``headers`` function returns, it calls ``retry()``: the client then
        reconnects with backoff instead of ending, and keeps its send buffer
        (WebSocket) and ``last_event_id`` (SSE). A call anywhere else does nothing.
        """
        if threading.get_ident() == self._thread_ident:
            self._retry_asked = True

    def __enter__(self: ClientT) -> ClientT:
        """``start()`` the client; the ``with`` block's end calls ``close()``."""
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        """``close()`` the client, also when the block raised."""
        self.close()

    def __iter__(self) -> Iterator[Message[DataT]]:
        """Iterate over the messages: ``messages()`` without a timeout."""
        return self.messages()

    def messages(self, timeout: float | None = None) -> Iterator[Message[DataT]]:
        """Yield every message, all event names, in arrival order, until the client ends.

        ``for message in client`` is the same without a timeout. The loop ends
        quietly after ``close()`` or a clean end with reconnect off. Messages that
        arrived before iteration began are included only while the client has no
        ``on_message`` and no ``on()`` handler (the last 1,024 are kept).

        Args:
            timeout: the longest wait for each message, in seconds; None waits
                without limit.

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
        inbox = self._open_inbox()
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

    def _current_headers(self) -> dict[str, str]:
        """The headers for this connection attempt (a ``headers`` function is called now).

        Raises:
            CallbackError: the function raised or returned something that is not headers.
        """
        headers = self.headers
        if not callable(headers):
            return headers
        name = getattr(headers, "__qualname__", repr(headers))
        try:
            value = dict(headers())
            check_headers("headers()", value)
        except Exception as exc:
            error = CallbackError(f"headers function {name} failed: {type(exc).__name__}: {exc}")
            error.__cause__ = exc
            raise error from exc
        return value

    def _claim_start(self) -> None:
        with self._state_lock:
            if self._started:
                raise RuntimeError("client already started (a client runs once)")
            self._started = True

    def _raise_end_error(self) -> None:
        """Raise the error that ended the client for good, if it ended so."""
        error = self._end_error
        if error is not None and self._finished:
            raise error

    def _refuse_own_thread(self, what: str) -> None:
        """Raise instead of waiting on the client from its own thread: that could only hang."""
        if threading.get_ident() == self._thread_ident and not self._finished:
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
