"""What an SSE response or a failed request means: the status and type rules, errors.

Kept apart from the client so that its rules (docs/reconnect.md: 204 and 4xx stop,
5xx/408/429 retry, a wrong Content-Type fails, a TLS certificate failure is final) read
in one place.
"""

from __future__ import annotations

import http.client
import re
import ssl
import time
from urllib.parse import parse_qsl, urlsplit

import requests
import urllib3.exceptions

from .._net.certnames import CertNames
from .._net.proxy import Proxy, refusal
from .._net.tlsadvice import TLSHint, tls_hint, wants_names
from .._redact import body_snippet, is_secret, redact_url
from ..errors import (
    ConnectError,
    ConnectionClosed,
    HandshakeError,
    ProxyError,
    PushError,
    Remedy,
)
from .body import response_socket

#: How much of an error response's body HandshakeError keeps (an API's error JSON).
ERROR_BODY_LIMIT = 8 * 1024
#: Seconds an error body may take in all (SSEClient also cuts the socket then).
ERROR_BODY_WAIT = 1.0
#: What requests and the layers under it raise for a failed request, connect or read.
#: What requests raises for a redirect to a URL it cannot fetch (ws://, ftp://, no host):
#: the same on every attempt, so never retried.
UNFOLLOWABLE = (
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
)
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
        message = f"server answered HTTP {status} {response.reason or ''}".rstrip()
        if body:
            message += f": {body_snippet(body, _sent_secrets(response))}"
        raise HandshakeError(
            message,
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


def _sent_secrets(response: requests.Response) -> list[str]:
    """Values we sent that a server may echo: secret-named headers, the query's values."""
    request = response.request
    found = [str(v) for k, v in request.headers.items() if is_secret(k)]
    found += [value for _, value in parse_qsl(urlsplit(request.url or "").query)]
    return found


def unframed(response: requests.Response) -> bool:
    """Whether the response says nothing of its body's length (no length, not chunked)."""
    names = {name.lower() for name in response.headers}
    return "content-length" not in names and "transfer-encoding" not in names


def read_error_body(response: requests.Response) -> bytes:
    """Up to ERROR_BODY_LIMIT bytes of an error response, within ERROR_BODY_WAIT seconds.

    A body trickling in is cut at the time limit; after the first bytes, a pause of a
    tenth of it ends the body too. (A read that decodes nothing, e.g. gzip padding,
    can outlast a socket timeout: the caller's watchdog bounds that case.)
    """
    sock = response_socket(response)
    parts: list[bytes] = []
    size = 0
    deadline = time.monotonic() + ERROR_BODY_WAIT
    wait = ERROR_BODY_WAIT
    try:
        while size < ERROR_BODY_LIMIT:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if sock is not None:
                sock.settimeout(min(left, wait))
            data = response.raw.read1(ERROR_BODY_LIMIT - size, decode_content=True)
            if not data:
                break
            parts.append(data)
            size += len(data)
            wait = ERROR_BODY_WAIT / 10
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


def refused_certificate(exc: BaseException) -> bool:
    """Whether ``exc`` wraps a certificate refused for its names or its issuer."""
    return any(wants_names(e) for e in _chain(exc))


def root_cause(exc: BaseException) -> BaseException:
    """The permanent TLS error buried in a requests error, if any (BaseClient stops on it):
    a certificate failure, or a plain-text server (WRONG_VERSION_NUMBER)."""
    return next((e for e in _chain(exc) if _permanent_tls_error(e)), exc)


def _permanent_tls_error(exc: BaseException) -> bool:
    return isinstance(exc, ssl.SSLCertVerificationError) or _plain_text_peer(exc)


def _plain_text_peer(exc: BaseException) -> bool:
    """Whether ``exc`` says the peer answered the TLS hello in plain text."""
    return isinstance(exc, ssl.SSLError) and exc.reason == "WRONG_VERSION_NUMBER"


#: How http.client reports a proxy's refusal of CONNECT.
_TUNNEL_REFUSED = re.compile(r"Tunnel connection failed: (\d{3}) ?([^'\")]*)")


def connect_error(
    exc: Exception, url: str, proxy: Proxy | None = None, names: CertNames | None = None
) -> ConnectError:
    """A ConnectError naming the socket-level reason, without the URL's secrets.

    requests' own message repeats the full URL, query string (tokens) included.
    ``proxy`` is the proxy the request went through, if any (for ProxyError);
    ``names``, those of a certificate that failed verification.
    """
    where = redact_url(url)
    chain = _chain(exc)
    ours = next((e for e in chain if isinstance(e, ProxyError)), None)
    if ours is not None:
        return ours
    if isinstance(exc, requests.exceptions.ProxyError) and proxy is not None:
        return _proxy_error(chain, proxy)
    if isinstance(exc, UNFOLLOWABLE):  # the URL itself was checked: a redirect's target
        # requests names the URL only in its message, quoted; never shown unredacted.
        quoted = re.search(r"'([^']*)'", str(exc))
        target = redact_url(quoted.group(1)) if quoted else "a URL"
        return ConnectError(
            f"{where} redirected to {target}, which SSEClient cannot follow "
            "(not an http:// or https:// URL)"
        )
    malformed = next((e for e in chain if _malformed_answer(e)), None)
    if malformed is not None:
        return ConnectError(f"{where} answered with invalid HTTP: {_describe(malformed)}")
    socket_errors = [e for e in chain if type(e).__module__ in ("builtins", "socket", "ssl")]
    last = socket_errors[-1] if socket_errors else None
    if last is None:  # http.client's (RemoteDisconnected: closed without an answer)
        reason = str(chain[-1]) or type(exc).__name__
    else:
        reason = getattr(last, "strerror", None) or str(last)
    if isinstance(exc, requests.exceptions.SSLError):
        host = urlsplit(url).hostname or ""
        cause = next((e for e in chain if isinstance(e, ssl.SSLError)), None)
        hint = TLSHint() if cause is None else tls_hint(cause, host, names)
        if cause is not None and cause.reason:  # as WSClient says it: the hint has the rest
            reason = cause.reason
        advice = hint.advice
        if any(_plain_text_peer(e) for e in chain):
            advice += "; if it is plain HTTP, use an http:// URL"
        return ConnectError(
            f"TLS failure connecting to {where}: {reason}{hint.detail}",
            advice=advice,
            remedy=hint.remedy,
        )
    return ConnectError(f"cannot connect to {where}: {reason}")  # as WSClient says it


def _malformed_answer(exc: BaseException) -> bool:
    """Whether http.client refused the answer's head (not: closed without an answer)."""
    return isinstance(exc, http.client.HTTPException) and not isinstance(exc, ConnectionError)


def _describe(exc: BaseException) -> str:
    """What was wrong with the head, in http.client's words (a bad status line quoted)."""
    if isinstance(exc, http.client.BadStatusLine):
        line = str(exc.args[0]) if exc.args else ""
        return f"bad status line {line.strip()[:200]!r}"
    return str(exc)


def _proxy_error(chain: list[BaseException], proxy: Proxy) -> ProxyError:
    """The ProxyError for requests' ProxyError: a refusal (with its status) or no route."""
    for error in chain:
        found = _TUNNEL_REFUSED.search(str(error))
        if found:
            return refusal(proxy, int(found.group(1)), found.group(2).strip())
    socket_errors = [e for e in chain if type(e).__module__ in ("builtins", "socket", "ssl")]
    reason = socket_errors[-1] if socket_errors else chain[-1]
    shown = reason.strerror if isinstance(reason, OSError) and reason.strerror else reason
    tls = next((e for e in chain if isinstance(e, ssl.SSLError)), None)
    hint = TLSHint() if tls is None else tls_hint(tls, proxy.host)
    return ProxyError(
        f"cannot reach proxy {proxy.display}: {shown}",
        proxy=proxy.display,
        advice=hint.advice,
        remedy=hint.remedy,
    )


def connect_timed_out(url: str, seconds: float) -> ConnectError:
    """The error of an attempt cut at its deadline (connect, TLS, request, head)."""
    return ConnectError(
        f"timed out after {seconds:g} s connecting to {redact_url(url)}",
        advice=f"; if the server is only slow, raise connect_timeout ({seconds:g} s)",
        remedy=Remedy("longer-timeout"),
    )


def read_error(exc: BaseException, read_timeout: float | None) -> PushError:
    if isinstance(exc, TimeoutError | urllib3.exceptions.ReadTimeoutError):
        return ConnectionClosed(f"no data for {read_timeout} s (read_timeout): reconnecting")
    return ConnectionClosed(f"connection lost: {exc!r}")
