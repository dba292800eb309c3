"""Open a WebSocket connection: TCP (or an HTTP proxy tunnel), TLS, then the handshake.

We make the TCP connection ourselves, so that ``close()`` can cut a connect in
progress (the socket is handed to ``register`` before anything blocks on it), and
the TLS too (``_tls``: safe for a reader and senders at once), then let
websocket-client do the opening handshake on that connection: request
headers, subprotocols, origin and the ``Sec-WebSocket-Accept`` check. Its
exceptions are mapped to pushsdk's (root cause chained).
"""

from __future__ import annotations

import base64
import errno
import os
import select
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

import websocket

from ._tls import Stream, start_tls
from .errors import ConnectError, HandshakeError

__all__ = ["SSLOPT_KEYS", "open_connection"]

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
#: How often a pending TCP connect checks whether it was interrupted.
_CONNECT_POLL = 0.05
#: Most of a refused handshake's response body kept in HandshakeError.body.
_MAX_BODY = 64 * 1024


def open_connection(
    url: str,
    *,
    headers: Mapping[str, str],
    subprotocols: list[str] | None,
    origin: str | None,
    proxy: str | None,
    ssl_context: ssl.SSLContext | None,
    sslopt: Mapping[str, Any] | None,
    timeout: float,
    register: Callable[[Stream], None],
    interrupted: Callable[[], bool],
) -> tuple[Stream, str | None]:
    """Connect and complete the opening handshake within ``timeout`` seconds.

    Returns the connection (the socket, or a ``TLSStream`` over it for wss) and the
    subprotocol the server chose. ``register`` receives every socket (then the TLS
    stream) as soon as it exists, so another thread can shut it down; ``interrupted``
    is polled while connecting.

    Raises:
        ConnectError: DNS, refused, TLS or timeout failure, or interrupted.
        HandshakeError: the server did not switch protocols.
    """
    deadline = time.monotonic() + timeout
    parts = urlsplit(url)
    host = parts.hostname or ""
    secure = parts.scheme == "wss"
    port = parts.port or (443 if secure else 80)
    try:
        if proxy is not None:
            proxy_parts = urlsplit(proxy)
            sock = _tcp_connect(
                proxy_parts.hostname or "", proxy_parts.port or 80, deadline, register, interrupted
            )
            _tunnel(
                sock,
                host=host,
                port=port,
                user=proxy_parts.username,
                password=proxy_parts.password,
                deadline=deadline,
            )
        else:
            sock = _tcp_connect(host, port, deadline, register, interrupted)
        stream: Stream = sock
        if secure:
            context = ssl_context or _context_from_sslopt(sslopt or {})
            server_hostname = (sslopt or {}).get("server_hostname") or host
            stream = start_tls(sock, context, server_hostname, deadline)
            register(stream)
        subprotocol = _handshake(
            stream,
            url,
            headers=headers,
            subprotocols=subprotocols,
            origin=origin,
            deadline=deadline,
        )
        return stream, subprotocol
    except (ConnectError, HandshakeError):
        raise
    except ssl.SSLError as exc:
        raise ConnectError(f"TLS failure: {exc}") from exc
    except TimeoutError as exc:
        raise ConnectError(f"timed out after {timeout} s (open_timeout)") from exc
    except OSError as exc:
        if interrupted():
            raise ConnectError("connect interrupted by close()") from exc
        raise ConnectError(f"cannot connect to {host}:{port}: {exc.strerror or exc}") from exc


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("open_timeout expired")
    return left


def _tcp_connect(
    host: str,
    port: int,
    deadline: float,
    register: Callable[[socket.socket], None],
    interrupted: Callable[[], bool],
) -> socket.socket:
    """Connect without blocking for long, so that ``interrupted`` is seen promptly."""
    try:
        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ConnectError(f"cannot resolve {host!r}: {exc}") from exc
    error: OSError | None = None
    for family, kind, proto, _, address in infos:
        sock = socket.socket(family, kind, proto)
        register(sock)
        try:
            sock.setblocking(False)
            code = sock.connect_ex(address)
            while code in _IN_PROGRESS:
                if interrupted():
                    raise ConnectError("connect interrupted by close()")
                wait = min(_CONNECT_POLL, _remaining(deadline))
                _, writable, _ = select.select([], [sock], [], wait)
                if writable:
                    code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                raise OSError(code, os.strerror(code))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
            if isinstance(exc, TimeoutError):
                raise
        except BaseException:
            sock.close()
            raise
    assert error is not None
    raise error


_IN_PROGRESS = frozenset({errno.EINPROGRESS, errno.EALREADY, errno.EWOULDBLOCK})


def _tunnel(
    sock: socket.socket,
    *,
    host: str,
    port: int,
    user: str | None,
    password: str | None,
    deadline: float,
) -> None:
    """Ask an HTTP proxy for a tunnel to ``host:port`` (CONNECT)."""
    sock.settimeout(_remaining(deadline))
    lines = [f"CONNECT {host}:{port} HTTP/1.1", f"Host: {host}:{port}"]
    if user is not None:
        token = base64.b64encode(f"{unquote(user)}:{unquote(password or '')}".encode()).decode()
        lines.append(f"Proxy-Authorization: Basic {token}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    response = b""
    while b"\r\n\r\n" not in response:
        byte = sock.recv(1)  # one byte at a time: nothing past the headers is consumed
        if not byte or len(response) > 65536:
            raise ConnectError("the proxy closed the connection during CONNECT")
        response += byte
    status_line = response.split(b"\r\n", 1)[0].decode("latin-1")
    fields = status_line.split()
    if len(fields) < 2 or fields[1] != "200":
        raise ConnectError(f"proxy refused the tunnel: {status_line}")


def _context_from_sslopt(sslopt: Mapping[str, Any]) -> ssl.SSLContext:
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


def _handshake(
    sock: Stream,
    url: str,
    *,
    headers: Mapping[str, str],
    subprotocols: list[str] | None,
    origin: str | None,
    deadline: float,
) -> str | None:
    """Run websocket-client's opening handshake on ``sock``; return the subprotocol."""
    remaining = _remaining(deadline)
    sock.settimeout(remaining)
    ws = websocket.WebSocket(skip_utf8_validation=True)
    options: dict[str, Any] = {
        "socket": sock,
        "header": [f"{name}: {value}" for name, value in headers.items()],
        "timeout": remaining,
        "redirect_limit": 0,
    }
    if subprotocols:
        options["subprotocols"] = subprotocols
    if origin is not None:
        options["origin"] = origin
    try:
        ws.connect(url, **options)  # type: ignore[no-untyped-call]
    except websocket.WebSocketBadStatusException as exc:
        raise HandshakeError(
            f"server answered the handshake with HTTP {exc.status_code}",
            status=exc.status_code,
            headers=exc.resp_headers or {},
            body=(exc.resp_body or b"")[:_MAX_BODY],
        ) from exc
    except websocket.WebSocketTimeoutException as exc:
        raise TimeoutError(str(exc)) from exc
    except websocket.WebSocketConnectionClosedException as exc:
        raise ConnectError("connection closed during the handshake") from exc
    except websocket.WebSocketException as exc:
        response = ws.handshake_response
        status = response.status if response is not None else 101
        raise HandshakeError(
            f"invalid handshake response ({exc}): a wrong or missing Upgrade, Connection, "
            "Sec-WebSocket-Accept or Sec-WebSocket-Protocol header",
            status=status,
            headers=response.headers if response is not None else {},
        ) from exc
    subprotocol = ws.getsubprotocol()
    return subprotocol if isinstance(subprotocol, str) else None
