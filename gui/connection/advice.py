"""What to do about an error, in the monitor's words rather than the SDK's.

The SDK's messages advise Python callers (``verify='/path/to/ca.pem'``, "use
SSEClient", ``open_timeout``); a monitor user needs what to do in the window
(Options… > CA file, the http:// URL that opens an SSE tab), or nothing where the
window offers no such setting (a connect timeout). The SDK names the fix as data
(``PushError.remedy``): this module words it.
"""

from __future__ import annotations

from pushsdk import PushError

__all__ = ["TRUST_ADVICE", "error_message"]

TRUST_ADVICE = (
    "; trust that CA in Options… > CA file, or tick Skip TLS certificate verification there"
)


def error_message(error: BaseException) -> str:
    """``error``'s message, its advice given as what to do in the monitor."""
    text = str(error)
    if not isinstance(error, PushError) or error.remedy is None:
        return text
    text = text.removesuffix(error.advice)
    if error.remedy.kind == "longer-timeout":  # the monitor waits as long as the SDK does
        return text
    if error.remedy.kind == "open-as-sse":
        return f"{text}: connect to {error.remedy.url} instead"
    return text + TRUST_ADVICE
