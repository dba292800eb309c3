"""What to do about an error, in the command line's words rather than the SDK's.

The SDK's messages advise Python callers (``verify='/path/to/ca.pem'``, "use
SSEClient"); someone at a terminal needs the option or command that does the same
(``--cacert``, ``-k``, ``pushsdk http://...``). The SDK names the fix as data
(``PushError.remedy``): this module words it.
"""

from __future__ import annotations

from ..errors import PushError

__all__ = ["error_text"]


def error_text(error: BaseException, cacert: str | None = None) -> str:
    """``error``'s message, its advice given as options of this command.

    ``cacert``: the ``--cacert`` file given, if any (then it is the wrong one).
    """
    text = str(error) or type(error).__name__
    remedy = error.remedy if isinstance(error, PushError) else None
    if remedy is None:
        return text
    text = text.removesuffix(error.advice) if isinstance(error, PushError) else text
    if remedy.kind == "open-as-sse":
        return f"{text}: pushsdk {remedy.url}"
    if cacert is not None:
        return f"{text}; --cacert {cacert} does not hold the CA that issued it"
    return f"{text}; trust that CA with --cacert FILE, or skip verification with -k"
