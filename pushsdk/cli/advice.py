"""What to do about an error, in the command line's words rather than the SDK's.

The SDK's messages advise Python callers (``verify='/path/to/ca.pem'``, "use
SSEClient", ``open_timeout``); someone at a terminal needs the option or command
that does the same (``--cacert``, ``-k``, ``pushsdk http://...``,
``--connect-timeout``). The SDK names the fix as data (``PushError.remedy``): this
module words it. Refused credentials are told by the answer's status.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import HandshakeError, PushError
from .secrets import is_secret_header

__all__ = ["credentials_hint", "error_text", "gave_up_text"]

#: What a 2xx answer of the wrong kind means (a web page, JSON, ...).
_NOT_AN_ENDPOINT = {
    "ws": "this URL is not a WebSocket endpoint: check its path",
    "sse": "this URL is not a Server-Sent Events stream: check its path "
    "(and -X/-d/--json if it streams only when asked with a body)",
}
#: What to type to send a token, as in ``--help``.
BEARER = '-H "Authorization: Bearer $TOKEN"'
BASIC = '-H "Authorization: Basic $(printf %s USER:PASSWORD | base64)"'


def error_text(
    error: BaseException,
    cacert: str | None = None,
    header_names: Iterable[str] = (),
    protocol: str = "",
) -> str:
    """``error``'s message, its advice given as options of this command.

    ``cacert``: the ``--cacert`` file given, if any (then it is the wrong one).
    ``header_names``: the ``-H`` headers sent (a refused one is named).
    ``protocol``: ``"ws"`` or ``"sse"``, what the URL was opened as.
    """
    text = str(error) or type(error).__name__
    if isinstance(error, HandshakeError) and error.status in (401, 403):
        return f"{text}; {credentials_hint(error, header_names)}"
    remedy = error.remedy if isinstance(error, PushError) else None
    if remedy is None:
        if isinstance(error, HandshakeError) and 200 <= error.status < 300:
            return f"{text}; {_NOT_AN_ENDPOINT.get(protocol, 'check the URL')}"
        return text
    text = text.removesuffix(error.advice) if isinstance(error, PushError) else text
    if remedy.kind == "open-as-sse":
        return f"{text}: pushsdk {remedy.url}"
    if remedy.kind == "longer-timeout":
        return f"{text}; if the server is only slow, give a longer --connect-timeout"
    if cacert is not None:
        return f"{text}; --cacert {cacert} does not hold the CA that issued it"
    return f"{text}; trust that CA with --cacert FILE, or skip verification with -k"


def credentials_hint(error: HandshakeError, header_names: Iterable[str]) -> str:
    """How to send credentials (none sent), or which ones were refused (some sent)."""
    sent = [name for name in header_names if is_secret_header(name)]
    if sent:
        names = ", ".join(f"-H {name}" for name in sent)
        if error.status == 401:
            return f"the credentials sent ({names}) were not accepted: check them"
        return f"the credentials sent ({names}) do not allow this"
    challenge = error.headers.get("WWW-Authenticate", "").strip().lower()
    example = BASIC if challenge.startswith("basic") else BEARER
    if error.status == 401:
        return f"send credentials with {example}"
    return f"if it needs credentials, send them with {example}"


def gave_up_text(last_error: str, elapsed: float, attempts: int, run_timeout: float | None) -> str:
    """Why a run that never connected ended, with the figures and the option to change.

    ``run_timeout``: the ``--timeout`` given (None: the SDK's first-connect budget ran out).
    """
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    if run_timeout is not None:
        tries = f" ({tries})" if attempts > 1 else ""
        return f"no connection within --timeout {run_timeout:g} s{tries}: {last_error}"
    return (
        f"no connection after {elapsed:.0f} s ({tries}): {last_error}; "
        "to keep trying longer, give --timeout S"
    )
