"""Checks of the arguments both clients put on the wire, made in their constructors.

A bad URL, host name or header must fail at the call with a ValueError naming the
argument: found later, on the client thread, it would crash the thread (IDNA
errors) or be retried for ever (requests refusing a header at send time), and a
CR or LF let through would inject header lines into the request.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

__all__ = [
    "check_field_value",
    "check_headers",
    "check_host",
    "check_port",
    "check_tokens",
    "check_url",
]

#: A header name, HTTP method or subprotocol is a token (RFC 9110, 5.6.2).
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
#: What may never be inside a field value: it would end the line (RFC 9110, 5.5).
_LINE_BREAKING = re.compile(r"[\r\n\0]")
#: Characters no host name can hold: whitespace, controls, and URL delimiters.
_BAD_HOST_CHARS = re.compile(r"[\x00-\x20\x7f\"<>\\^`{|}]")
#: For a URL of the wrong scheme: the client that takes it.
_OTHER_CLIENT = {
    "http": "SSEClient",
    "https": "SSEClient",
    "ws": "WSClient",
    "wss": "WSClient",
}


def check_url(name: str, url: object, schemes: tuple[str, ...]) -> None:
    """Raise unless ``url`` is a URL of one of ``schemes`` with a usable host name."""
    if not isinstance(url, str):
        raise TypeError(f"{name} must be a str, got {type(url).__name__}")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise ValueError(f"{name} is not a valid URL: {exc}") from None
    check_port(name, parts.netloc)
    if parts.scheme not in schemes or not parts.hostname:
        wanted = " or ".join(f"{s}://" for s in schemes)
        article = "an" if wanted[0] in "aeiouh" else "a"
        message = f"{name} must be {article} {wanted} URL with a host, got {url!r}"
        other = _OTHER_CLIENT.get(parts.scheme)
        if other is not None and name == "url" and parts.scheme not in schemes:
            message += f": use {other} for a {parts.scheme}:// URL"
        raise ValueError(message)
    check_host(name, parts.hostname)


def check_port(name: str, netloc: str) -> None:
    """Raise unless the port in ``netloc`` (``user@host:port``), if any, is 1 to 65535.

    Said in words: urllib's "Port out of range 0-65535" lets port 0 through, which
    cannot be connected to, and names no argument.
    """
    host_port = netloc.rpartition("@")[2]
    if host_port.startswith("["):  # [IPv6]:port
        host_port = host_port.partition("]")[2]
    _, colon, port = host_port.rpartition(":")
    if not colon or not port:  # no port, or "host:": the scheme's default
        return
    if not (port.isascii() and port.isdigit()):
        raise ValueError(f"{name} has a port that is not a number: {port!r}")
    if not 1 <= int(port) <= 65535:
        raise ValueError(f"{name}: port {int(port)} is out of range (1-65535)")


def check_host(name: str, host: str) -> None:
    """Raise unless ``host`` is a host name or IP address that can be looked up."""
    reason = _host_problem(host)
    if reason is not None:
        raise ValueError(f"{name} has an invalid host name {host!r}: {reason}")


def _host_problem(host: str) -> str | None:
    """Why ``host`` cannot be looked up (None if it can): what IDNA encoding would reject."""
    if ":" in host:  # an IPv6 literal (urlsplit removed the brackets)
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return "not an IPv6 address"
        return None
    if _BAD_HOST_CHARS.search(host):
        return "it holds a space, a control character or a delimiter"
    labels = host.removesuffix(".").split(".")
    if any(not label for label in labels):
        return "it has an empty label"
    try:
        encoded = host.encode("idna")
    except UnicodeError as exc:
        return f"IDNA encoding fails ({exc}); a label is at most 63 characters"
    if len(encoded.removesuffix(b".")) > 253:
        return "it is longer than 253 characters"
    return None


def check_headers(name: str, headers: object) -> None:
    """Raise unless ``headers`` maps header names (tokens) to values without CR, LF or NUL."""
    if headers is None:
        return
    if not isinstance(headers, Mapping):
        raise TypeError(f"{name} must be a dict of str to str, got {type(headers).__name__}")
    for key, value in headers.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"{name} must map str to str, got {key!r}: {value!r}")
        if not _TOKEN.fullmatch(key):
            raise ValueError(f"{name} has an invalid header name {key!r} (RFC 9110 token)")
        check_field_value(f"{name}[{key!r}]", value)


def check_field_value(name: str, value: str) -> None:
    """Raise if ``value`` holds CR, LF or NUL, which would forge header lines."""
    if _LINE_BREAKING.search(value):
        raise ValueError(f"{name} must not contain CR, LF or NUL, got {value!r}")


def check_tokens(name: str, values: Iterable[str]) -> None:
    """Raise unless every item of ``values`` is an RFC 9110 token."""
    for value in values:
        if not _TOKEN.fullmatch(value):
            raise ValueError(f"{name} must hold tokens (no spaces, commas or CR/LF), got {value!r}")
