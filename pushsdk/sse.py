"""``SSEClient``: a resumable Server-Sent Events client, the browser's EventSource.

HTTP goes through requests (redirects, proxies, TLS, a caller's session): opening
the stream is ``_sse.connect``'s job. The body is parsed by pushsdk's own spec-exact
parser (``_sse.parser``) as soon as any bytes arrive. The reconnect, callback and
lifecycle rules are BaseClient's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import requests

from ._checks import check_url
from ._client import Client, HeadersArg, check_seconds
from ._net.proxy import check_proxy
from ._net.tlsconfig import CertArg, TLSConfig, VerifyArg
from ._sse.body import body_reader
from ._sse.check import TRANSPORT_ERRORS, read_error
from ._sse.connect import open_stream
from ._sse.options import check_request, is_get, verify_setting
from ._sse.parser import DEFAULT_MAX_EVENT_SIZE, EventStreamParser
from ._sse.transport import SocketHandle, drop_connections, new_session
from ._state import ReadyState
from .backoff import Backoff
from .errors import ConnectionClosed, ProtocolError, PushError
from .message import Message, _build_message

__all__ = ["SSEClient"]

_OPEN = ReadyState.OPEN


class SSEClient(Client[str]):
    """A Server-Sent Events client: the browser's EventSource, made for long runs.

    Create it, then ``start()`` it (or use it in a ``with`` block, or call
    ``run_forever()`` to run in this thread). It follows the WHATWG rules: it
    reconnects when the stream ends or breaks, sends ``Last-Event-ID`` to resume,
    and honours ``retry:``. Events go to ``on_message`` (event name
    ``"message"``), to the handlers registered with ``on(name, handler)``, and to
    iterators (``for message in client``), in arrival order::

        from pushsdk import SSEClient

        with SSEClient("https://example.com/events") as client:
            for message in client:  # a Message: .data, .event, .id
                handle(message.id, message.event, message.data)

    Callbacks are all optional: pass them here or assign them later
    (``client.on_open = f``). Each receives the client first, runs on the
    client's thread, one at a time, and may call ``close()``:

    ``on_open(client)``
        each time a response opens the stream: the first and every reconnect.
    ``on_message(client, message)``
        each event named ``"message"`` (no ``event:`` field); ``message`` is a
        ``Message`` with ``data`` (str), ``event``, ``id`` (the last
        event ID). Events with another name go only to ``client.on(name, ...)``
        and ``client.on("*", ...)`` handlers.
    ``on_close(client, code, reason)``
        each time an open stream ends (``code`` is always None for SSE;
        ``reason``: a str such as ``"end of stream"``), and once when the client
        ends for good with no stream open. Always the last callback.
    ``on_error(client, error)``
        ``error`` is a ``PushError``: a failed request, a bad
        status or Content-Type (HandshakeError), a dropped stream, an oversized
        event (skipped; the stream goes on), or a ``CallbackError`` for an exception raised by one
        of your callbacks (the original is ``error.__cause__``).
    ``on_reconnect(client, attempt, delay)``
        before waiting ``delay`` seconds for reconnect ``attempt`` (counting from
        1, restarted by each successful open).

    Across a drop: ``on_error`` (only if it failed; a clean end of stream is not
    an error) -> ``on_close`` -> ``on_reconnect`` -> wait -> ``on_open``.

    Reconnects after network errors, an end of stream, ``read_timeout``, and
    HTTP 5xx, 408 or 429 (after ``Retry-After``). Ends for
    good, with ``on_error`` then ``on_close``, after ``close()``, HTTP 204, any
    other 4xx or non-2xx status, a Content-Type that is not
    ``text/event-stream``, a TLS certificate failure, ``max_attempts`` spent, or
    ``first_connect_timeout`` spent before the first open. The error that ended
    it is ``last_error``, and iteration, ``join()`` and ``wait_open()`` raise it
    (not after ``close()``, nor after a clean end with reconnect off).

    Args:
        url: an ``http://`` or ``https://`` URL.
        on_open: see the callbacks above.
        on_message: see the callbacks above.
        on_close: see the callbacks above.
        on_error: see the callbacks above.
        on_reconnect: see the callbacks above.
        headers: extra request headers (e.g. ``Authorization``), sent on every
            request; their values are never logged. A function returning them is
            called for each request (fresh tokens; see ``retry()``).
        reconnect: True, False or a ``Backoff``. The default, None, means True for
            GET and False for any other method: a POST (an LLM stream, say) is never
            sent again unless asked for, since that would repeat its effect; without
            reconnect, a clean end of the stream ends the client without an error,
            and a dropped connection is reported to ``on_error`` and ends it.
        first_connect_timeout: seconds a client that has never been open keeps
            retrying its first request before it ends with the last connect
            error; None retries forever.
        method: the HTTP method, ``"GET"`` or e.g. ``"POST"`` for LLM-style streams.
        body: the request body (str or bytes, or a function returning it, called for
            each request); exclusive with ``json``.
        json: an object sent as a JSON request body (or a function returning it);
            exclusive with ``body``.
        last_event_id: the ``Last-Event-ID`` to send on the first request (to
            resume where an earlier run stopped).
        read_timeout: seconds of silence after which the connection is treated as
            dead and reconnected (comments count as traffic); None waits forever.
        session: a ``requests.Session`` whose settings to use (auth, headers,
            cookies, proxies, certificates). The client sends through a session of
            its own that shares them, so that ``close()`` can interrupt a connect;
            an adapter the caller mounted is used as is (its connect then is not
            interruptible).
        verify: True verifies with the CAs the environment names (``SSL_CERT_FILE``,
            ``REQUESTS_CA_BUNDLE``, ...) or the default store; a CA bundle path
            instead; False verifies nothing. The same on WSClient.
        connect_timeout: one deadline, in seconds, for a whole connection attempt:
            TCP, TLS, the request and the response head (a head dribbled byte by byte
            does not extend it). An error response's body gets at most 1 s more and
            8 KiB, kept in the HandshakeError.
        max_event_size: the largest line or event accepted, in characters. A larger
            one is skipped and reported once to ``on_error`` as a ProtocolError, and
            the stream goes on (no reconnect: a server would only send it again).
            Its bytes are discarded as they arrive up to the blank line ending it;
            its data and type are dropped, but an ``id:`` it carries still sets the
            last event ID at that blank line, as for an event with no data, so a
            later resume starts after it.
        proxy: None reads ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY``/``NO_PROXY`` (and
            a ``session``'s proxies), as requests does; False uses none; or a proxy
            URL: ``http://[user:pass@]host:port``, ``https://``, ``socks4://``,
            ``socks5://``, ``socks5h://`` (SOCKS: ``pushsdk[socks]``).
        cert: a client certificate: a PEM path holding key and certificate, or a
            ``(cert, key)`` tuple of paths.
        key_password: the password of an encrypted ``cert`` key.
        truststore: verify with the operating system's trust store
            (``pushsdk[truststore]``).

    Attributes:
        url: the URL given.
        headers: the request headers.
        last_error: the last error reported to ``on_error`` (None if none yet).
        last_event_id: the ID of the last event dispatched (an ``id:`` with no data
            counts, as in the spec), sent as ``Last-Event-ID`` on reconnect. It never
            runs ahead of the events delivered, so it is safe to save for a resume.
    """

    _logger = logging.getLogger("pushsdk.sse")
    _abnormal_close_code = None
    _user_close_code = None
    _kind = "sse"

    def __init__(
        self,
        url: str,
        *,
        on_open: Callable[[SSEClient], object] | None = None,
        on_message: Callable[[SSEClient, Message[str]], object] | None = None,
        on_close: Callable[[SSEClient, int | None, str], object] | None = None,
        on_error: Callable[[SSEClient, PushError], object] | None = None,
        on_reconnect: Callable[[SSEClient, int, float], object] | None = None,
        headers: HeadersArg | None = None,
        reconnect: bool | Backoff | None = None,
        first_connect_timeout: float | None = 30.0,
        method: str = "GET",
        body: str | bytes | Callable[[], str | bytes] | None = None,
        json: Any = None,
        last_event_id: str | None = None,
        read_timeout: float | None = None,
        session: requests.Session | None = None,
        verify: VerifyArg = True,
        connect_timeout: float = 10.0,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
        proxy: str | bool | None = None,
        cert: CertArg | None = None,
        key_password: str | bytes | None = None,
        truststore: bool = False,
    ) -> None:
        super().__init__(
            url,
            on_open=on_open,
            on_message=on_message,
            on_close=on_close,
            on_error=on_error,
            on_reconnect=on_reconnect,
            headers=headers,
            reconnect=is_get(method) if reconnect is None else reconnect,
            first_connect_timeout=first_connect_timeout,
        )
        check_url("url", url, ("http", "https"))
        check_request(method, body, json, last_event_id, session)
        check_seconds("read_timeout", read_timeout)
        check_seconds("connect_timeout", connect_timeout, allow_none=False)
        check_proxy(proxy)
        if not isinstance(verify, bool | str):
            raise TypeError(f"verify must be a bool or a CA bundle path, got {verify!r}")
        # A session handed in carries its own verify/cert, used where ours are the defaults.
        self._tls = TLSConfig(
            verify_setting(verify, session) if session is not None else verify,
            session.cert if cert is None and session is not None else cert,
            key_password,
            truststore,
        )
        if isinstance(max_event_size, bool) or not isinstance(max_event_size, int):
            raise TypeError(f"max_event_size must be an int, got {max_event_size!r}")
        if max_event_size <= 0:
            raise ValueError(f"max_event_size must be > 0, got {max_event_size}")
        self.method = method.upper()
        self.body = body
        self.json = json
        self.read_timeout = read_timeout
        self.connect_timeout = connect_timeout
        self.verify = verify
        self.proxy = proxy
        self.cert = cert
        self.truststore = truststore
        self.max_event_size = max_event_size
        self._user_session = session
        self._session: requests.Session | None = None
        self._handle = SocketHandle()
        self._response: requests.Response | None = None
        self._read: Callable[[], bytes] | None = None
        self._parser: EventStreamParser | None = None
        self._origin = url
        self._close_reason = ""
        #: The last event ID seen (sent as Last-Event-ID on reconnect).
        self.last_event_id = last_event_id or ""

    # -- transport hooks ------------------------------------------------------------

    def _connect(self) -> None:
        session = self._session
        if session is None:
            session = self._session = new_session(like=self._user_session)
        headers = self._current_headers()
        self._logger.debug("connecting: %s %s", self.method, self._log_url)
        try:
            response = open_stream(
                session,
                self.url,
                method=self.method,
                headers=headers,
                last_event_id=self.last_event_id,
                body=self.body,
                json=self.json,
                proxy=self.proxy,
                verify=self.verify,
                cert=self.cert,
                tls=self._tls,
                connect_timeout=self.connect_timeout,
                read_timeout=self.read_timeout,
                handle=self._handle,
                interrupted=self._is_closing,
            )
        except PushError:
            self._release()
            raise
        self._response = response
        self._read = body_reader(response)
        self._parser = EventStreamParser(
            last_event_id=self.last_event_id, max_event_size=self.max_event_size
        )
        self._origin = response.url or self.url

    def _receive(self) -> tuple[int | None, str]:
        read = self._read
        parser = self._parser
        assert read is not None and parser is not None
        feed = parser.feed
        dispatch = self._dispatch
        closing = self._is_closing
        origin = self._origin
        now = time.time
        retry = parser.retry
        oversized = parser.oversized
        while True:
            try:
                chunk = read()
            except ConnectionClosed:
                if closing():
                    return None, self._close_reason
                raise
            except TRANSPORT_ERRORS as exc:
                if closing():
                    return None, self._close_reason
                raise read_error(exc, self.read_timeout) from exc
            if not chunk:
                if closing():
                    return None, self._close_reason
                return None, "end of stream"
            self._bytes_in += len(chunk)
            events = feed(chunk)
            if not dispatch(events, origin, now()):  # close() from a callback
                return None, self._close_reason
            self.last_event_id = parser.last_event_id  # with any id-only dispatch
            if parser.retry != retry:
                retry = parser.retry
                if retry is not None:
                    self._server_retry = retry / 1000
            if parser.oversized != oversized:
                self._report_oversized(parser.oversized - oversized)
                oversized = parser.oversized

    def _interrupt(self) -> None:
        self._handle.interrupt()

    def _start_closing(self, code: int, reason: str) -> None:
        self._close_reason = reason
        self._interrupt()

    def _release(self) -> None:
        response, self._response = self._response, None
        self._parser = None  # its last_event_id may be ahead of the events delivered
        self._read = None
        if response is not None:
            response.close()
        self._handle.release()
        if self._session is not None:
            drop_connections(self._session)  # no idle connection outlives the attempt

    # -- helpers --------------------------------------------------------------------

    def _dispatch(
        self, events: list[tuple[str, str, str]], origin: str, received_at: float
    ) -> bool:
        """Deliver the events of one read (they arrived together); False once closing.

        ``last_event_id`` is each event's while its callbacks run, as in a browser; if
        close() cuts the batch short, it stays at the last event delivered, so that a
        resume from it skips nothing.
        """
        deliver = self._deliver
        delivered = self.last_event_id
        for data, event, last_id in events:
            self.last_event_id = last_id
            if not deliver(_build_message(data, event, last_id, origin, received_at)):
                self.last_event_id = delivered  # close() came first: not delivered
                return False
            if self._state is not _OPEN:  # close() from a callback
                return False
            delivered = last_id
        return True

    def _report_oversized(self, count: int) -> None:
        what = "an event" if count == 1 else f"{count} events"
        self._report(
            ProtocolError(
                f"skipped {what} larger than max_event_size ({self.max_event_size} characters);"
                " raise max_event_size to receive such events"
            )
        )
