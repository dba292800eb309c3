"""Open an event stream: send SSEClient's request and check the response head.

All of it within one deadline (``connect_timeout``), kept by a ``Watchdog`` that
cuts the socket through the client's ``SocketHandle``, which ``close()`` can cut
too. Failures are mapped to pushsdk's errors (root cause chained), as
``_ws.connect`` does for WSClient.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import requests
from requests.structures import CaseInsensitiveDict

from .._net.certprobe import fetch_url_names
from .._net.proxy import proxy_for, refusal
from .._net.tlsconfig import CertArg, TLSConfig
from ..errors import ConnectError, HandshakeError, PushError
from .body import response_socket
from .check import (
    ERROR_BODY_WAIT,
    TRANSPORT_ERRORS,
    check_response,
    connect_error,
    connect_timed_out,
    refused_certificate,
    root_cause,
)
from .options import request_body, request_proxies, verify_setting
from .transport import SocketHandle, Watchdog, use_tls_context

__all__ = ["open_stream"]

_logger = logging.getLogger("pushsdk.sse")


def open_stream(
    session: requests.Session,
    url: str,
    *,
    method: str,
    headers: Mapping[str, str],
    last_event_id: str,
    body: Any,
    json: Any,
    proxy: str | bool | None,
    verify: bool | str,
    cert: CertArg | None,
    tls: TLSConfig,
    connect_timeout: float,
    read_timeout: float | None,
    handle: SocketHandle,
    interrupted: Callable[[], bool],
) -> requests.Response:
    """Send the request; return the response once its head says an event stream follows.

    ``headers`` are the caller's; ``last_event_id`` (if any) resumes the stream.
    Every socket is registered with ``handle`` as soon as it exists; the response's
    socket is then left with ``read_timeout``. The caller closes the response it gets;
    one that fails the checks is closed here.

    Raises:
        ProxyError: the proxy is unreachable or refused.
        ConnectError: DNS, refused, TLS or timeout failure, or ``close()`` came first.
        HandshakeError: the status or Content-Type says no event stream follows.
        CallbackError: a ``body`` or ``json`` function failed.
    """
    request_headers: CaseInsensitiveDict[str | bytes] = CaseInsensitiveDict(
        {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
    )
    request_headers.update(headers)
    if last_event_id:
        # UTF-8 per the spec; leading whitespace is not part of an HTTP field value.
        request_headers["Last-Event-ID"] = last_event_id.lstrip().encode()
    handle.activate()
    watchdog = Watchdog(handle.expire, connect_timeout)
    response: requests.Response | None = None
    try:
        proxy_url = proxy_for(url, proxy)
        data, json_data = request_body(body, json)
        try:
            if url.startswith("https:") or (proxy_url is not None and proxy_url.scheme == "https"):
                use_tls_context(session, tls.context())
            response = session.request(
                method,
                url,
                headers=request_headers,
                data=data,
                json=json_data,
                stream=True,
                # Per operation; the watchdog bounds the whole attempt.
                timeout=(
                    connect_timeout,
                    connect_timeout if read_timeout is None else min(connect_timeout, read_timeout),
                ),
                verify=verify_setting(verify, session),
                cert=cert,
                # None: requests reads the environment itself (our proxy_for agrees).
                proxies=request_proxies(proxy),
                allow_redirects=True,
            )
        except TRANSPORT_ERRORS as exc:
            if isinstance(exc, requests.Timeout):  # one operation's share of the deadline
                raise connect_timed_out(url, connect_timeout) from root_cause(exc)
            names = None
            if refused_certificate(exc):
                names = fetch_url_names(url, proxy_url, tls.context(), handle.register, interrupted)
            raise connect_error(exc, url, proxy_url, names) from root_cause(exc)
        sock = response_socket(response)
        if sock is not None:
            handle.register(sock)  # a pooled connection may not have registered
        watchdog.shorten(ERROR_BODY_WAIT)  # an error body gets little more time
        if response.status_code == 407 and proxy_url is not None:  # http:// through a proxy
            raise refusal(proxy_url, 407, response.reason or "")
        check_response(response)
        if watchdog.stop():
            raise ConnectionAbortedError("the deadline passed")
        if sock is not None:
            sock.settimeout(read_timeout)
        else:  # pragma: no cover - a transport whose socket we cannot reach
            _logger.debug("no socket found: read_timeout is connect_timeout")
        return response
    except BaseException as exc:
        if response is not None:
            response.close()
        if not isinstance(exc, PushError | ConnectionAbortedError):
            raise
        if watchdog.stop() and not isinstance(exc, HandshakeError):
            raise connect_timed_out(url, connect_timeout) from exc
        if isinstance(exc, ConnectionAbortedError):  # close() came first
            raise ConnectError("closed while connecting") from exc
        raise
    finally:
        watchdog.stop()
        handle.deactivate()
