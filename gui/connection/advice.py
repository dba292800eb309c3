"""What to do about an error, in the monitor's words rather than the SDK's.

The SDK's messages advise Python callers (``verify='/path/to/ca.pem'``); a monitor
user needs the place in the window that does the same (Options… > CA file).
"""

from __future__ import annotations

import ssl

__all__ = ["TRUST_ADVICE", "error_message"]

#: Where the SDK's advice for an untrusted certificate starts in its message.
_SDK_TRUST_ADVICE = "; pass verify="
#: OpenSSL verify codes of a certificate whose issuer is not trusted (self-signed,
#: private CA): trusting that CA is the fix.
_UNTRUSTED = {2, 18, 19, 20, 21}
TRUST_ADVICE = (
    "; trust that CA in Options… > CA file, or tick Skip TLS certificate verification there"
)


def error_message(error: BaseException) -> str:
    """``error``'s message, its advice given as what to do in the monitor."""
    text = str(error)
    failure = _certificate_failure(error)
    if failure is None or failure.verify_code not in _UNTRUSTED:
        return text
    return text.split(_SDK_TRUST_ADVICE, 1)[0] + TRUST_ADVICE


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
