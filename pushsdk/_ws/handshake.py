"""The WebSocket opening handshake on a connected socket-like object, with hard bounds.

websocket-client writes the request and checks the answer (status, Upgrade,
Connection, ``Sec-WebSocket-Accept``, subprotocol). It reads the response head one
byte per ``recv`` and trusts the socket's timeout for each read, so on its own a
server dripping one byte a second holds it for ever, and an endless header line
grows its memory without limit. It therefore reads through ``_Bounded``, which
gives every read only the time left before the deadline and stops:

* a response head past ``MAX_HEAD_BYTES`` or ``MAX_HEAD_LINES`` header lines, with a
  HandshakeError caused by ``HeadTooLarge``, which is never retried (a server that
  does it once does it every time);
* a refused answer's body at ``MAX_BODY`` bytes (a HandshakeError with the status).

``_Bounded`` also renames ``Set-Cookie`` response headers before websocket-client
sees them: it keeps cookies in one jar for the whole process and sends them in every
later handshake to the cookie's domain, so one server could plant cookies that
another client of the program then sends to another host, and grow the jar without
bound. pushsdk keeps no cookies; send them with ``headers``.

Any object with ``recv``, ``send``, ``settimeout``, ``gettimeout`` and ``fileno``
works: a socket, an ``ssl.SSLSocket`` or a sans-I/O TLS wrapper.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import websocket

from .._redact import body_snippet, is_secret, redact_url
from ..errors import ConnectError, HandshakeError, Remedy
from .deflate import OFFER, ExtensionError, Negotiated, negotiate

__all__ = [
    "MAX_BODY",
    "MAX_HEAD_BYTES",
    "MAX_HEAD_LINES",
    "HeadTooLarge",
    "SocketLike",
    "handshake",
]

#: Largest response head accepted (status line and headers), in bytes.
MAX_HEAD_BYTES = 64 * 1024
#: Most header lines accepted in the response head (the status line not counted).
MAX_HEAD_LINES = 128
#: Most of a refused handshake's response body read and kept in HandshakeError.body.
MAX_BODY = 64 * 1024
#: How long a refused answer without Content-Length gets to send its first body bytes.
_BODY_WAIT = 1.0
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_SET_COOKIE = b"set-cookie:"
#: What a Set-Cookie header is renamed to, out of websocket-client's cookie jar.
_IGNORED_COOKIE = b"X-Ignored-Set-Cookie:"


class SocketLike(Protocol):
    """What the handshake needs of a connection."""

    def recv(self, size: int, /) -> bytes: ...
    def send(self, data: bytes, /) -> int: ...
    def settimeout(self, value: float | None, /) -> None: ...
    def gettimeout(self) -> float | None: ...
    def fileno(self) -> int: ...


class HeadTooLarge(Exception):
    """The response head passed MAX_HEAD_BYTES or MAX_HEAD_LINES: a permanent failure."""


class _BodyFull(Exception):
    """MAX_BODY bytes of a refused answer's body are in: stop reading it."""


def handshake(
    sock: SocketLike,
    url: str,
    *,
    headers: Mapping[str, str],
    subprotocols: list[str] | None,
    origin: str | None,
    deadline: float,
    compression: bool = False,
) -> tuple[str | None, Negotiated | None]:
    """Run the opening handshake on ``sock`` before ``deadline``.

    Returns the subprotocol the server chose and, if ``compression`` was offered,
    the permessage-deflate agreement (None if the server declined).

    Raises:
        HandshakeError: the server did not switch protocols, or its answer is invalid
            or too large.
        ConnectError: the connection closed during the handshake.
        TimeoutError: the deadline passed (the caller names its timeout).
    """
    bounded = _Bounded(sock, deadline)
    ws = websocket.WebSocket(skip_utf8_validation=True)
    options: dict[str, Any] = {
        "socket": bounded,
        "header": [f"{name}: {value}" for name, value in headers.items()],
        "timeout": None,  # _Bounded gives each read the time left before the deadline
        "redirect_limit": 0,
    }
    if subprotocols:
        options["subprotocols"] = subprotocols
    if origin is not None:
        options["origin"] = origin
    if compression:  # permessage-deflate (RFC 7692)
        options["header"].append(f"Sec-WebSocket-Extensions: {OFFER}")
    try:
        ws.connect(url, **options)  # type: ignore[no-untyped-call]
    except HeadTooLarge as exc:
        status, response_headers = parse_head(bytes(bounded.head))
        raise HandshakeError(
            f"the handshake response head is too large: {exc}",
            status=status,
            headers=response_headers,
        ) from exc
    except (websocket.WebSocketBadStatusException, _BodyFull) as exc:
        raise _refused(bounded, url, headers) from exc
    except (websocket.WebSocketTimeoutException, TimeoutError) as exc:
        if bounded.head_complete:  # a refused answer whose body stalled
            raise _refused(bounded, url, headers) from exc
        got = len(bounded.head)
        raise TimeoutError(f"{got} bytes of the handshake response had arrived") from exc
    except websocket.WebSocketConnectionClosedException as exc:
        if bounded.head_complete:
            raise _refused(bounded, url, headers) from exc
        raise ConnectError("connection closed during the handshake") from exc
    except websocket.WebSocketException as exc:
        status, response_headers = parse_head(bytes(bounded.head))
        if not bounded.head_complete:  # garbage, or a head websocket-client cannot parse
            raise HandshakeError(
                f"invalid handshake response: {exc}", status=status, headers=response_headers
            ) from exc
        if status != 101:  # a redirect (never followed), or an unusable refusal
            raise _refused(bounded, url, headers) from exc
        raise HandshakeError(
            f"invalid handshake response ({exc}): a wrong or missing Upgrade, Connection, "
            "Sec-WebSocket-Accept or Sec-WebSocket-Protocol header",
            status=status,
            headers=response_headers,
        ) from exc
    subprotocol = ws.getsubprotocol()
    # From the raw head, where repeated header lines are joined: a duplicated
    # extension line must be refused, and websocket-client keeps only the last one.
    _, response_headers = parse_head(bytes(bounded.head))
    try:  # a bad answer fails the handshake for good (status 101: not retried)
        deflate = negotiate(response_headers.get("sec-websocket-extensions"), offered=compression)
    except ExtensionError as exc:
        raise HandshakeError(
            f"invalid Sec-WebSocket-Extensions in the handshake response: {exc}",
            status=101,
            headers=response_headers,
        ) from exc
    return (subprotocol if isinstance(subprotocol, str) else None), deflate


class _Bounded:
    """``sock`` as websocket-client sees it: reads bounded in time and in size."""

    def __init__(self, sock: SocketLike, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline
        self.head = bytearray()  # the response head as received (at most MAX_HEAD_BYTES)
        self.body = bytearray()  # a refused answer's body (at most MAX_BODY)
        self.head_complete = False
        self._lines = 0
        self._line_start = 0
        self._served = b""  # head bytes read ahead, for websocket-client's next reads

    def _left(self) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("open_timeout expired")
        return left

    def gettimeout(self) -> float:
        return self._left()

    def settimeout(self, value: float | None) -> None:
        """Ignored: the deadline decides."""

    def fileno(self) -> int:
        return self._sock.fileno()

    def close(self) -> None:
        """Ignored: the caller owns the connection (websocket-client closes it on errors)."""

    def send(self, data: bytes) -> int:
        """Send all of ``data`` (websocket-client ignores a partial send's count)."""
        sent = 0
        while sent < len(data):
            self._sock.settimeout(self._left())
            sent += self._sock.send(data[sent:])
        return len(data)

    def recv(self, size: int) -> bytes:
        if not self._served and not self.head_complete and self._line_start == len(self.head):
            self._served = self._line_beginning()
        if self._served:
            data, self._served = self._served[:size], self._served[size:]
            return data
        if self.head_complete:
            room = MAX_BODY - len(self.body)
            if room <= 0:
                raise _BodyFull
            size = min(size, room)
        else:
            size = 1  # a head line's start must be seen before it is served
        self._sock.settimeout(self._left())
        data = self._sock.recv(size)
        if self.head_complete:
            self.body += data
        elif data:
            self._add_head(data)
        return data

    def _line_beginning(self) -> bytes:
        """A head line's first bytes, enough to tell a Set-Cookie line (renamed).

        Read a byte at a time: the line may be the empty one that ends the head, and
        frames may follow it.
        """
        begun = b""
        while len(begun) < len(_SET_COOKIE) and not begun.endswith(b"\n"):
            self._sock.settimeout(self._left())
            byte = self._sock.recv(1)
            if not byte:
                break
            begun += byte
            self._add_head(byte)
        if begun.lower() == _SET_COOKIE:
            return _IGNORED_COOKIE
        return begun

    def _add_head(self, data: bytes) -> None:
        """Record head bytes; count lines; note the empty line that ends the head."""
        head = self.head
        start = len(head)
        head += data
        newline = head.find(b"\n", start)
        while newline >= 0:
            line = head[self._line_start : newline]
            self._line_start = newline + 1
            if not line.strip():  # what ends the head for websocket-client too
                self.head_complete = True
                self.body += head[newline + 1 :]  # only if a read took more than the head
                del head[newline + 1 :]
                return
            self._lines += 1
            if self._lines > MAX_HEAD_LINES + 1:  # + 1: the status line
                raise HeadTooLarge(f"more than {MAX_HEAD_LINES} header lines")
            newline = head.find(b"\n", newline + 1)
        if len(head) > MAX_HEAD_BYTES:
            raise HeadTooLarge(f"more than {MAX_HEAD_BYTES} bytes without its end")

    def read_some(self, wait: float) -> None:
        """Read body bytes for up to ``wait`` seconds, the first ones only, up to MAX_BODY."""
        end = min(time.monotonic() + wait, self._deadline)
        try:
            while len(self.body) < MAX_BODY:
                left = end - time.monotonic()
                if left <= 0:
                    return
                self._sock.settimeout(left)
                data = self._sock.recv(MAX_BODY - len(self.body))
                if not data:
                    return
                self.body += data
                end = min(end, time.monotonic() + _BODY_WAIT / 10)  # then a pause ends it
        except OSError:  # a timeout, a reset: the body is what came
            return


def parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    """The status and headers of a response head (lenient: this only describes an error).

    Names are lower-cased; repeated headers are joined with ", ". The status is 0
    when the status line holds none.
    """
    lines = head.decode("latin-1").splitlines()
    fields = lines[0].split(None, 2) if lines else []
    status = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else 0
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon and name.strip():
            key = name.strip().lower()
            value = value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return status, headers


def _refused(bounded: _Bounded, url: str, request_headers: Mapping[str, str]) -> HandshakeError:
    """The HandshakeError for a complete answer that is not a switch to WebSocket."""
    status, headers = parse_head(bytes(bounded.head))
    framed = "content-length" in headers or status in _REDIRECTS or status in (204, 304)
    if not bounded.body and not framed:
        bounded.read_some(_BODY_WAIT)  # an event stream, chunked or up to the close
    body = bytes(bounded.body[:MAX_BODY])
    content_type = headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    secrets = _secrets(url, request_headers)
    advice = ""
    remedy: Remedy | None = None
    if status in _REDIRECTS:
        location = redact_url(headers.get("location", "(no Location)"))
        message = (
            f"server redirected the handshake (HTTP {status}) to {location}: WSClient does "
            "not follow redirects, connect to that URL instead"
        )
    elif 200 <= status < 300 and media_type == "text/event-stream":
        message = (
            f"server answered HTTP {status} with Content-Type text/event-stream: this is a "
            "Server-Sent Events endpoint"
        )
        advice = ", use SSEClient with an http:// or https:// URL"
        remedy = Remedy("open-as-sse", url=_http_twin(url))
    else:
        message = f"server answered the handshake with HTTP {status} instead of 101"
        if content_type:
            message += f" (Content-Type: {content_type})"
        if body:
            message += f": {body_snippet(body, secrets)}"
    return HandshakeError(
        message, status=status, headers=headers, body=body, advice=advice, remedy=remedy
    )


def _http_twin(url: str) -> str:
    """``url`` over http:// (ws://) or https:// (wss://), where an event stream is read."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="https" if parts.scheme == "wss" else "http"))


def _secrets(url: str, headers: Mapping[str, str]) -> list[str]:
    """What we sent that a server may echo and must not reach a message or a log."""
    parts = urlsplit(url)
    found = [value for name, value in headers.items() if is_secret(name)]
    found += [value for _, value in parse_qsl(parts.query)]
    if parts.password:
        found.append(parts.password)
    return found
