"""The names of a certificate that failed verification, for its error message.

OpenSSL reports a certificate for another host or from an unknown CA without naming
the certificate's names or its issuer, and ``ssl`` will not decode a certificate
that failed. Such a failure ends the client (retrying cannot fix it), so once, just
before, ``fetch_names`` opens the same route again (the same proxy), takes the
certificate without verifying it and reads its names (``_net.certnames``); nothing is
sent over that connection. ``tlsadvice`` words the failure with them.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from ..errors import PushError
from .certnames import CertNames, read_names
from .dial import dial
from .proxy import Proxy
from .tls import Stream, start_tls

__all__ = ["fetch_names", "fetch_url_names"]

#: The longest the second look at a refused certificate may take.
_PROBE_TIME = 2.0


def fetch_names(
    host: str,
    port: int,
    *,
    proxy: Proxy | None,
    proxy_context: ssl.SSLContext | None,
    server_hostname: str,
    register: Callable[[Stream], None],
    interrupted: Callable[[], bool],
) -> CertNames | None:
    """The names in the certificate ``host:port`` presents; None if it cannot be had."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    deadline = time.monotonic() + _PROBE_TIME
    stream: Stream | None = None
    try:
        stream = dial(
            host,
            port,
            proxy=proxy,
            proxy_context=proxy_context,
            deadline=deadline,
            register=register,
            interrupted=interrupted,
        )
        der = start_tls(stream, context, server_hostname, deadline).peer_certificate()
    except (OSError, PushError):  # ssl.SSLError and TimeoutError are OSErrors
        return None
    finally:
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    return read_names(der) if der else None


def fetch_url_names(
    url: str,
    proxy: Proxy | None,
    proxy_context: ssl.SSLContext,
    register: Callable[[socket.socket], None],
    interrupted: Callable[[], bool],
) -> CertNames | None:
    """``fetch_names`` for an ``https://`` URL; ``register`` sees each plain socket."""
    parts = urlsplit(url)
    host = parts.hostname or ""

    def register_stream(stream: Stream) -> None:
        if isinstance(stream, socket.socket):
            register(stream)

    return fetch_names(
        host,
        parts.port or 443,
        proxy=proxy,
        proxy_context=proxy_context,
        server_hostname=host,
        register=register_stream,
        interrupted=interrupted,
    )
