"""What to do about an error, in the monitor's words rather than the SDK's.

The SDK's messages advise Python callers (``verify='/path/to/ca.pem'``, "use
SSEClient"); a monitor user needs what to do in the window (Options… > CA file, the
http:// URL that opens an SSE tab).
"""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit, urlunsplit

from pushsdk import HandshakeError

__all__ = ["TRUST_ADVICE", "error_message"]

#: Where the SDK's advice for an untrusted certificate starts in its message.
_SDK_TRUST_ADVICE = "; pass verify="
#: Where the SDK's advice for a WebSocket URL that serves an event stream starts.
_SDK_SSE_ADVICE = ", use SSEClient"
#: OpenSSL verify codes of a certificate whose issuer is not trusted (self-signed,
#: private CA): trusting that CA is the fix.
_UNTRUSTED = {2, 18, 19, 20, 21}
TRUST_ADVICE = (
    "; trust that CA in Options… > CA file, or tick Skip TLS certificate verification there"
)


def error_message(error: BaseException, url: str = "") -> str:
    """``error``'s message, its advice given as what to do in the monitor.

    ``url``: the URL connected to.
    """
    text = str(error)
    if _event_stream(error) and url.startswith(("ws://", "wss://")):
        parts = urlsplit(url)
        sse_url = urlunsplit(parts._replace(scheme="https" if parts.scheme == "wss" else "http"))
        return f"{text.split(_SDK_SSE_ADVICE, 1)[0]}: connect to {sse_url} instead"
    failure = _certificate_failure(error)
    if failure is None or failure.verify_code not in _UNTRUSTED:
        return text
    return text.split(_SDK_TRUST_ADVICE, 1)[0] + TRUST_ADVICE


def _event_stream(error: BaseException) -> bool:
    """A WebSocket handshake answered by an event stream (an SSE endpoint)."""
    if not isinstance(error, HandshakeError) or not 200 <= error.status < 300:
        return False
    content_type = str(error.headers.get("content-type", "")).split(";", 1)[0]
    return content_type.strip().lower() == "text/event-stream"


def _certificate_failure(error: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification failure behind ``error``, if that is what it is."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None
