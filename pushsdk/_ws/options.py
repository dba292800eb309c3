"""WSClient's checks of its arguments (kept out of ws.py): each mistake fails at the call."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any

from .._checks import check_field_value, check_host, check_tokens
from .._client import check_seconds
from .connect import SSLOPT_KEYS, context_from_sslopt

__all__ = ["check_int", "check_numbers", "check_strings", "check_tls"]


def check_numbers(
    ping_interval: float | None,
    ping_timeout: float | None,
    open_timeout: float,
    max_message_size: int,
    send_buffer: int,
) -> None:
    """Check WSClient's timeouts and sizes."""
    check_seconds("ping_interval", ping_interval)
    check_seconds("ping_timeout", ping_timeout)
    check_seconds("open_timeout", open_timeout, allow_none=False)
    check_int("max_message_size", max_message_size, minimum=1)
    check_int("send_buffer", send_buffer, minimum=0)


def check_strings(
    subprotocols: object, event_key: object, origin: object, compression: object
) -> None:
    """Check WSClient's subprotocols, ``event_key``, ``origin`` and ``compression``."""
    if subprotocols is not None and (
        not isinstance(subprotocols, list | tuple)
        or not all(isinstance(p, str) for p in subprotocols)
    ):
        raise TypeError(f"subprotocols must be a list of str, got {subprotocols!r}")
    check_tokens("subprotocols", subprotocols or ())
    for name, value in (("event_key", event_key), ("origin", origin)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if isinstance(origin, str):
        check_field_value("origin", origin)
    if compression not in ("deflate", None):
        raise ValueError(f'compression must be "deflate" or None, got {compression!r}')


def check_tls(
    sslopt: Mapping[str, Any] | None,
    ssl_context: ssl.SSLContext | None,
    *,
    verify: object = True,
    cert: object = None,
    truststore: object = False,
) -> ssl.SSLContext | None:
    """The context ``sslopt`` or ``ssl_context`` make, built now so that a mistake fails
    at the call; None when neither is given (``verify``/``cert`` then apply)."""
    own = verify is not True or cert is not None or truststore is not False
    if (sslopt is not None or ssl_context is not None) and own:
        raise ValueError(
            "give verify=/cert=/truststore= or sslopt=/ssl_context=, not both: the one "
            "TLS context would ignore the others"
        )
    if sslopt is not None and not set(sslopt) <= SSLOPT_KEYS:
        unknown = ", ".join(sorted(set(sslopt) - SSLOPT_KEYS))
        raise ValueError(f"sslopt has unknown keys: {unknown}")
    if ssl_context is not None:
        if not isinstance(ssl_context, ssl.SSLContext):
            raise TypeError(f"ssl_context must be an ssl.SSLContext, got {ssl_context!r}")
        if ssl_context.protocol == ssl.PROTOCOL_TLS_SERVER:
            raise ValueError("ssl_context is a server context (PROTOCOL_TLS_SERVER)")
        return ssl_context
    if sslopt is None:
        return None
    server_hostname = sslopt.get("server_hostname")
    if server_hostname is not None:
        if not isinstance(server_hostname, str):
            raise TypeError(f"sslopt['server_hostname'] must be a str, got {server_hostname!r}")
        check_host("sslopt['server_hostname']", server_hostname)
    try:
        return context_from_sslopt(sslopt)
    except (ValueError, TypeError, OSError) as exc:  # ssl.SSLError is an OSError
        raise ValueError(f"sslopt cannot make a TLS context: {exc}") from exc


def check_int(name: str, value: int, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
