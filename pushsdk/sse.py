"""``SSEClient``: a resumable Server-Sent Events client, the browser's EventSource.

HTTP goes through requests (redirects, proxies, TLS, a caller's session); the
body is parsed by pushsdk's own spec-exact parser (``_sseparser``) as soon as any
bytes arrive. The reconnect, callback and lifecycle rules are BaseClient's.
"""

from __future__ import annotations

import http.client
import logging
import ssl
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.structures import CaseInsensitiveDict

from ._client import BaseClient, OnClose, OnError, OnMessage, OnOpen, OnReconnect, check_seconds
from ._sseparser import DEFAULT_MAX_EVENT_SIZE, EventStreamParser, EventTooLarge
from ._ssetransport import SocketHandle, body_reader, new_session, response_socket
from ._state import ReadyState
from .backoff import Backoff
from .errors import ConnectError, ConnectionClosed, HandshakeError, PushError
from .message import Message

__all__ = ["SSEClient"]

_new_message = object.__new__
_set_data = vars(Message)["data"].__set__
_set_event = vars(Message)["event"].__set__
_set_id = vars(Message)["id"].__set__
_set_origin = vars(Message)["origin"].__set__
_set_received_at = vars(Message)["received_at"].__set__

#: How much of an error response's body HandshakeError keeps.
ERROR_BODY_LIMIT = 64 * 1024
_READ_ERRORS = (
    OSError,
    ValueError,
    http.client.HTTPException,
    urllib3.exceptions.HTTPError,
    requests.RequestException,
)


class SSEClient(BaseClient):
    """A Server-Sent Events client (WHATWG EventSource semantics), see SPEC.md.

    Args:
        url: an ``http://`` or ``https://`` URL.
        method: the HTTP method, ``"GET"`` or e.g. ``"POST"`` for LLM-style streams.
        body: the request body (str or bytes); exclusive with ``json``.
        json: an object sent as a JSON request body; exclusive with ``body``.
        last_event_id: the ``Last-Event-ID`` to send on the first connection.
        read_timeout: seconds of silence after which the connection is treated as
            dead and reconnected (comments count as traffic); None waits forever.
        session: a ``requests.Session`` to use (auth, proxies, certificates). Without
            one, each client has its own, whose connects ``close()`` can interrupt.
        verify: TLS verification: True, False or a path to a CA bundle.
        connect_timeout: seconds allowed for the TCP and TLS handshakes.
        max_event_size: the largest line or event accepted, in characters; a
            larger one is a ProtocolError and the connection is reconnected.
    """

    _logger = logging.getLogger("pushsdk.sse")
    _abnormal_close_code = None
    _kind = "sse"

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
        )
        _check_url(url)
        if not isinstance(method, str) or not method.isalpha():
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
        session = self._user_session
        if session is None:
            session = self._session = new_session()
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
                timeout=(self.connect_timeout, self.read_timeout),
                verify=_verify_setting(self.verify, session),
                allow_redirects=True,
            )
        except requests.RequestException as exc:
            self._release()
            raise _connect_error(exc) from _root_cause(exc)
        finally:
            self._handle.deactivate()
        self._response = response
        sock = response_socket(response)
        if sock is not None:
            self._handle.register(sock)  # a pooled connection may not have registered
        try:
            self._check_response(response)
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
        deliver = self._deliver
        closing = self._closing.is_set
        origin = self._origin
        now = time.time
        retry = parser.retry
        while True:
            try:
                chunk = read()
            except _READ_ERRORS as exc:
                if closing():
                    return None, self._close_reason
                raise _read_error(exc, self.read_timeout) from exc
            if not chunk:
                if closing():
                    return None, self._close_reason
                return None, "end of stream"
            self._bytes_in += len(chunk)
            try:
                events = feed(chunk)
            except EventTooLarge as exc:
                self._dispatch(exc.events, origin)
                raise
            for data, event, last_id in events:
                # Inlined Message(...): the frozen dataclass __init__ costs twice as much.
                message = _new_message(Message)
                _set_data(message, data)
                _set_event(message, event)
                _set_id(message, last_id)
                _set_origin(message, origin)
                _set_received_at(message, now())
                deliver(message)
                if self._state is not ReadyState.OPEN:  # close() from a callback
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
            self._session.close()  # no idle connection outlives the attempt
            self._session = None

    # -- helpers --------------------------------------------------------------------

    def _dispatch(self, events: list[tuple[str, str, str]], origin: str) -> None:
        for data, event, last_id in events:
            if self._closing.is_set():
                return
            self._deliver(Message(data, event, last_id, origin, time.time()))

    def _check_response(self, response: requests.Response) -> None:
        status = response.status_code
        headers = dict(response.headers)
        if status == 204:
            raise HandshakeError(
                "server answered 204 No Content: not reconnecting", status=204, headers=headers
            )
        if not 200 <= status < 300:
            body = _read_error_body(response)
            raise HandshakeError(
                f"server answered HTTP {status} {response.reason or ''}".rstrip(),
                status=status,
                headers=headers,
                body=body,
            )
        content_type = response.headers.get("Content-Type", "")
        if content_type.split(";", 1)[0].strip().lower() != "text/event-stream":
            raise HandshakeError(
                f"Content-Type {content_type!r} is not text/event-stream",
                status=status,
                headers=headers,
            )


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
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
    session_verify: bool | str = session.verify
    return None if session_verify is True else session_verify


def _read_error_body(response: requests.Response) -> bytes:
    """Up to ERROR_BODY_LIMIT bytes of an error response, without waiting forever."""
    sock = response_socket(response)
    if sock is not None:
        try:
            sock.settimeout(1.0)
        except OSError:
            return b""
    parts: list[bytes] = []
    size = 0
    try:
        while size < ERROR_BODY_LIMIT:
            data = response.raw.read1(ERROR_BODY_LIMIT - size)
            if not data:
                break
            parts.append(data)
            size += len(data)
    except _READ_ERRORS:
        pass
    return b"".join(parts)


def _root_cause(exc: BaseException) -> BaseException:
    """The TLS certificate error buried in a requests error, if any (BaseClient stops on it)."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        stack.extend(
            item
            for item in (
                current.__cause__,
                current.__context__,
                getattr(current, "reason", None),
                *current.args,
            )
            if isinstance(item, BaseException)
        )
    return exc


def _connect_error(exc: requests.RequestException) -> ConnectError:
    if isinstance(exc, requests.Timeout):
        return ConnectError(f"timed out connecting: {exc}")
    if isinstance(exc, requests.exceptions.SSLError):
        return ConnectError(f"TLS failure: {exc}")
    return ConnectError(f"could not connect: {exc}")


def _read_error(exc: BaseException, read_timeout: float | None) -> PushError:
    if isinstance(exc, TimeoutError | urllib3.exceptions.ReadTimeoutError):
        return ConnectionClosed(f"no data for {read_timeout} s (read_timeout): reconnecting")
    return ConnectionClosed(f"connection lost: {exc!r}")
