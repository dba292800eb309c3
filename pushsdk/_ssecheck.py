"""What an SSE response or a failed request means: the status and type rules, errors.

Kept apart from the client so that its rules (docs/reconnect.md: 204 and 4xx stop,
5xx/408/429 retry, a wrong Content-Type fails, a TLS certificate failure is final) read
in one place.
"""

from __future__ import annotations

import http.client
import ssl

import requests
import urllib3.exceptions

from ._redact import redact_url
from ._ssetransport import response_socket
from .errors import ConnectError, ConnectionClosed, HandshakeError, PushError

#: How much of an error response's body HandshakeError keeps.
ERROR_BODY_LIMIT = 64 * 1024
ERROR_BODY_WAIT = 1.0
#: What requests and the layers under it raise for a failed request, connect or read.
TRANSPORT_ERRORS = (
    requests.RequestException,
    OSError,
    ValueError,
    http.client.HTTPException,
    urllib3.exceptions.HTTPError,
)


def check_response(response: requests.Response) -> None:
    """Raise unless ``response`` opens an event stream (the status and type rules)."""
    status = response.status_code
    headers = dict(response.headers)
    if status == 204:
        raise HandshakeError(
            "server answered 204 No Content: not reconnecting", status=204, headers=headers
        )
    if not 200 <= status < 300:
        body = read_error_body(response)
        raise HandshakeError(
            f"server answered HTTP {status} {response.reason or ''}".rstrip(),
            status=status,
            headers=headers,
            body=body,
        )
    content_type = response.headers.get("Content-Type", "")
    if content_type.split(";", 1)[0].strip().lower() != "text/event-stream":
        body = read_error_body(response)
        if not body and unframed(response):
            # http.client takes a head cut short by the peer for a complete one:
            # an unframed, empty answer is more likely a lost connection.
            raise ConnectError("connection lost in the response head")
        raise HandshakeError(
            f"Content-Type {content_type!r} is not text/event-stream",
            status=status,
            headers=headers,
            body=body,
        )


def unframed(response: requests.Response) -> bool:
    """Whether the response says nothing of its body's length (no length, not chunked)."""
    names = {name.lower() for name in response.headers}
    return "content-length" not in names and "transfer-encoding" not in names


def read_error_body(response: requests.Response) -> bytes:
    """Up to ERROR_BODY_LIMIT bytes of an error response, without waiting forever.

    The first bytes get ERROR_BODY_WAIT seconds; after that, a pause ends the body.
    """
    sock = response_socket(response)
    parts: list[bytes] = []
    size = 0
    try:
        if sock is not None:
            sock.settimeout(ERROR_BODY_WAIT)
        while size < ERROR_BODY_LIMIT:
            data = response.raw.read1(ERROR_BODY_LIMIT - size, decode_content=True)
            if not data:
                break
            parts.append(data)
            size += len(data)
            if sock is not None:
                sock.settimeout(ERROR_BODY_WAIT / 10)
    except TRANSPORT_ERRORS:
        pass
    return b"".join(parts)


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception it wraps (causes, contexts, urllib3 reasons, args)."""
    seen: set[int] = set()
    found: list[BaseException] = []
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        found.append(current)
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
    return found


def root_cause(exc: BaseException) -> BaseException:
    """The TLS certificate error buried in a requests error, if any (BaseClient stops on it)."""
    return next((e for e in _chain(exc) if isinstance(e, ssl.SSLCertVerificationError)), exc)


def connect_error(exc: Exception, url: str) -> ConnectError:
    """A ConnectError naming the socket-level reason, without the URL's secrets.

    requests' own message repeats the full URL, query string (tokens) included.
    """
    where = redact_url(url)
    if isinstance(exc, requests.Timeout):
        return ConnectError(f"timed out connecting to {where}")
    socket_errors = [e for e in _chain(exc) if type(e).__module__ in ("builtins", "socket", "ssl")]
    reason = str(socket_errors[-1]) if socket_errors else type(exc).__name__
    if isinstance(exc, requests.exceptions.SSLError):
        return ConnectError(f"TLS failure connecting to {where}: {reason}")
    return ConnectError(f"could not connect to {where}: {reason}")


def read_error(exc: BaseException, read_timeout: float | None) -> PushError:
    if isinstance(exc, TimeoutError | urllib3.exceptions.ReadTimeoutError):
        return ConnectionClosed(f"no data for {read_timeout} s (read_timeout): reconnecting")
    return ConnectionClosed(f"connection lost: {exc!r}")
