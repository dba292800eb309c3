"""What to do about an error, in the command line's words rather than the SDK's.

The SDK's messages advise Python callers (``verify='/path/to/ca.pem'``); someone at
a terminal needs the option that does the same (``--cacert``, ``-k``).
"""

from __future__ import annotations

import ssl

__all__ = ["error_text"]

#: Where the SDK's advice for an untrusted certificate starts in its message.
_SDK_TRUST_ADVICE = "; pass verify="
#: OpenSSL verify codes of a certificate whose issuer is not trusted (self-signed,
#: private CA): trusting that CA is the fix.
_UNTRUSTED = {2, 18, 19, 20, 21}


def error_text(error: BaseException, cacert: str | None = None) -> str:
    """``error``'s message, its advice given as options of this command.

    ``cacert``: the ``--cacert`` file given, if any (then it is the wrong one).
    """
    text = str(error) or type(error).__name__
    failure = _certificate_failure(error)
    if failure is None or failure.verify_code not in _UNTRUSTED:
        return text
    text = text.split(_SDK_TRUST_ADVICE, 1)[0]
    if cacert is not None:
        return f"{text}; --cacert {cacert} does not hold the CA that issued it"
    return f"{text}; trust that CA with --cacert FILE, or skip verification with -k"


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
