"""What to do about an error, in the monitor's words rather than the SDK's.

The SDK's messages advise Python callers (``verify='/path/to/ca.pem'``, "use
SSEClient"); a monitor user needs what to do in the window (Options… > CA file, the
http:// URL that opens an SSE tab).
"""

from __future__ import annotations

from pushsdk.cli.advice import event_stream_url, untrusted_issuer, without_sdk_advice

__all__ = ["TRUST_ADVICE", "error_message"]

TRUST_ADVICE = (
    "; trust that CA in Options… > CA file, or tick Skip TLS certificate verification there"
)


def error_message(error: BaseException, url: str = "") -> str:
    """``error``'s message, its advice given as what to do in the monitor.

    ``url``: the URL connected to.
    """
    text = str(error)
    sse_url = event_stream_url(error, url)
    if sse_url is not None:
        return f"{without_sdk_advice(text)}: connect to {sse_url} instead"
    if not untrusted_issuer(error):
        return text
    return without_sdk_advice(text) + TRUST_ADVICE
