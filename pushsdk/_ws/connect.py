"""Open a WebSocket connection: TCP (or a proxy tunnel), TLS, then the handshake.

We make the TCP connection ourselves (``_net.dial``, proxies included), so that
``close()`` can cut a connect in progress (the socket is handed to ``register``
before anything blocks on it),
then TLS (``_net.tls``: safe for a reader and senders at once), then the opening
handshake on that connection (``_ws.handshake``), all before one deadline.
Failures are mapped to pushsdk's errors (root cause chained).
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from .._net.certprobe import fetch_names
from .._net.dial import dial
from .._net.proxy import Proxy
from .._net.tls import Stream, start_tls
from .._net.tlsadvice import tls_hint, wants_names
from ..errors import ConnectError, HandshakeError, Remedy
from .deflate import Negotiated
from .handshake import handshake

__all__ = ["SSLOPT_KEYS", "context_from_sslopt", "open_connection"]

#: The ``sslopt`` keys understood (a subset of websocket-client's, same meanings).
SSLOPT_KEYS = frozenset(
    {
        "cert_reqs",
        "check_hostname",
        "ca_certs",
        "ca_cert_path",
        "certfile",
        "keyfile",
        "password",
        "ciphers",
        "server_hostname",
        "context",
    }
)
#: The last stage of an attempt, as a timeout there names it.
_UPGRADING = "waiting for the server's answer to the WebSocket upgrade"


def open_connection(
    url: str,
    *,
    headers: Mapping[str, str],
    subprotocols: list[str] | None,
    origin: str | None,
    proxy: Proxy | None,
    context: ssl.SSLContext | None,
    server_hostname: str | None,
    timeout: float,
    register: Callable[[Stream], None],
    interrupted: Callable[[], bool],
    compression: bool = False,
) -> tuple[Stream, str | None, Negotiated | None]:
    """Connect and complete the opening handshake within ``timeout`` seconds.

    Returns the connection (the socket, or a ``TLSStream`` over it for wss), the
    subprotocol the server chose and the permessage-deflate agreement (if
    ``compression``). ``context`` verifies the server (wss) and an ``https://``
    proxy (None: neither is there). ``register`` receives every socket (then the
    TLS stream) as soon as it exists, so another thread can shut it down;
    ``interrupted`` is polled while connecting.

    Raises:
        ProxyError: the proxy is unreachable or refused the tunnel.
        ConnectError: DNS, refused, TLS or timeout failure, or interrupted.
        HandshakeError: the server did not switch protocols.
    """
    deadline = time.monotonic() + timeout
    parts = urlsplit(url)
    host = parts.hostname or ""
    secure = parts.scheme == "wss"
    port = parts.port or (443 if secure else 80)
    via = "" if proxy is None else f" through proxy {proxy.display}"
    stage = f"connecting to {host}:{port}{via}"  # where a timeout found the attempt
    try:
        stream = dial(
            host,
            port,
            proxy=proxy,
            proxy_context=context,
            deadline=deadline,
            register=register,
            interrupted=interrupted,
        )
        if secure:
            stage = f"in the TLS handshake with {host}:{port}"
            stream = start_tls(
                stream, context or ssl.create_default_context(), server_hostname or host, deadline
            )
            register(stream)
        stage = _UPGRADING
        subprotocol, deflate = handshake(
            stream,
            url,
            headers=headers,
            subprotocols=subprotocols,
            origin=origin,
            deadline=deadline,
            compression=compression,
        )
        return stream, subprotocol, deflate
    except (ConnectError, HandshakeError):
        raise
    except ssl.SSLError as exc:
        names = None
        if wants_names(exc) and not interrupted():
            names = fetch_names(
                host,
                port,
                proxy=proxy,
                proxy_context=context,
                server_hostname=server_hostname or host,
                register=register,
                interrupted=interrupted,
            )
        hint = tls_hint(exc, server_hostname or host, names)
        advice = hint.advice
        if exc.reason == "WRONG_VERSION_NUMBER":
            advice += "; if it is a plain-text WebSocket server, use a ws:// URL"
        raise ConnectError(
            f"TLS failure with {host}:{port}: {exc.reason or exc}{hint.detail}",
            advice=advice,
            remedy=hint.remedy,
        ) from exc
    except TimeoutError as exc:
        if stage == _UPGRADING and str(exc):  # how much of the answer had arrived
            stage += f" ({exc})"
        raise ConnectError(
            f"timed out after {timeout:g} s {stage}",
            advice=f"; if the server is only slow, raise open_timeout ({timeout:g} s)",
            remedy=Remedy("longer-timeout"),
        ) from exc
    except OSError as exc:
        if interrupted():
            raise ConnectError("connect interrupted by close()") from exc
        raise ConnectError(f"cannot connect to {host}:{port}{via}: {exc.strerror or exc}") from exc


def context_from_sslopt(sslopt: Mapping[str, Any]) -> ssl.SSLContext:
    """Build the TLS context for websocket-client-style ``sslopt`` (verifying by default)."""
    context = sslopt.get("context")
    if isinstance(context, ssl.SSLContext):
        return context
    context = ssl.create_default_context(
        cafile=sslopt.get("ca_certs"), capath=sslopt.get("ca_cert_path")
    )
    cert_reqs = sslopt.get("cert_reqs", ssl.CERT_REQUIRED)
    context.check_hostname = bool(sslopt.get("check_hostname", cert_reqs != ssl.CERT_NONE))
    context.verify_mode = cert_reqs
    if sslopt.get("certfile"):
        context.load_cert_chain(sslopt["certfile"], sslopt.get("keyfile"), sslopt.get("password"))
    if sslopt.get("ciphers"):
        context.set_ciphers(sslopt["ciphers"])
    return context
