"""WSClient's checks of its TLS and numeric arguments (kept out of ws.py)."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any

from .._checks import check_host
from .connect import SSLOPT_KEYS, context_from_sslopt

__all__ = ["check_int", "check_tls"]


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
