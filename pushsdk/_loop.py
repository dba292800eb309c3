"""The client thread: connect, read, deliver, reconnect, and the callbacks it makes.

A client owns one thread. It connects, reads until the connection ends, and
reconnects with backoff until it is closed for good; callbacks run on that thread,
one at a time, with no lock held, so a callback may send or close.

Transports subclass it (through ``Client``), implement the hooks (``_connect``,
``_receive``, ``_interrupt``, ``_start_closing``) and call ``_deliver`` per message.
What this thread shares with the user's threads (the state, the inbox, the waits)
is ``_shared_state``'s.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from ._callback_errors import migration_hint, tell_unlogged
from ._handlers import ANY_EVENT, HandlerRegistry
from ._redact import redact_url
from ._retry import ReconnectSchedule, is_transient
from ._shared_state import SharedState
from ._state import ReadyState
from .backoff import Backoff
from .errors import CallbackError, ConnectError, ConnectionClosed, ProtocolError, PushError
from .message import Message

# Loose callback types for the shared state; each client's own signature spells out
# the exact ones (they show in help() and in IDEs).
OnOpen = Callable[[Any], object]
OnMessage = Callable[[Any, Message[Any]], object]
OnClose = Callable[[Any, "int | None", str], object]
OnError = Callable[[Any, PushError], object]
OnReconnect = Callable[[Any, int, float], object]

# A library adds no handler but this one: without it, Python's last-resort handler
# would print pushsdk's warnings to stderr in a program that never set up logging.
logging.getLogger("pushsdk").addHandler(logging.NullHandler())


class ClientLoop(SharedState):
    """What runs on the client thread; ``Client`` adds the public API for other threads."""

    # Slots rather than an instance dict of some 60 entries (1.6 KiB a client); a
    # ``__dict__`` still takes whatever a subclass or a user adds.
    __slots__ = {
        "__dict__": None,
        "__weakref__": None,
        "url": "The URL given.",
        "first_connect_timeout": "Seconds a never-opened client retries its first connection.",
        "on_open": "``on_open(client)``: each time a connection opens.",
        "on_message": "``on_message(client, message)``: each message named ``message``.",
        "on_close": "``on_close(client, code, reason)``: each time a connection ends.",
        "on_error": "``on_error(client, error)``: each error (a ``PushError``).",
        "on_reconnect": "``on_reconnect(client, attempt, delay)``: before each reconnect.",
        "last_error": "The last error reported to on_error (None if none yet).",
        **dict.fromkeys(
            (
                "_backoff",
                "_end_error",
                "_told_of_callback_failure",
                "_handlers",
                "_thread_ident",
                "_owes_close",
                "_silenced",
                "_muted",
                "_close_failure",
                "_retry_asked",
                "_server_retry",
                "_messages_in",
                "_bytes_in",
                "_wire_saved_in",
                "_opens",
                "_connected_since",
            )
        ),
    }

    _logger: logging.Logger = logging.getLogger("pushsdk")
    #: The code ``on_close`` reports when no clean close code is known.
    _abnormal_close_code: int | None = 1006
    #: The code ``on_close`` reports for a close the user caused (Ctrl+C included).
    _user_close_code: int | None = 1000
    _kind = "client"

    def __init__(
        self, url: str, backoff: Backoff | None, first_connect_timeout: float | None
    ) -> None:
        super().__init__()
        self.url = url
        self.first_connect_timeout = first_connect_timeout
        self.on_open: OnOpen | None = None
        self.on_message: OnMessage | None = None
        self.on_close: OnClose | None = None
        self.on_error: OnError | None = None
        self.on_reconnect: OnReconnect | None = None
        #: The last error reported to on_error (None if none yet).
        self.last_error: PushError | None = None
        self._backoff = backoff
        #: The error that ended the client for good; None while running, after close()
        #: or after a clean end with reconnect off. Iteration, wait_open() and join()
        #: raise it.
        self._end_error: PushError | None = None
        #: Whether the one stderr notice of a failing callback was given (see _tell_once).
        self._told_of_callback_failure = False
        self._handlers = HandlerRegistry()
        self._thread_ident: int | None = None
        self._owes_close = True  # no on_close since the last attempt (or since start)
        self._silenced = False
        #: close() began or the thread was silenced: ``_deliver`` reads this one flag.
        self._muted = False
        #: An on_close failure, reported to on_error only if a callback follows on_close.
        self._close_failure: CallbackError | None = None
        #: retry() was called from on_error: the error being reported does not end the client.
        self._retry_asked = False
        #: Base delay set by the server (the SSE ``retry:`` field), overriding Backoff.initial.
        self._server_retry: float | None = None

        self._messages_in = 0
        self._bytes_in = 0
        self._wire_saved_in = 0  # payload bytes compression kept off the wire
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

    def _sent(self) -> tuple[int, int, int]:
        """Messages sent, their payload bytes, and the bytes compression saved."""
        return 0, 0, 0

    # -- per-message path (client thread) ------------------------------------------

    def _deliver(self, message: Message[Any]) -> bool:
        """Hand one message to on_message, the on() handlers and the iterators.

        Returns False if close() had begun, so that it was not delivered at all.
        Checked again before each further handler: close() may return while one runs
        (past its timeout), and no handler may start after that.
        """
        self._messages_in += 1
        muted = self._muted  # (a local: a callback may set the attribute, mypy must not narrow it)
        if muted:  # close() began (maybe from a callback): no more
            return False
        # close() sets _muted before _closing, so _muted alone tells after each handler.
        event = message.event
        callback = self.on_message
        if callback is not None and event == "message":
            try:
                callback(self, message)
            except Exception as exc:
                self._callback_failed(callback, exc)
            if self._muted:
                return True
        table = self._handlers.table
        if table:
            for handler in (*table.get(event, ()), *table.get(ANY_EVENT, ())):
                try:
                    handler(self, message)
                except Exception as exc:
                    self._callback_failed(handler, exc)
                if self._muted:
                    return True
        inbox = self._inbox
        keep_backlog = callback is None and not table
        if keep_backlog or (inbox is not None and inbox.has_readers):
            (inbox or self._open_inbox()).put(message, keep_backlog=keep_backlog)
        return True

    # -- lifecycle (client thread) -----------------------------------------------------

    def _run(self) -> None:
        self._thread_ident = threading.get_ident()
        schedule = ReconnectSchedule(
            self._backoff, first_connect_timeout=self.first_connect_timeout
        )
        self._owes_close = True  # no on_close since the last attempt (or since start)
        end_error: PushError | None = None
        try:
            while not self._is_closing():
                self._set_state(ReadyState.CONNECTING)
                error = self._attempt()
                if error is not None:
                    self._owes_close = True
                    if self._is_closing():
                        break
                    self._report(error)
                elif self._is_closing():  # close() raced the handshake
                    self._release()
                    break
                else:
                    schedule.opened()
                    self._owes_close = False
                    error = self._serve_connection()
                if self._is_closing():
                    break
                if error is not None and not is_transient(error) and not self._retry_asked:
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
                if self._wait_closing(delay):
                    break
        except Exception as exc:  # pragma: no cover - a bug in pushsdk; never kill the thread
            self._logger.exception("client thread failed")
            end_error = _unexpected(ConnectionClosed, "in the client thread", exc)
            self._report(end_error)
            self._owes_close = True
        except BaseException:  # Ctrl+C in run_forever(), SystemExit: end as close() would
            self._muted = True
            self._set_closing()
            self._release()
            raise
        finally:
            self._end_error = None if self._is_closing() else end_error
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
            self._set_closing()
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
        ending = self._closing or self._backoff is None
        self._set_state(ReadyState.CLOSED if ending else ReadyState.CONNECTING)
        if error is not None and not self._closing:
            self._report(error)
        elif error is not None:
            self._logger.debug("connection ended while closing: %s", error)
        self._logger.info("closed: code=%s reason=%r", code, reason)
        self._owes_close = False
        self._emit(self.on_close, code, reason)

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
        self._retry_asked = False  # only a retry() from this on_error counts
        self._emit(self.on_error, error)

    def _callback_failed(self, callback: Callable[..., object], exc: Exception) -> None:
        name = getattr(callback, "__qualname__", repr(callback))
        hint = migration_hint(exc)
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
        """Show the first failing callback on stderr if the program set up no logging."""
        if not self._told_of_callback_failure:
            self._told_of_callback_failure = tell_unlogged(self._logger, name, exc, hint)

    @property
    def _log_url(self) -> str:
        return redact_url(self.url)


def _unexpected(kind: type[PushError], where: str, exc: Exception) -> PushError:
    """Wrap an exception pushsdk did not foresee, so that it follows the reconnect rules."""
    error = kind(f"unexpected {type(exc).__name__} {where}: {exc}")
    error.__cause__ = exc
    return error
