"""Reach ``host:port``: straight, or through an HTTP, HTTPS or SOCKS proxy.

Every socket is handed to ``register`` before anything blocks on it, so that
``close()`` can cut a connect in progress, and every step runs before one deadline.
An ``https://`` proxy gets TLS of its own (``_net.tls``), and the server's TLS then runs
inside that stream: TLS over a ``TLSStream``. SOCKS speaks python-socks' protocol
connectors over our own socket (its ``Proxy.connect`` would open a socket that
``close()`` cannot reach).
"""

from __future__ import annotations

import errno
import os
import select
import socket
import ssl
import time
from collections.abc import Callable
from typing import Any

from ..errors import ConnectError, ProxyError
from .proxy import MAX_CONNECT_REPLY, Proxy, connect_request, parse_connect_reply, refusal
from .tls import Stream, start_tls
from .tlsadvice import tls_hint

__all__ = ["dial", "remaining", "socks_handshake", "tcp_connect"]

#: How often a pending TCP connect checks whether it was interrupted.
_CONNECT_POLL = 0.05
_IN_PROGRESS = frozenset({errno.EINPROGRESS, errno.EALREADY, errno.EWOULDBLOCK})


def remaining(deadline: float) -> float:
    """Seconds left before ``deadline`` (``time.monotonic()``); TimeoutError if none."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def dial(
    host: str,
    port: int,
    *,
    proxy: Proxy | None,
    proxy_context: ssl.SSLContext | None,
    deadline: float,
    register: Callable[[Stream], None],
    interrupted: Callable[[], bool],
) -> Stream:
    """A connection to ``host:port``, through ``proxy`` if given.

    ``proxy_context`` verifies an ``https://`` proxy's certificate.

    Raises:
        ProxyError: the proxy is unreachable, failed TLS, or refused the tunnel.
        ConnectError: no route to ``host`` (no proxy), or interrupted.
        TimeoutError: the deadline passed.
        OSError: the connection failed.
    """
    if proxy is None:
        return tcp_connect(host, port, deadline, register, interrupted)
    try:
        sock = tcp_connect(proxy.host, proxy.port, deadline, register, interrupted)
    except (ConnectError, OSError) as exc:
        if interrupted() or isinstance(exc, TimeoutError):
            raise
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ProxyError(
            f"cannot reach proxy {proxy.display}: {reason}", proxy=proxy.display
        ) from exc
    if proxy.is_socks:
        socks_handshake(sock, proxy, host, port, deadline)
        return sock
    stream: Stream = sock
    if proxy.scheme == "https":
        try:
            stream = start_tls(
                sock, proxy_context or ssl.create_default_context(), proxy.host, deadline
            )
        except ssl.SSLError as exc:
            hint = tls_hint(exc, proxy.host)
            raise ProxyError(
                f"TLS failure with proxy {proxy.display}: {exc}",
                proxy=proxy.display,
                advice=hint.advice,
                remedy=hint.remedy,
            ) from exc
        register(stream)
    http_tunnel(stream, proxy, host, port, deadline)
    return stream


def http_tunnel(stream: Stream, proxy: Proxy, host: str, port: int, deadline: float) -> None:
    """Ask an HTTP(S) proxy for a tunnel to ``host:port`` (CONNECT)."""
    stream.settimeout(remaining(deadline))
    stream.sendall(connect_request(proxy, host, port))
    head = b""
    while b"\r\n\r\n" not in head:
        stream.settimeout(remaining(deadline))  # the deadline bounds the whole answer
        byte = stream.recv(1)  # one byte at a time: nothing past the head is consumed
        if not byte or len(head) > MAX_CONNECT_REPLY:
            raise ProxyError(
                f"proxy {proxy.display} closed the connection during CONNECT",
                proxy=proxy.display,
            )
        head += byte
    status, reason = parse_connect_reply(head)
    if not 200 <= status < 300:
        raise refusal(proxy, status, reason)


class _Resolver:
    """python-socks' resolver interface: the destination's address, looked up here."""

    @staticmethod
    def resolve(
        host: str, port: int = 0, family: socket.AddressFamily = socket.AF_UNSPEC
    ) -> tuple[socket.AddressFamily, str]:
        infos = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
        found_family, _, _, _, address = sorted(infos, key=lambda info: info[0])[0]
        return found_family, str(address[0])


class _Stream:
    """python-socks' stream interface over our socket (which stays ours to close)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def write(self, data: bytes) -> None:
        self._sock.sendall(data)

    def read(self, max_bytes: int = 65536) -> bytes:
        return self._sock.recv(max_bytes)

    def read_exactly(self, n: int) -> bytes:
        data = bytearray()
        while len(data) < n:
            packet = self._sock.recv(n - len(data))
            if not packet:
                raise ConnectionResetError("the SOCKS proxy closed the connection")
            data += packet
        return bytes(data)

    def close(self) -> None:
        """python-socks closes on failure; the caller closes the socket instead."""


def socks_handshake(
    sock: socket.socket, proxy: Proxy, host: str, port: int, deadline: float
) -> None:
    """Ask a SOCKS proxy, over the connected ``sock``, for a connection to ``host:port``.

    Raises:
        ProxyError: the proxy refused (status 407 for rejected credentials).
        TimeoutError: the deadline passed.
    """
    from python_socks import ProxyType  # noqa: PLC0415 - optional dependency
    from python_socks._connectors.factory_sync import (  # noqa: PLC0415
        create_connector,
    )

    kind = ProxyType.SOCKS5 if proxy.scheme.startswith("socks5") else ProxyType.SOCKS4
    connector: Any = create_connector(
        proxy_type=kind,
        username=proxy.username,
        password=proxy.password,
        rdns=proxy.remote_dns,
        resolver=_Resolver(),  # type: ignore[arg-type]  # the same interface
    )
    sock.settimeout(remaining(deadline))
    try:
        connector.connect(stream=_Stream(sock), host=host, port=port)
    except (OSError, ConnectError):
        raise
    except Exception as exc:  # python-socks' ReplyError and kin: the proxy said no
        text = str(exc)
        status = 407 if "authentication" in text.lower() else None
        raise ProxyError(
            f"proxy {proxy.display} refused the connection to {host}:{port}: {text}",
            proxy=proxy.display,
            status=status,
        ) from exc


def tcp_connect(
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
                wait = min(_CONNECT_POLL, remaining(deadline))
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
