"""Keep secrets out of logs."""

from __future__ import annotations

from collections.abc import Mapping
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
