"""The URL of ``pushsdk [ws|sse] URL``: which protocol it speaks, and what a typo meant.

A URL with a mistyped separator (``ws:/host``, ``ws:host``, ``ws//host``) is
named with the URL it most likely meant, so that the fix is a copy and paste.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .._checks import check_port
from .secrets import redact_url

__all__ = ["protocol_and_url"]

_SCHEMES = {"ws": "ws", "wss": "ws", "http": "sse", "https": "sse"}
#: A known scheme whose "://" lost a character: ws:/host, ws:host, ws//host (ws:///path
#: is a URL without a host). Group 1: the scheme; group 2: the rest.
_MISTYPED = re.compile(r"(wss?|https?)(?::/?|//)([^/].*)", re.IGNORECASE)
#: A known scheme and nothing after it: ws:, ws:/, ws://
_HOSTLESS = re.compile(r"(wss?|https?):?/*", re.IGNORECASE)


def protocol_and_url(url: str, forced: str | None) -> tuple[str, str]:
    """``("ws" | "sse", url)`` for ``url``; ``forced`` is ``"ws"``/``"sse"`` if given first.

    Raises:
        ValueError: the URL cannot be used, with the message for the user.
    """
    url = url.strip()
    hostless = _HOSTLESS.fullmatch(url)
    if hostless is not None:
        example = f"{hostless.group(1).lower()}://localhost:8080/path"
        raise ValueError(f"URL has no host: {url!r}; e.g. {example}")
    mistyped = _MISTYPED.fullmatch(url)
    if mistyped is not None:
        scheme, rest = mistyped.groups()
        meant = f"{scheme.lower()}://{rest}"
        if meant != url:  # not an upper-case scheme alone
            raise ValueError(f"malformed URL: did you mean {redact_url(meant)}?")
    if "://" not in url:
        if forced is None:
            raise ValueError(
                f"URL needs a scheme: ws://, wss://, http:// or https:// (got {url!r}); "
                "or say 'pushsdk ws HOST/PATH' or 'pushsdk sse HOST/PATH'"
            )
        url = ("ws://" if forced == "ws" else "http://") + url
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    protocol = _SCHEMES.get(scheme)
    if protocol is None:
        raise ValueError(f"unsupported URL scheme {scheme!r}: use ws, wss, http or https")
    if forced == "ws" and protocol == "sse":  # pushsdk ws https://host/socket
        return "ws", ("wss" if scheme == "https" else "ws") + "://" + rest
    if forced == "sse" and protocol == "ws":
        raise ValueError(f"'pushsdk sse' needs an http:// or https:// URL, got {scheme}://")
    url = f"{scheme}://{rest}"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # a malformed URL: the client's check says what is wrong
        host = "?"
    else:
        check_port("URL", parts.netloc)
    if not host:
        raise ValueError(f"URL has no host: {url!r}; e.g. {scheme}://localhost:8080/path")
    return protocol, url
