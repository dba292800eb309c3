"""One ``pushsdk URL`` run: the client's callbacks feed a queue; the main thread
prints, records, sends periodic messages and decides when and how to exit.

Everything the client reports (messages, open, close, error, reconnect) goes
through one queue in the order it happened, so stdout, the status lines and the
recording agree. The main thread waits on that queue, which keeps Ctrl+C
(KeyboardInterrupt) in one place: close the client cleanly, exit 130.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .._retry import is_transient
from .._signals import start_without_signals
from ..errors import CallbackError, ConnectionClosed, HandshakeError, PushError, SendBufferFull
from ..message import Message
from ..recording import Entry, Header
from ..sse import SSEClient
from ..ws import WSClient
from .advice import error_text, gave_up_text
from .clients import build_client
from .console import Console
from .options import Options, UsageError
from .recorder import Recorder
from .secrets import Redactor
from .stdin import StdinReader, should_read_stdin

__all__ = ["EXIT_ERROR", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "run"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

#: Events the client thread may get ahead of stdout before it waits (back-pressure).
QUEUE_LIMIT = 10_000
#: Seconds the client gets to close cleanly when we stop.
CLOSE_TIMEOUT = 2.0
#: Longest the main thread sleeps at once. A Ctrl+C that lands just before it starts
#: to wait (after CPython checked for signals) is only acted on when the wait ends.
SIGNAL_CHECK = 0.25
#: WebSocket close codes that end a run cleanly (None: SSE end of stream).
CLEAN_CLOSE_CODES = (None, 1000, 1001, 1005)


@dataclass
class _Periodic:
    text: str
    interval: float
    due: float


@dataclass
class _State:
    shown: int = 0
    opened: bool = False
    failure: PushError | None = None
    last_close: tuple[int | None, str] | None = None
    #: The error of the last failure, not yet said (a retry line or the fatal line says it).
    unsaid_error: str = ""
    #: Failed attempts since the last open (or since the start).
    attempts: int = 0
    periodic: list[_Periodic] = field(default_factory=list)


class _Run:
    def __init__(self, options: Options, console: Console) -> None:
        self.options = options
        self.console = console
        self.redact = Redactor([options.url, options.proxy or ""], options.headers)
        self.events: queue.Queue[tuple[Any, ...]] = queue.Queue(QUEUE_LIMIT)
        self.stopping = threading.Event()
        self.state = _State()
        self.recorder = Recorder(options.record)
        self.stdin: StdinReader | None = None
        self.watcher: threading.Thread | None = None
        self.client: WSClient | SSEClient | None = None
        self.printing = True
        self.started = time.monotonic()

    # -- callbacks (client thread, stdin thread) ------------------------------------

    def post(self, *item: Any) -> None:
        """Queue an event for the main thread, waiting while it is behind."""
        try:
            self.events.put_nowait(item)  # the common case, without a timed wait's set-up
            return
        except queue.Full:
            pass
        while not self.stopping.is_set():
            try:
                self.events.put(item, timeout=0.1)
                return
            except queue.Full:
                pass

    def on_open(self, client: Any) -> None:
        self.post("open", time.time())
        for send in self.options.sends:
            self.send(send.text)

    def on_close(self, client: Any, code: int | None, reason: str) -> None:
        self.post("close", time.time(), code, reason)

    def on_error(self, client: Any, error: PushError) -> None:
        self.post("error", time.time(), error)

    def on_reconnect(self, client: Any, attempt: int, delay: float) -> None:
        self.post("reconnect", time.time(), attempt, delay)

    def on_message(self, client: Any, message: Message[str | bytes]) -> None:
        self.post("message", message)

    def send(self, data: str | bytes) -> None:
        """Send from any thread; report what could not be sent.

        The "out" event is queued before the send, so that the recording never
        shows a reply (an echo) ahead of the message that caused it.
        """
        client = self.client
        assert isinstance(client, WSClient)
        self.post("out", time.time(), data)
        try:
            client.send(data)
        except SendBufferFull:
            self.post("warning", "not sent: the send buffer is full while reconnecting")
        except ConnectionClosed:
            pass

    # -- main thread ----------------------------------------------------------------

    def run(self) -> int:
        options = self.options
        try:
            client = build_client(
                options,
                {
                    "on_open": self.on_open,
                    "on_close": self.on_close,
                    "on_error": self.on_error,
                    "on_reconnect": self.on_reconnect,
                },
            )
        except (ValueError, TypeError) as exc:
            raise UsageError(self.redact(str(exc))) from None
        client.on("*", self.on_message)
        self.client = client
        try:
            self.recorder.open(Header(options.protocol, self.redact.url(options.url), time.time()))
        except OSError:
            self.console.error(self.recorder.failure)
            return EXIT_ERROR
        try:  # from here on, Ctrl+C is "interrupted: closing", whenever it lands
            self.console.status(f"connecting to {self.redact.url(options.url)}")
            client.start()
            self.watcher = threading.Thread(
                target=self._watch, name="pushsdk-cli-wait", daemon=True
            )
            start_without_signals(self.watcher)
            if isinstance(client, WSClient) and should_read_stdin():
                self.stdin = StdinReader(self.send, binary=options.binary_stdin)
                self.stdin.start()
            return self._loop()
        except KeyboardInterrupt:
            self.console.status("interrupted: closing")
            return self._stop(EXIT_INTERRUPTED)

    def _watch(self) -> None:
        assert self.client is not None
        try:
            self.client.join()
        except PushError:  # join() raises the ending error; on_error has reported it
            pass
        finally:
            self.post("finished")

    def _loop(self) -> int:
        options = self.options
        deadline = None if options.timeout is None else time.monotonic() + options.timeout
        events = self.events
        while True:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                return self._timed_out()
            self._send_periodic(now)  # here, not on a timeout alone: a busy stream has none
            wake = [now + SIGNAL_CHECK, *(p.due for p in self.state.periodic)]
            if deadline is not None:
                wake.append(deadline)
            try:
                item = events.get(timeout=max(min(wake) - now, 0))
            except queue.Empty:
                continue
            code = self._handle(item)
            if code is not None:
                return code
            if self.recorder.failure:
                return self._fail(self.recorder.failure)
            if events.empty():
                try:
                    self.console.flush()
                except BrokenPipeError:
                    return self._stdout_gone()

    def _handle(self, item: tuple[Any, ...]) -> int | None:
        kind = item[0]
        if kind == "message":
            return self._message(item[1])
        if kind == "finished":
            return self._finished()
        self._event(item)
        return None

    def _message(self, message: Message[str | bytes]) -> int | None:
        self.recorder.write(
            Entry(message.received_at, "in", message.event, message.id, message.data)
        )
        options = self.options
        if not self.printing or (options.events and message.event not in options.events):
            return None
        try:
            self.console.message(message)
        except BrokenPipeError:
            return self._stdout_gone()
        self.state.shown += 1
        if options.count is not None and self.state.shown >= options.count:
            return self._stop(EXIT_OK)
        if options.until is not None and _equals(message.data, options.until):
            return self._stop(EXIT_OK)
        return None

    def _event(self, item: tuple[Any, ...]) -> None:
        """A connection event: status line, recording, bookkeeping."""
        kind, state, status = item[0], self.state, self.console.status
        if kind == "open":
            state.opened = True
            state.failure = None
            state.unsaid_error = ""
            state.attempts = 0
            subprotocol = getattr(self.client, "subprotocol", None)
            status(f"open{f' (subprotocol {subprotocol})' if subprotocol else ''}", "green")
            self.recorder.system(item[1], "open", "connected")
            now = time.monotonic()
            state.periodic = [
                _Periodic(s.text, s.interval, now + s.interval)
                for s in self.options.sends
                if s.interval is not None
            ]
        elif kind == "close":
            _, when, code, reason = item
            state.periodic = []
            state.last_close = (code, reason)
            text = _close_text(code, self.redact(reason))
            status(f"closed: {text}" if text else "closed", "yellow")
            self.recorder.system(when, "close", text or "closed")
        elif kind == "error":
            _, when, error = item
            if _no_more_events(error):
                state.failure = error
                return  # not an error: how a server says "stop reconnecting"
            text = self._describe(error)
            if isinstance(error, CallbackError):
                status(f"error: {text}", "red")
            else:
                state.failure = error
                state.attempts += 1
                if state.unsaid_error:  # two in a row: say the first now
                    self.console.problem(state.unsaid_error)
                state.unsaid_error = text
            self.recorder.system(when, "error", f"{type(error).__name__}: {text}")
        elif kind == "reconnect":
            _, when, attempt, delay = item
            if state.unsaid_error:  # a failure: said whether stderr is a terminal or not
                retrying = f"retrying in {delay:.1f} s (attempt {attempt})"
                self.console.problem(f"{state.unsaid_error}; {retrying}")
                state.unsaid_error = ""
            else:  # after a clean close, which its status line said
                status(f"reconnecting in {delay:.1f} s (attempt {attempt})", "yellow")
            self.recorder.system(when, "reconnect", f"attempt {attempt} in {delay:.1f} s")
        elif kind == "out":
            self.recorder.write(Entry(item[1], "out", "message", None, item[2]))
        elif kind == "warning":
            status(item[1], "yellow")

    def _send_periodic(self, now: float) -> None:
        for periodic in self.state.periodic:
            if periodic.due <= now:
                periodic.due = now + periodic.interval
                self.send(periodic.text)

    def _finished(self) -> int:
        """The client ended for good by itself: exit 0 or 1, saying why."""
        failure = self.state.failure
        if _no_more_events(failure):
            self.console.status("stream ended: the server has no more events (HTTP 204 No Content)")
            return self._stop(EXIT_OK)
        if failure is not None:
            return self._fail(self._why_not_connected(failure, None))
        last = self.state.last_close
        if last is not None and last[0] not in CLEAN_CLOSE_CODES:
            return self._fail(f"closed by the server: {_close_text(*last)}")
        return self._stop(EXIT_OK)

    def _timed_out(self) -> int:
        if self.state.opened:
            return self._stop(EXIT_OK)
        failure = self.state.failure
        if failure is None:
            why = "still connecting (the server has not answered the handshake)"
            return self._fail(f"no connection within --timeout {self.options.timeout:g} s: {why}")
        return self._fail(self._why_not_connected(failure, self.options.timeout))

    def _why_not_connected(self, failure: PushError, run_timeout: float | None) -> str:
        """The fatal line of a run that failed: with the figures if it gave up retrying."""
        state, text = self.state, self._describe(failure)
        if run_timeout is None and (
            state.opened or state.attempts < 2 or not is_transient(failure)
        ):
            return text  # one attempt (or a fatal answer): its error says it all
        return gave_up_text(text, time.monotonic() - self.started, state.attempts, run_timeout)

    def _fail(self, text: str) -> int:
        """Stop, then say why: the error is the last line, after the status lines of the close."""
        code = self._stop(EXIT_ERROR)
        self.console.error(text)
        return code

    def _stdout_gone(self) -> int:
        """stdout was closed (``| head``): stop quietly."""
        self.printing = False
        with contextlib.suppress(OSError):  # no flush error at exit
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.close(devnull)
        return self._stop(EXIT_OK)

    def _stop(self, code: int) -> int:
        """Close everything in order, record the last events, return ``code``."""
        self.printing = False
        try:
            if self.stdin is not None:
                self.stdin.stop()
            if self.client is not None:
                self.client.close(timeout=CLOSE_TIMEOUT)
            self.stopping.set()
            if self.watcher is not None:
                self.watcher.join(CLOSE_TIMEOUT)
            while True:  # the close the client reported while we closed it
                try:
                    item = self.events.get_nowait()
                except queue.Empty:
                    break
                if item[0] == "message":
                    self._message(item[1])
                elif item[0] != "finished":
                    self._event(item)
        except KeyboardInterrupt:
            code = EXIT_INTERRUPTED  # a second Ctrl+C: stop waiting
        finally:
            self.recorder.close()
        return code

    def _describe(self, error: PushError) -> str:
        # A refused handshake's message already carries the start of its body.
        options = self.options
        return self.redact(error_text(error, options.cacert, options.headers, options.protocol))


def _close_text(code: int | None, reason: str) -> str:
    """``code 1001 going away`` (WebSocket); the reason alone for SSE (``end of stream``)."""
    if code is None:
        return reason
    return f"code {code} {reason}".strip()


def _no_more_events(error: PushError | None) -> bool:
    """An SSE server's 204 No Content: the EventSource way to end a stream for good."""
    return isinstance(error, HandshakeError) and error.status == 204


def _equals(data: str | bytes, text: str) -> bool:
    return data == text if isinstance(data, str) else data == text.encode()


def run(options: Options, console: Console) -> int:
    """Connect as ``options`` say and run until the end; return the exit status.

    Raises:
        UsageError: an option the SDK refused.
    """
    return _Run(options, console).run()
