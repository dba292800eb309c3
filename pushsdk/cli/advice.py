"""What to do about an error, in the command line's words rather than the SDK's.

The SDK's messages advise Python callers (``verify='/path/to/ca.pem'``, "use
SSEClient"); someone at a terminal needs the option or command that does the same
(``--cacert``, ``-k``, ``pushsdk http://...``).
"""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit, urlunsplit

from ..errors import HandshakeError

__all__ = ["error_text", "event_stream_url", "untrusted_issuer", "without_sdk_advice"]

#: Where the SDK's advice for an untrusted certificate starts in its message.
_SDK_TRUST_ADVICE = "; pass verify="
#: Where the SDK's advice for a WebSocket URL that serves an event stream starts.
_SDK_SSE_ADVICE = ", use SSEClient"
#: OpenSSL verify codes of a certificate whose issuer is not trusted (self-signed,
#: private CA): trusting that CA is the fix.
_UNTRUSTED = {2, 18, 19, 20, 21}


def error_text(error: BaseException, url: str = "", cacert: str | None = None) -> str:
    """``error``'s message, its advice given as options of this command.

    ``url``: the URL connected to; ``cacert``: the ``--cacert`` file given, if any
    (then it is the wrong one).
    """
    text = str(error) or type(error).__name__
    sse_url = event_stream_url(error, url)
    if sse_url is not None:
        return f"{without_sdk_advice(text)}: pushsdk {sse_url}"
    if not untrusted_issuer(error):
        return text
    text = without_sdk_advice(text)
    if cacert is not None:
        return f"{text}; --cacert {cacert} does not hold the CA that issued it"
    return f"{text}; trust that CA with --cacert FILE, or skip verification with -k"


def event_stream_url(error: BaseException, url: str) -> str | None:
    """The http(s):// URL to open instead, when the ws(s):// ``url`` served an event stream.

    The command line and the monitor each say it their way.
    """
    if not _event_stream(error) or not url.startswith(("ws://", "wss://")):
        return None
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="https" if parts.scheme == "wss" else "http"))


def untrusted_issuer(error: BaseException) -> bool:
    """Whether ``error`` is a certificate issued by a CA not trusted here (trust it, or -k)."""
    failure = _certificate_failure(error)
    return failure is not None and failure.verify_code in _UNTRUSTED


def without_sdk_advice(text: str) -> str:
    """An SDK error message without the advice it gives Python callers."""
    return text.split(_SDK_SSE_ADVICE, 1)[0].split(_SDK_TRUST_ADVICE, 1)[0]


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
