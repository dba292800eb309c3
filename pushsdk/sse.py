"""``SSEClient``: a resumable Server-Sent Events client, the browser's EventSource.

HTTP goes through requests (redirects, proxies, TLS, a caller's session); the
body is parsed by pushsdk's own spec-exact parser (``_sseparser``) as soon as any
bytes arrive. The reconnect, callback and lifecycle rules are BaseClient's.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from ._client import Client, check_seconds
from ._ssecheck import (
    TRANSPORT_ERRORS,
    check_response,
    connect_error,
    read_error,
    root_cause,
)
from ._sseparser import DEFAULT_MAX_EVENT_SIZE, EventStreamParser, EventTooLarge
from ._ssetransport import (
    SocketHandle,
    body_reader,
    drop_connections,
    new_session,
    response_socket,
)
from ._state import ReadyState
from .backoff import Backoff
from .errors import ConnectError, ConnectionClosed, PushError
from .message import Message, _build_message

__all__ = ["SSEClient"]

_OPEN = ReadyState.OPEN

#: An HTTP method is a token (RFC 9110, 5.6.2).
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


class SSEClient(Client[str]):
    """A Server-Sent Events client (WHATWG EventSource semantics), see SPEC.md.

    Args:
        url: an ``http://`` or ``https://`` URL.
        method: the HTTP method, ``"GET"`` or e.g. ``"POST"`` for LLM-style streams.
        body: the request body (str or bytes); exclusive with ``json``.
        json: an object sent as a JSON request body; exclusive with ``body``.
        last_event_id: the ``Last-Event-ID`` to send on the first connection.
        read_timeout: seconds of silence after which the connection is treated as
            dead and reconnected (comments count as traffic); None waits forever.
        session: a ``requests.Session`` whose settings to use (auth, headers, cookies,
            proxies, certificates). The client sends through a session of its own that
            shares them, so that ``close()`` can interrupt a connect; an adapter the
            caller mounted is used as is (its connect then is not interruptible).
        verify: TLS verification: True, False or a path to a CA bundle.
        connect_timeout: seconds allowed to connect (TCP, TLS) and then to receive
            the response headers (or ``read_timeout`` if shorter).
        max_event_size: the largest line or event accepted, in characters; a
            larger one is a ProtocolError and the connection is reconnected.

    Attributes:
        last_event_id: the last event ID seen, sent as ``Last-Event-ID`` on reconnect.
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
        headers: dict[str, str] | None = None,
        reconnect: bool | Backoff = True,
        first_connect_timeout: float | None = 30.0,
        method: str = "GET",
        body: str | bytes | None = None,
        json: Any = None,
        last_event_id: str | None = None,
        read_timeout: float | None = None,
        session: requests.Session | None = None,
        verify: bool | str = True,
        connect_timeout: float = 10.0,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    ) -> None:
        super().__init__(
            url,
            on_open=on_open,
            on_message=on_message,
            on_close=on_close,
            on_error=on_error,
            on_reconnect=on_reconnect,
            headers=headers,
            reconnect=reconnect,
            first_connect_timeout=first_connect_timeout,
        )
        _check_url(url)
        if not isinstance(method, str) or not _TOKEN.fullmatch(method):
            raise ValueError(f"method must be an HTTP method name such as 'GET', got {method!r}")
        if body is not None and json is not None:
            raise ValueError("pass body or json, not both")
        if body is not None and not isinstance(body, str | bytes):
            raise TypeError(f"body must be str or bytes, got {type(body).__name__}")
        if last_event_id is not None and (
            not isinstance(last_event_id, str) or "\0" in last_event_id
        ):
            raise ValueError(f"last_event_id must be a str without NUL, got {last_event_id!r}")
        check_seconds("read_timeout", read_timeout)
        check_seconds("connect_timeout", connect_timeout, allow_none=False)
        if session is not None and not isinstance(session, requests.Session):
            raise TypeError(f"session must be a requests.Session, got {type(session).__name__}")
        if not isinstance(verify, bool | str):
            raise TypeError(f"verify must be a bool or a CA bundle path, got {verify!r}")
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
        self.max_event_size = max_event_size
        self._head_timeout = (
            connect_timeout if read_timeout is None else min(connect_timeout, read_timeout)
        )
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
        headers: CaseInsensitiveDict[str | bytes] = CaseInsensitiveDict(
            {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        )
        headers.update(self.headers)
        if self.last_event_id:
            # UTF-8 per the spec; leading whitespace is not part of an HTTP field value.
            headers["Last-Event-ID"] = self.last_event_id.lstrip().encode()
        self._logger.debug("connecting: %s %s", self.method, self._log_url)
        self._handle.activate()
        try:
            response = session.request(
                self.method,
                self.url,
                headers=headers,
                data=self.body,
                json=self.json,
                stream=True,
                # Waiting for the response headers is part of connecting (and silence
                # past read_timeout is a dead connection there too).
                timeout=(self.connect_timeout, self._head_timeout),
                verify=_verify_setting(self.verify, session),
                allow_redirects=True,
            )
        except TRANSPORT_ERRORS as exc:
            self._release()
            raise connect_error(exc, self.url) from root_cause(exc)
        finally:
            self._handle.deactivate()
        self._response = response
        try:
            sock = response_socket(response)
            if sock is not None:
                self._handle.register(sock)  # a pooled connection may not have registered
            check_response(response)
            if sock is not None:
                sock.settimeout(self.read_timeout)
            else:  # pragma: no cover - a transport whose socket we cannot reach
                self._logger.debug("no socket found: read_timeout is connect_timeout")
        except ConnectionAbortedError as exc:  # close() came first
            self._release()
            raise ConnectError("closed while connecting") from exc
        except PushError:
            self._release()
            raise
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
        closing = self._closing.is_set
        origin = self._origin
        now = time.time
        retry = parser.retry
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
            try:
                events = feed(chunk)
            except EventTooLarge as exc:
                dispatch(exc.events, origin, now())
                raise
            if not dispatch(events, origin, now()):  # close() from a callback
                return None, self._close_reason
            self.last_event_id = parser.last_event_id
            if parser.retry != retry:
                retry = parser.retry
                if retry is not None:
                    self._server_retry = retry / 1000

    def _interrupt(self) -> None:
        self._handle.interrupt()

    def _start_closing(self, code: int, reason: str) -> None:
        self._close_reason = reason
        self._interrupt()

    def _release(self) -> None:
        response, self._response = self._response, None
        if self._parser is not None:
            self.last_event_id = self._parser.last_event_id
            self._parser = None
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
        """Deliver the events of one read (they arrived together); False once closing."""
        deliver = self._deliver
        for data, event, last_id in events:
            deliver(_build_message(data, event, last_id, origin, received_at))
            if self._state is not _OPEN:  # close() from a callback
                return False
        return True


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise ValueError(f"url is not a valid URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"url must be an http:// or https:// URL, got {url!r}")


def _verify_setting(verify: bool | str, session: requests.Session) -> bool | str | None:
    """The ``verify`` to pass per request: ours if set, else the session's.

    requests lets REQUESTS_CA_BUNDLE override ``session.verify``; a caller who set it
    on the session they handed us means it. None lets requests apply its defaults.
    """
    if verify is not True:
        return verify
    session_verify: bool | str | None = session.verify
    return None if session_verify is True else session_verify
