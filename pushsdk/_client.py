"""The machinery both clients share: callbacks, lifecycle, reconnect, iteration.

A client owns one thread. It connects, reads until the connection ends, and
reconnects with backoff until it is closed for good; callbacks run on that thread,
one at a time, with no lock held, so a callback may send or close.

Subclasses implement the transport hooks (``_connect``, ``_receive``,
``_interrupt``, ``_start_closing``) and call ``_deliver`` per message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, overload

from ._handlers import ANY_EVENT, Handler, HandlerRegistry
from ._inbox import Inbox
from ._redact import redact_url
from ._retry import is_transient, retry_after
from ._state import ReadyState, Stats
from .backoff import Backoff
from .errors import CallbackError, ConnectError, ProtocolError, PushError
from .message import Message

OnOpen = Callable[[Any], object]
OnMessage = Callable[[Any, Message], object]
OnClose = Callable[[Any, "int | None", str], object]
OnError = Callable[[Any, PushError], object]
OnReconnect = Callable[[Any, int, float], object]

F = TypeVar("F", bound=Callable[..., object])

# A library adds no handler but this one: without it, Python's last-resort handler
# would print pushsdk's warnings to stderr in a program that never set up logging.
logging.getLogger("pushsdk").addHandler(logging.NullHandler())

#: After close()'s timeout, how long to wait for the thread once the socket is cut.
_FORCED_CLOSE_GRACE = 1.0


def check_seconds(name: str, value: float | None, *, allow_none: bool = True) -> None:
    """Raise ValueError naming ``name`` unless ``value`` is a non-negative number."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{name} must be a non-negative number of seconds, got {value!r}")


class BaseClient:
    """What ``WSClient`` and ``SSEClient`` have in common (see SPEC.md)."""

    _logger: logging.Logger = logging.getLogger("pushsdk")
    #: The code ``on_close`` reports when no clean close code is known.
    _abnormal_close_code: int | None = 1006
    _kind = "client"

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
    ) -> None:
        if not isinstance(url, str):
            raise TypeError(f"url must be a str, got {type(url).__name__}")
        if isinstance(reconnect, Backoff):
            self._backoff: Backoff | None = reconnect
        elif isinstance(reconnect, bool):
            self._backoff = Backoff() if reconnect else None
        else:
            raise TypeError(f"reconnect must be a bool or a Backoff, got {reconnect!r}")
        if headers is not None and not all(
            isinstance(k, str) and isinstance(v, str) for k, v in dict(headers).items()
        ):
            raise TypeError("headers must map str to str")
        self.url = url
        self.headers: dict[str, str] = dict(headers or {})
        self.on_open = on_open
        self.on_message = on_message
        self.on_close = on_close
        self.on_error = on_error
        self.on_reconnect = on_reconnect
        self.last_error: PushError | None = None

        self._handlers = HandlerRegistry()
        self._closing = threading.Event()
        self._inbox = Inbox(self._logger, self._closing)
        self._state = ReadyState.CONNECTING
        self._state_changed = threading.Condition(threading.Lock())
        self._finished = threading.Event()
        self._started = False
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._thread_ident: int | None = None
        self._silenced = False
        #: close() began or the thread was silenced: ``_deliver`` reads this one flag.
        self._muted = False
        #: An on_close failure, reported to on_error only if a callback follows on_close.
        self._close_failure: CallbackError | None = None
        #: Base delay set by the server (the SSE ``retry:`` field), overriding Backoff.initial.
        self._server_retry: float | None = None

        self._messages_in = 0
        self._bytes_in = 0
        self._messages_out = 0
        self._bytes_out = 0
        self._opens = 0
        self._connected_since: float | None = None

    # -- transport hooks ---------------------------------------------------------

    def _connect(self) -> None:
        """Open a connection; raise a PushError if it cannot be opened."""
        raise NotImplementedError

    def _receive(self) -> tuple[int | None, str]:
        """Read until the connection ends, calling ``_deliver`` per message.

        Returns the close code and reason of a clean end; raises PushError otherwise.
        """
        raise NotImplementedError

    def _interrupt(self) -> None:
        """Unblock ``_connect`` or ``_receive`` from another thread, at once."""
        raise NotImplementedError

    def _start_closing(self, code: int, reason: str) -> None:
        """Begin a clean close of the open connection (called from any thread)."""
        self._interrupt()

    def _mark_open(self) -> None:
        """Switch to OPEN; WSClient also flushes its send buffer here, atomically."""
        self._set_state(ReadyState.OPEN)

    def _release(self) -> None:
        """Free what the last connection held (called on the client thread)."""

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
        """Block until the client is OPEN; return False on timeout or if it ended.

        Raises RuntimeError from a callback of this client while not OPEN (a deadlock).
        """
        check_seconds("timeout", timeout)
        with self._state_changed:
            if self._state is not ReadyState.OPEN and timeout != 0:
                self._refuse_own_thread("wait_open()")
            self._state_changed.wait_for(
                lambda: self._state is ReadyState.OPEN or self._finished.is_set(), timeout
            )
            return self._state is ReadyState.OPEN

    def join(self, timeout: float | None = None) -> bool:
        """Block until the client is closed for good; return False on timeout.

        Raises RuntimeError if never started, or from a callback of this client.
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
            return not thread.is_alive()
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

    def __enter__(self) -> BaseClient:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Message]:
        return self.messages()

    def messages(self, timeout: float | None = None) -> Iterator[Message]:
        """Yield every message in arrival order until the client is closed for good.

        Raises:
            TimeoutError: no message arrived within ``timeout`` seconds.
            RuntimeError: the client was never started, or this is one of its callbacks.
        """
        check_seconds("timeout", timeout)
        if not self._started:
            raise RuntimeError("start() the client (or use it in a with block) before iterating")
        self._refuse_own_thread("iterating")
        return self._iterate(timeout)

    def _iterate(self, timeout: float | None) -> Iterator[Message]:
        inbox = self._inbox
        inbox.attach()
        try:
            while (message := inbox.get(timeout)) is not None:
                yield message
        finally:
            inbox.detach()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._state.name} {self.url!r}>"

    # -- per-message path (client thread) ------------------------------------------

    def _deliver(self, message: Message) -> bool:
        """Hand one message to on_message, the on() handlers and the iterators.

        Returns False if close() had begun, so the message was not delivered.
        """
        self._messages_in += 1
        if self._muted:  # close() began (maybe from a callback): no more
            return False
        event = message.event
        callback = self.on_message
        if callback is not None and event == "message":
            try:
                callback(self, message)
            except Exception as exc:
                self._callback_failed(callback, exc)
        table = self._handlers.table
        if table:
            for handler in table.get(event, ()):
                try:
                    handler(self, message)
                except Exception as exc:
                    self._callback_failed(handler, exc)
            for handler in table.get(ANY_EVENT, ()):
                try:
                    handler(self, message)
                except Exception as exc:
                    self._callback_failed(handler, exc)
        inbox = self._inbox
        keep_backlog = callback is None and not table
        if keep_backlog or inbox.has_readers:
            inbox.put(message, keep_backlog=keep_backlog)
        return True

    # -- lifecycle (client thread) -----------------------------------------------------

    def _claim_start(self) -> None:
        with self._start_lock:
            if self._started:
                raise RuntimeError("client already started (a client runs once)")
            self._started = True

    def _run(self) -> None:
        self._thread_ident = threading.get_ident()
        backoff = self._backoff
        failures = 0  # consecutive attempts without a lasting connection
        attempt = 0  # reported to on_reconnect; reset by every open
        owes_close = True  # no on_close since the last attempt (or since start)
        try:
            while not self._closing.is_set():
                self._set_state(ReadyState.CONNECTING)
                error: PushError | None = None
                try:
                    self._connect()
                except PushError as exc:
                    error = exc
                if error is not None:
                    owes_close = True
                    if self._closing.is_set():
                        break
                    self._report(error)
                    if not is_transient(error):
                        break
                else:
                    if self._closing.is_set():  # close() raced the handshake
                        self._release()
                        owes_close = True
                        break
                    opened_at = time.monotonic()
                    attempt = 0
                    owes_close = False
                    error = self._serve_connection()
                    if backoff is not None and time.monotonic() - opened_at >= backoff.reset_after:
                        failures = 0
                    if error is not None and not is_transient(error):
                        break
                if backoff is None or self._closing.is_set():
                    break
                failures += 1
                attempt += 1
                if backoff.max_attempts is not None and attempt > backoff.max_attempts:
                    self._logger.info("giving up after %d reconnect attempts", attempt - 1)
                    break
                delay = retry_after(error)
                if delay is None:
                    delay = backoff.delay(failures, initial=self._server_retry)
                owes_close = True
                if self._close_failure is not None:
                    self._emit(self.on_error, self._close_failure)
                    self._close_failure = None
                self._emit(self.on_reconnect, attempt, delay)
                if self._closing.wait(delay):
                    break
        except BaseException as exc:  # pragma: no cover - a bug in pushsdk itself
            self._logger.exception("client thread crashed")
            self._report(ConnectError(f"internal error: {exc!r}"))
            owes_close = True
            raise
        finally:
            self._set_state(ReadyState.CLOSED)
            if owes_close:
                self._emit(self.on_close, self._abnormal_close_code, "")
            self._finish()

    def _serve_connection(self) -> PushError | None:
        """Run one open connection to its end; return the error that ended it, if any."""
        self._opens += 1
        self._connected_since = time.time()
        self._mark_open()
        self._logger.info("open: %s", self._log_url)
        self._emit(self.on_open)
        code: int | None
        error: PushError | None = None
        try:
            code, reason = self._receive()
        except PushError as exc:
            error = exc
            code = exc.close_code if isinstance(exc, ProtocolError) else None
            code = code if code is not None else self._abnormal_close_code
            reason = str(exc)
        finally:
            self._connected_since = None
            self._release()
        ending = self._closing.is_set() or self._backoff is None
        self._set_state(ReadyState.CLOSED if ending else ReadyState.CONNECTING)
        if error is not None and not self._closing.is_set():
            self._report(error)
        elif error is not None:
            self._logger.debug("connection ended while closing: %s", error)
        self._logger.info("closed: code=%s reason=%r", code, reason)
        self._emit(self.on_close, code, reason)
        return error

    def _finish(self) -> None:
        self._inbox.end()
        self._finished.set()
        with self._state_changed:
            self._state_changed.notify_all()

    def _set_state(self, state: ReadyState) -> None:
        with self._state_changed:
            self._state = state
            self._state_changed.notify_all()

    # -- callbacks ---------------------------------------------------------------

    def _emit(self, callback: Callable[..., object] | None, *args: Any) -> None:
        if callback is None or self._silenced:
            return
        try:
            callback(self, *args)
        except Exception as exc:
            self._callback_failed(callback, exc)

    def _report(self, error: PushError) -> None:
        """Record ``error`` and pass it to on_error."""
        self.last_error = error
        self._logger.warning("%s: %s", type(error).__name__, error)
        self._emit(self.on_error, error)

    def _callback_failed(self, callback: Callable[..., object], exc: Exception) -> None:
        name = getattr(callback, "__qualname__", repr(callback))
        self._logger.error("callback %s raised %r", name, exc, exc_info=exc)
        if callback is self.on_error:
            return
        error = CallbackError(f"callback {name} raised {type(exc).__name__}: {exc}")
        error.__cause__ = exc
        self.last_error = error
        if callback is self.on_close:  # on_close must stay the last callback
            self._close_failure = error
            return
        self._emit(self.on_error, error)

    # -- helpers -----------------------------------------------------------------

    def _refuse_own_thread(self, what: str) -> None:
        """Raise instead of waiting on the client from its own thread: that could only hang."""
        if threading.get_ident() == self._thread_ident and not self._finished.is_set():
            raise RuntimeError(f"{what} from a callback of the same client would deadlock")

    @property
    def _log_url(self) -> str:
        return redact_url(self.url)

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
