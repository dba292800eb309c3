"""Keep secrets out of logs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit, urlunsplit

_SECRET_NAMES = ("authorization", "cookie")
_SECRET_PARTS = ("token", "key", "secret", "auth", "password")


def is_secret(name: str) -> bool:
    lowered = name.lower()
    return lowered in _SECRET_NAMES or any(part in lowered for part in _SECRET_PARTS)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Return ``headers`` with the values of secret-looking names replaced."""
    return {name: ("<redacted>" if is_secret(name) else value) for name, value in headers.items()}


def redact_url(url: str) -> str:
    """Return ``url`` without user info or query string, which often carry tokens."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    netloc = parts.netloc.rpartition("@")[2]
    query = "<redacted>" if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


#: ``name=value`` or ``name: value`` where the name looks secret (token=..., "password": ...).
_SECRET_PAIR = re.compile(
    r"""(?i)([\w-]*(?:token|key|secret|auth|password|cookie)[\w-]*["']?\s*[:=]\s*["']?)"""
    r"""(?:bearer\s+|basic\s+)?[^\s"'&,;<>]+"""
)
#: Characters of a body shown in an error message.
SNIPPET_CHARS = 200


def body_snippet(body: bytes, secrets: Iterable[str] = ()) -> str:
    """The start of a response body for an error message, with secrets taken out.

    ``secrets`` are values we sent (tokens in headers or the query) that a server may
    echo back; values of secret-looking names (``token=...``) are removed too.
    """
    text = body[: SNIPPET_CHARS * 4].decode("utf-8", "replace")
    for secret in secrets:
        # The value, and its words ("Bearer <token>"); shorter ones would mangle the text.
        for part in {secret, *(word for word in secret.split() if len(word) >= 8)}:
            if len(part) >= 4:
                text = text.replace(part, "<redacted>")
    text = _SECRET_PAIR.sub(r"\1<redacted>", text)
    text = " ".join(text.split())
    if len(text) > SNIPPET_CHARS:
        text = text[:SNIPPET_CHARS] + "..."
    return repr(text)
