"""Which failures are worth a reconnect, and how long the server asks us to wait."""

from __future__ import annotations

import email.utils
import ssl
import time

from .errors import HandshakeError, PushError

_RETRY_STATUSES = frozenset({408, 429})


def is_transient(error: PushError) -> bool:
    """Whether reconnecting after ``error`` can help (SPEC: reconnect rules)."""
    if isinstance(error, HandshakeError):
        return error.status >= 500 or error.status in _RETRY_STATUSES
    cause: BaseException | None = error.__cause__
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return False
        cause = cause.__cause__
    return True


def retry_after(error: PushError | None) -> float | None:
    """The delay a 429/503 response asks for in ``Retry-After``, if any."""
    if not isinstance(error, HandshakeError):
        return None
    value = next((v for k, v in error.headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)
