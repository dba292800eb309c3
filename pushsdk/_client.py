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
from typing import Any, Generic, TypeVar, overload

from ._handlers import ANY_EVENT, Handler, HandlerRegistry
from ._inbox import Inbox
from ._redact import redact_url
from ._retry import ReconnectSchedule, is_transient
from ._state import ReadyState, Stats
from .backoff import Backoff
from .errors import CallbackError, ConnectError, ConnectionClosed, ProtocolError, PushError
from .message import Message

# Loose callback types for the shared constructor; each client's own signature
# spells out the exact ones (they show in help() and in IDEs).
OnOpen = Callable[[Any], object]
OnMessage = Callable[[Any, Message[Any]], object]
OnClose = Callable[[Any, "int | None", str], object]
OnError = Callable[[Any, PushError], object]
OnReconnect = Callable[[Any, int, float], object]

F = TypeVar("F", bound=Callable[..., object])
ClientT = TypeVar("ClientT", bound="Client[Any]")
#: What ``Message.data`` holds: ``str`` for SSE, ``str | bytes`` for WebSocket.
DataT = TypeVar("DataT", bound="str | bytes")

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


class Client(Generic[DataT]):
    """What ``WSClient`` and ``SSEClient`` have in common.

    Not instantiated directly: use ``WSClient`` (a ``Client[str | bytes]``) or
    ``SSEClient`` (a ``Client[str]``). Code that takes either can annotate with
    ``pushsdk.AnyClient``.
    """

    _logger: logging.Logger = logging.getLogger("pushsdk")
    #: The code ``on_close`` reports when no clean close code is known.
    _abnormal_close_code: int | None = 1006
    #: The code ``on_close`` reports for a close the user caused (Ctrl+C included).
    _user_close_code: int | None = 1000
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
        first_connect_timeout: float | None = 30.0,
    ) -> None:
        check_seconds("first_connect_timeout", first_connect_timeout)
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
        self.first_connect_timeout = first_connect_timeout
        #: The last error reported to on_error (None if none yet).
        self.last_error: PushError | None = None
        #: The error that ended the client for good; None while running, after close()
        #: or after a clean end with reconnect off. Iteration, wait_open() and join()
        #: raise it.
        self._end_error: PushError | None = None
        #: Whether the one stderr notice of a failing callback was given (see _tell_once).
        self._told_of_callback_failure = False

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
        self._wire_saved_in = 0  # payload bytes compression kept off the wire
        self._wire_saved_out = 0
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
            wire_bytes_in=self._bytes_in - self._wire_saved_in,
            wire_bytes_out=self._bytes_out - self._wire_saved_out,
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

    # -- per-message path (client thread) ------------------------------------------

    def _deliver(self, message: Message[Any]) -> None:
        """Hand one message to on_message, the on() handlers and the iterators.

        Checked again before each further handler: close() may return while one runs
        (past its timeout), and no handler may start after that.
        """
        self._messages_in += 1
        if self._muted:  # close() began (maybe from a callback): no more
            return
        closing = self._closing.is_set  # set by close() right after _muted
        event = message.event
        callback = self.on_message
        if callback is not None and event == "message":
            try:
                callback(self, message)
            except Exception as exc:
                self._callback_failed(callback, exc)
            if closing():
                return
        table = self._handlers.table
        if table:
            for handler in (*table.get(event, ()), *table.get(ANY_EVENT, ())):
                try:
                    handler(self, message)
                except Exception as exc:
                    self._callback_failed(handler, exc)
                if closing():
                    return
        inbox = self._inbox
        keep_backlog = callback is None and not table
        if keep_backlog or inbox.has_readers:
            inbox.put(message, keep_backlog=keep_backlog)

    # -- lifecycle (client thread) -----------------------------------------------------

    def _claim_start(self) -> None:
        with self._start_lock:
            if self._started:
                raise RuntimeError("client already started (a client runs once)")
            self._started = True

    def _run(self) -> None:
        self._thread_ident = threading.get_ident()
        schedule = ReconnectSchedule(
            self._backoff, first_connect_timeout=self.first_connect_timeout
        )
        self._owes_close = True  # no on_close since the last attempt (or since start)
        end_error: PushError | None = None
        try:
            while not self._closing.is_set():
                self._set_state(ReadyState.CONNECTING)
                error = self._attempt()
                if error is not None:
                    self._owes_close = True
                    if self._closing.is_set():
                        break
                    self._report(error)
                elif self._closing.is_set():  # close() raced the handshake
                    self._release()
                    break
                else:
                    schedule.opened()
                    self._owes_close = False
                    error = self._serve_connection()
                if self._closing.is_set():
                    break
                if error is not None and not is_transient(error):
                    end_error = error
                    break
                delay = schedule.next_delay(error, self._server_retry)
                if delay is None:
                    if self._backoff is not None:
                        self._logger.warning("giving up: %s", schedule.gave_up_because)
                    end_error = error
                    break
                self._owes_close = True
                if self._close_failure is not None:
                    self._emit(self.on_error, self._close_failure)
                    self._close_failure = None
                self._logger.info("reconnecting in %.2f s (attempt %d)", delay, schedule.attempt)
                self._emit(self.on_reconnect, schedule.attempt, delay)
                if self._closing.wait(delay):
                    break
        except Exception as exc:  # pragma: no cover - a bug in pushsdk; never kill the thread
            self._logger.exception("client thread failed")
            end_error = _unexpected(ConnectionClosed, "in the client thread", exc)
            self._report(end_error)
            self._owes_close = True
        except BaseException:  # Ctrl+C in run_forever(), SystemExit: end as close() would
            self._muted = True
            self._closing.set()
            self._release()
            raise
        finally:
            self._end_error = None if self._closing.is_set() else end_error
            self._set_state(ReadyState.CLOSED)
            if self._owes_close:
                self._emit(self.on_close, self._abnormal_close_code, "")
            self._finish()

    def _attempt(self) -> PushError | None:
        """Connect once; return the error if it failed (unexpected errors included)."""
        try:
            self._connect()
        except PushError as exc:
            return exc
        except Exception as exc:
            self._release()
            self._logger.debug("unexpected error while connecting", exc_info=exc)
            return _unexpected(ConnectError, "while connecting", exc)
        return None

    def _serve_connection(self) -> PushError | None:
        """Run one open connection to its end; return the error that ended it, if any."""
        self._opens += 1
        self._connected_since = time.time()
        code: int | None
        error: PushError | None = None
        try:
            self._mark_open()
            self._logger.info("open: %s", self._log_url)
            self._emit(self.on_open)
            code, reason = self._receive()
        except PushError as exc:
            error = exc
            code = exc.close_code if isinstance(exc, ProtocolError) else None
            code = code if code is not None else self._abnormal_close_code
            reason = str(exc)
        except Exception as exc:
            self._logger.debug("unexpected error on an open connection", exc_info=exc)
            error = _unexpected(ConnectionClosed, "on the open connection", exc)
            code, reason = self._abnormal_close_code, str(error)
        except BaseException:  # Ctrl+C in run_forever(): close as close() would, re-raise
            self._muted = True
            self._closing.set()
            self._start_closing(1000, "")
            self._finish_connection(self._user_close_code, "")
            raise
        self._finish_connection(code, reason, error)
        return error

    def _finish_connection(
        self, code: int | None, reason: str, error: PushError | None = None
    ) -> None:
        """Release the connection, then report its end (``on_error``, ``on_close``)."""
        self._connected_since = None
        self._release()
        ending = self._closing.is_set() or self._backoff is None
        self._set_state(ReadyState.CLOSED if ending else ReadyState.CONNECTING)
        if error is not None and not self._closing.is_set():
            self._report(error)
        elif error is not None:
            self._logger.debug("connection ended while closing: %s", error)
        self._logger.info("closed: code=%s reason=%r", code, reason)
        self._owes_close = False
        self._emit(self.on_close, code, reason)

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
        hint = _migration_hint(exc)
        self._logger.error("callback %s raised %r%s", name, exc, hint, exc_info=exc)
        self._tell_once(name, exc, hint)
        if callback is self.on_error:
            return
        error = CallbackError(f"callback {name} raised {type(exc).__name__}: {exc}{hint}")
        error.__cause__ = exc
        self.last_error = error
        if callback is self.on_close:  # on_close must stay the last callback
            self._close_failure = error
            return
        self._emit(self.on_error, error)

    def _tell_once(self, name: str, exc: Exception, hint: str) -> None:
        """Show the first failing callback on stderr if the program set up no logging.

        A library logs through a NullHandler, so a program that never configured
        logging would otherwise learn of a broken callback only from ``last_error``.
        """
        if self._told_of_callback_failure or _logging_configured(self._logger):
            return
        self._told_of_callback_failure = True
        record = self._logger.makeRecord(
            self._logger.name,
            logging.ERROR,
            __file__,
            0,
            "pushsdk: callback %s raised %r%s (reported to on_error; further callback "
            "errors go to the %r logger only: configure logging to see them)",
            (name, exc, hint, self._logger.name),
            (type(exc), exc, exc.__traceback__),
        )
        handler = logging.lastResort
        if handler is not None:
            handler.handle(record)

    # -- helpers -----------------------------------------------------------------

    def _raise_end_error(self) -> None:
        """Raise the error that ended the client for good, if it ended so."""
        error = self._end_error
        if error is not None and self._finished.is_set():
            raise error

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


#: Kept for the transports and for code written against the old private name.
BaseClient = Client


def _unexpected(kind: type[PushError], where: str, exc: Exception) -> PushError:
    """Wrap an exception pushsdk did not foresee, so that it follows the reconnect rules."""
    error = kind(f"unexpected {type(exc).__name__} {where}: {exc}")
    error.__cause__ = exc
    return error


def _migration_hint(exc: Exception) -> str:
    """A pointer for code written for websocket-client, whose on_message gets a str."""
    if isinstance(exc, AttributeError | TypeError) and "'Message'" in str(exc):
        return " (callbacks get a pushsdk.Message: its text or bytes are message.data)"
    return ""


def _logging_configured(logger: logging.Logger) -> bool:
    """Whether a record from ``logger`` reaches any handler but a NullHandler."""
    current: logging.Logger | None = logger
    while current is not None:
        if any(not isinstance(h, logging.NullHandler) for h in current.handlers):
            return True
        if not current.propagate:
            return False
        current = current.parent
    return False
