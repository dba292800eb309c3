"""The URL of ``pushsdk [ws|sse] URL``: which protocol it speaks."""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["protocol_and_url"]

_SCHEMES = {"ws": "ws", "wss": "ws", "http": "sse", "https": "sse"}


def protocol_and_url(url: str, forced: str | None) -> tuple[str, str]:
    """``("ws" | "sse", url)`` for ``url``; ``forced`` is ``"ws"``/``"sse"`` if given first.

    Raises:
        ValueError: the URL cannot be used, with the message for the user.
    """
    url = url.strip()
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
        host = urlsplit(url).hostname
    except ValueError:  # a malformed URL: the client's check says what is wrong
        host = "?"
    if not host:
        raise ValueError(f"URL has no host: {url!r}; e.g. {scheme}://localhost:8080/path")
    return protocol, url
