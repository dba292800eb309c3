"""Which proxy a connection goes through, and the HTTP CONNECT exchange: no I/O here.

Both clients read the environment the way requests does (``requests.utils``: the same
``*_PROXY`` precedence, the same ``NO_PROXY`` matching of hosts, domain suffixes,
``*``, IP addresses, CIDR blocks and ports), so that a WebSocket and an event stream
to the same host take the same route. WebSocket URLs are looked up as their HTTP
twins: ``ws://`` as ``http://`` (``HTTP_PROXY``), ``wss://`` as ``https://``
(``HTTPS_PROXY``), both falling back on ``ALL_PROXY``. An explicit ``proxy=`` is used
for every URL, as requests uses ``proxies=``; ``NO_PROXY`` filters the environment's.

A proxy URL's password must never reach a log, an exception or a ``repr``: ``Proxy``
shows itself as ``display``, which masks it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import requests.utils

from ..errors import ConnectError, ProxyError

__all__ = [
    "PROXY_SCHEMES",
    "Proxy",
    "check_proxy",
    "connect_request",
    "parse_connect_reply",
    "parse_proxy",
    "proxy_for",
    "redact_proxy",
    "refusal",
]

#: The proxy URL schemes both clients take (socks4a and socks5h resolve names remotely).
PROXY_SCHEMES = ("http", "https", "socks4", "socks4a", "socks5", "socks5h")
#: The most a CONNECT answer's head may take before the proxy is taken for broken.
MAX_CONNECT_REPLY = 64 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HTTP_TWIN = {"ws": "http", "wss": "https"}


@dataclass(frozen=True)
class Proxy:
    """A parsed proxy URL; ``repr`` and ``display`` never show its password."""

    scheme: str
    host: str
    port: int
    username: str | None = field(default=None)
    password: str | None = field(default=None, repr=False)

    @property
    def display(self) -> str:
        """The URL with the password masked, for messages and logs."""
        user = "" if self.username is None else f"{self.username}:***@"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{user}{host}:{self.port}"

    @property
    def is_socks(self) -> bool:
        return self.scheme.startswith("socks")

    @property
    def remote_dns(self) -> bool:
        """Whether the proxy resolves the destination's name (socks4a, socks5h)."""
        return self.scheme in ("socks4a", "socks5h")

    def __repr__(self) -> str:
        return f"Proxy({self.display!r})"


def redact_proxy(url: str) -> str:
    """``url`` with any password masked (for an error message about a bad proxy URL)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "<unparsable proxy URL>"
    if password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{user}:***@{host}").geturl()


def parse_proxy(url: str) -> Proxy:
    """Parse a proxy URL (a bare ``host:port`` is an ``http://`` proxy, as in requests).

    Raises:
        ValueError: not a proxy URL we can use; the message masks the password.
    """
    if "://" not in url:
        url = "http://" + url
    shown = redact_proxy(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError(f"proxy is not a valid URL: {shown!r}") from None
    scheme = parts.scheme.lower()
    if scheme not in PROXY_SCHEMES or not parts.hostname:
        schemes = ", ".join(f"{s}://" for s in PROXY_SCHEMES)
        raise ValueError(f"proxy must be a {schemes} URL with a host, got {shown!r}")
    if port is None:
        if scheme not in _DEFAULT_PORTS:
            raise ValueError(f"proxy needs a port for {scheme}://, got {shown!r}")
        port = _DEFAULT_PORTS[scheme]
    username = None if parts.username is None else unquote(parts.username)
    password = None if parts.password is None else unquote(parts.password)
    return Proxy(scheme, parts.hostname, port, username, password)


def check_proxy(value: object) -> None:
    """Check a ``proxy=`` argument: None (the environment), False (none) or a URL.

    Raises:
        TypeError, ValueError: naming ``proxy``, never showing its password.
    """
    if value is None or value is False:
        return
    if not isinstance(value, str):
        raise TypeError(f"proxy must be a URL str, False or None, got {type(value).__name__}")
    proxy = parse_proxy(value)
    if proxy.is_socks:
        socks_available(proxy)


def socks_available(proxy: Proxy) -> None:
    """Raise a ValueError telling which extra to install if python-socks is missing."""
    try:
        import python_socks  # noqa: F401, PLC0415 - optional dependency
    except ImportError:
        raise ValueError(
            f"a {proxy.scheme}:// proxy needs the python-socks package: "
            "pip install 'pushsdk[socks]'"
        ) from None


def proxy_for(url: str, proxy: str | bool | None) -> Proxy | None:
    """The proxy to reach ``url`` through, read now (the environment may change).

    Raises:
        ConnectError: the environment names a proxy URL we cannot use.
    """
    if proxy is False or proxy is True:  # True is refused by check_proxy; be safe
        return None
    if isinstance(proxy, str):
        return parse_proxy(proxy)
    parts = urlsplit(url)
    http_url = parts._replace(scheme=_HTTP_TWIN.get(parts.scheme, parts.scheme)).geturl()
    chosen = requests.utils.select_proxy(http_url, requests.utils.get_environ_proxies(http_url))
    if not chosen:
        return None
    try:
        found = parse_proxy(chosen)
        if found.is_socks:
            socks_available(found)
    except ValueError as exc:
        raise ConnectError(f"the proxy the environment names cannot be used: {exc}") from None
    return found


def connect_request(proxy: Proxy, host: str, port: int) -> bytes:
    """The CONNECT request asking ``proxy`` for a tunnel to ``host:port``."""
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    if proxy.username is not None:
        pair = f"{proxy.username}:{proxy.password or ''}".encode()
        lines.append(f"Proxy-Authorization: Basic {base64.b64encode(pair).decode()}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def parse_connect_reply(head: bytes) -> tuple[int, str]:
    """The status code and reason of a CONNECT answer's head (up to its blank line).

    Raises:
        ConnectError: the head is not an HTTP status line.
    """
    line = head.split(b"\r\n", 1)[0].decode("latin-1")
    fields = line.split(" ", 2)
    if len(fields) < 2 or not fields[0].startswith("HTTP/") or not fields[1].isdigit():
        raise ConnectError(f"the proxy answered CONNECT with something else than HTTP: {line!r}")
    return int(fields[1]), fields[2].strip() if len(fields) > 2 else ""


def refusal(proxy: Proxy, status: int, reason: str) -> ProxyError:
    """The error for a proxy that answered CONNECT with ``status`` (not 2xx)."""
    text = f"proxy {proxy.display} refused the tunnel: HTTP {status} {reason}".rstrip()
    if status == 407:
        text += (
            "; give the proxy's user name and password in the proxy URL"
            if proxy.username is None
            else "; check the user name and password in the proxy URL"
        )
    return ProxyError(text, proxy=proxy.display, status=status)
