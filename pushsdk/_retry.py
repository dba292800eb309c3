"""Which failures are worth a reconnect, and how long the server asks us to wait."""

from __future__ import annotations

import email.utils
import ssl
import time

from ._wshandshake import HeadTooLarge
from .errors import HandshakeError, PushError

_RETRY_STATUSES = frozenset({408, 429})


def is_transient(error: PushError) -> bool:
    """Whether reconnecting after ``error`` can help (SPEC: reconnect rules).

    Besides 4xx answers, a server that sends the same thing on every attempt is not
    retried: a certificate that fails verification, a plain-text server behind a
    wss:// URL (TLS WRONG_VERSION_NUMBER), a handshake response head over the caps.
    """
    cause: BaseException | None = error.__cause__
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError | HeadTooLarge):
            return False
        if isinstance(cause, ssl.SSLError) and cause.reason == "WRONG_VERSION_NUMBER":
            return False
        cause = cause.__cause__
    if isinstance(error, HandshakeError):
        return error.status >= 500 or error.status in _RETRY_STATUSES
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
