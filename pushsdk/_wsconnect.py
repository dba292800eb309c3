"""Open a WebSocket connection: TCP (or an HTTP proxy tunnel), TLS, then the handshake.

We make the TCP connection ourselves, so that ``close()`` can cut a connect in
progress (the socket is handed to ``register`` before anything blocks on it),
then TLS (``_tls``: safe for a reader and senders at once), then the opening
handshake on that connection (``_wshandshake``), all before one deadline.
Failures are mapped to pushsdk's errors (root cause chained).
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

from ._deflate import Negotiated
from ._tls import Stream, start_tls
from ._wshandshake import handshake
from .errors import ConnectError, HandshakeError

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
#: How often a pending TCP connect checks whether it was interrupted.
_CONNECT_POLL = 0.05


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
    compression: bool = False,
) -> tuple[Stream, str | None, Negotiated | None]:
    """Connect and complete the opening handshake within ``timeout`` seconds.

    Returns the connection (the socket, or a ``TLSStream`` over it for wss), the
    subprotocol the server chose and the permessage-deflate agreement (if
    ``compression``). ``register`` receives every socket (then the TLS stream) as
    soon as it exists, so another thread can shut it down; ``interrupted`` is polled
    while connecting.

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
            context = ssl_context or context_from_sslopt(sslopt or {})
            server_hostname = (sslopt or {}).get("server_hostname") or host
            stream = start_tls(sock, context, server_hostname, deadline)
            register(stream)
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
        if exc.reason == "WRONG_VERSION_NUMBER":
            raise ConnectError(
                f"TLS failure: {host}:{port} does not speak TLS ({exc}); "
                "if it is a plain-text WebSocket server, use a ws:// URL"
            ) from exc
        raise ConnectError(f"TLS failure: {exc}") from exc
    except TimeoutError as exc:
        detail = f": {exc}" if str(exc) else ""
        raise ConnectError(f"timed out after {timeout} s (open_timeout){detail}") from exc
    except OSError as exc:
        if interrupted():
            raise ConnectError("connect interrupted by close()") from exc
        raise ConnectError(f"cannot connect to {host}:{port}: {exc.strerror or exc}") from exc


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
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
                if _writable(sock, wait):
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


def _writable(sock: socket.socket, wait: float) -> bool:
    """Whether ``sock`` became writable (its connect ended) within ``wait`` seconds.

    poll() where there is one: CPython's select() puts three FD_SETSIZE tables (48 KiB)
    on the stack, and the client thread would keep those pages for its whole life
    (10 KiB more RSS per idle connection, measured).
    """
    if _poll is None:
        return bool(select.select([], [sock], [], wait)[1])
    poller = _poll()
    poller.register(sock, select.POLLOUT)
    return bool(poller.poll(wait * 1000))


_poll = getattr(select, "poll", None)  # not on Windows


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
        sock.settimeout(_remaining(deadline))  # the deadline bounds the whole answer
        byte = sock.recv(1)  # one byte at a time: nothing past the headers is consumed
        if not byte or len(response) > 65536:
            raise ConnectError("the proxy closed the connection during CONNECT")
        response += byte
    status_line = response.split(b"\r\n", 1)[0].decode("latin-1")
    fields = status_line.split()
    if len(fields) < 2 or fields[1] != "200":
        raise ConnectError(f"proxy refused the tunnel: {status_line}")


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
