"""Keep the secrets a user passes on the command line out of everything we print.

Tokens travel in headers (``-H 'Authorization: Bearer ...'``) and in URLs (user
info, query strings). Status lines, error lines and recordings show URLs without
them, and any other text (an error message, a server's error body that echoes
the request) has each secret value replaced before it is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

__all__ = ["MASK", "Redactor", "redact_url"]

MASK = "***"
#: Header names whose values are always secret.
_SECRET_HEADERS = ("authorization", "proxy-authorization", "cookie")
#: Parts of a header name that make its value secret.
_SECRET_PARTS = ("token", "key", "secret", "auth", "password", "session", "signature")
#: Shorter values are not masked inside other text: "1" would mangle every number.
_MIN_SECRET_LENGTH = 4


def is_secret_header(name: str) -> bool:
    lowered = name.lower()
    return lowered in _SECRET_HEADERS or any(part in lowered for part in _SECRET_PARTS)


def redact_url(url: str) -> str:
    """``url`` without its password and with each query value masked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    host = parts.netloc.rpartition("@")[2]
    user = parts.username if parts.username else ""
    netloc = f"{user}:{MASK}@{host}" if parts.password else (f"{user}@{host}" if user else host)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = "&".join(f"{name}={MASK}" if value else name for name, value in pairs)
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


class Redactor:
    """Masks the secrets of one invocation in any text."""

    def __init__(self, urls: Iterable[str] = (), headers: Mapping[str, str] | None = None):
        secrets: set[str] = set()
        for url in urls:
            secrets.update(_url_secrets(url))
        for name, value in (headers or {}).items():
            if is_secret_header(name):
                secrets.add(value.strip())
                secrets.update(value.split()[1:])  # "Bearer abc": abc alone too, not Bearer
        # Longest first, so that a secret containing another is masked whole.
        self._secrets = sorted(
            (s for s in secrets if len(s) >= _MIN_SECRET_LENGTH), key=len, reverse=True
        )

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def url(self, url: str) -> str:
        """``url`` for display: password and query values masked."""
        return redact_url(url)


def _url_secrets(url: str) -> set[str]:
    try:
        parts = urlsplit(url)
    except ValueError:
        return set()
    found = {value for _, value in parse_qsl(parts.query, keep_blank_values=True)}
    for pair in parts.query.split("&"):  # the raw, percent-encoded forms too
        found.add(pair.partition("=")[2])
    if parts.query:
        found.add(parts.query)
    if parts.password:
        found.update((parts.password, unquote(parts.password)))
    return found
