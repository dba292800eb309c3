"""TLS failures that say what to do: which names, which issuer, which option."""

from __future__ import annotations

import ssl
from typing import NamedTuple

from ..errors import Remedy
from .certnames import CertNames

__all__ = ["UNTRUSTED_ADVICE", "TLSHint", "tls_hint", "wants_names"]

#: OpenSSL's verify codes (X509_V_ERR_*) of an issuer that is not trusted here.
_UNTRUSTED_ISSUER = frozenset({18, 19, 20, 21})
#: X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH.
_NAME_MISMATCH = frozenset({62, 64})


def wants_names(exc: BaseException) -> bool:
    """Whether the certificate's names would tell more about ``exc`` (a name or issuer)."""
    return isinstance(exc, ssl.SSLCertVerificationError) and (
        exc.verify_code in _NAME_MISMATCH or exc.verify_code in _UNTRUSTED_ISSUER
    )


class TLSHint(NamedTuple):
    """What a TLS failure's message adds: what went wrong, then what to do.

    ``detail`` and ``advice`` are clauses appended to the message in turn; ``remedy``
    is the advice as data, when a tool may word it its own way (see ``Remedy``).
    """

    detail: str = ""
    advice: str = ""
    remedy: Remedy | None = None


#: The advice for a certificate from an issuer that is not trusted here.
UNTRUSTED_ADVICE = (
    "; pass verify='/path/to/ca.pem' (or set SSL_CERT_FILE), or truststore=True to use "
    "the operating system's trust store"
)


def tls_hint(exc: BaseException, host: str, names: CertNames | None = None) -> TLSHint:
    """What went wrong in a TLS failure, and what to do about it."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        code = exc.verify_code
        if code in _NAME_MISMATCH:
            issued_for = "" if names is None else f" (it is for {', '.join(names.hosts)})"
            return TLSHint(
                f": the certificate is not valid for {host!r}, the name the URL uses{issued_for}",
                "; connect with a name the certificate was issued for",
            )
        if code in _UNTRUSTED_ISSUER:
            issuer = "a CA" if names is None else f"{names.issuer!r}"
            return TLSHint(
                f": {exc.verify_message}: the certificate of {host!r} was issued by {issuer}, "
                "which is not trusted here",
                UNTRUSTED_ADVICE,
                Remedy("trust-issuer"),
            )
        return TLSHint(f": {exc.verify_message}")
    if isinstance(exc, ssl.SSLError) and exc.reason == "WRONG_VERSION_NUMBER":
        return TLSHint(f": {host} does not speak TLS")
    return TLSHint()
