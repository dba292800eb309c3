"""The errors pushsdk reports, to ``on_error`` and from its methods.

::

    PushError
     ├── ConnectError        DNS failure, refused connection, TLS failure, timeout
     │    ├── HandshakeError non-101 WebSocket upgrade; SSE status not 2xx or wrong type
     │    └── ProxyError     the proxy is unreachable or refused the tunnel (407, 403, 502)
     ├── ProtocolError       invalid frame or UTF-8, oversized message or event
     ├── ConnectionClosed    the connection or the client is closed
     ├── SendBufferFull      send() while offline with the send buffer full
     └── CallbackError       a user callback raised (the original is ``__cause__``)

Bad arguments are ``ValueError`` or ``TypeError``, raised where they are passed.

An error that pushsdk knows the fix for ends its message with advice for a Python
caller (``advice``) and may name the fix as data (``remedy``), so that a tool can
give the same advice in its own words (an option of a command, a setting in a window).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from requests.structures import CaseInsensitiveDict

__all__ = [
    "CallbackError",
    "ConnectError",
    "ConnectionClosed",
    "HandshakeError",
    "ProtocolError",
    "ProxyError",
    "PushError",
    "Remedy",
    "SendBufferFull",
]


@dataclass(frozen=True)
class Remedy:
    """What would fix a failure, as data, for tools that advise in their own words.

    Attributes:
        kind: ``"trust-issuer"``: the server's certificate was issued by a CA not
            trusted here; trust that CA (``verify=``), or skip verification.
            ``"open-as-sse"``: a ``ws://`` or ``wss://`` URL answered with an event
            stream; open ``url`` with ``SSEClient`` instead.
            ``"longer-timeout"``: an attempt ran out of its deadline (``open_timeout``,
            ``connect_timeout``) before the server had answered; a server that is only
            slow needs a longer one.
        url: for ``"open-as-sse"``, the URL to open: the same one over ``http://`` or
            ``https://``; empty otherwise.
    """

    kind: Literal["trust-issuer", "open-as-sse", "longer-timeout"]
    url: str = ""


class PushError(Exception):
    """Base class of every error pushsdk reports.

    Attributes:
        advice: the end of the message that says what to do, in a Python caller's
            terms (``"; pass verify='/path/to/ca.pem' ..."``), or ``""``.
            ``str(error).removesuffix(error.advice)`` is the message without it.
        remedy: the fix as data (see ``Remedy``), when pushsdk knows it; else None.
    """

    def __init__(self, *args: object, advice: str = "", remedy: Remedy | None = None) -> None:
        if advice:
            args = (f"{args[0] if args else ''}{advice}", *args[1:])
        super().__init__(*args)
        self.advice = advice
        self.remedy = remedy

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt without __init__ (subclasses take keyword-only arguments), so that
        # pickle and copy work: errors cross process pools and log queues.
        return _rebuild, (type(self), self.args), self.__dict__


def _rebuild(cls: type[PushError], args: tuple[object, ...]) -> PushError:
    """``cls`` with ``args``, its attributes set afterwards from the pickled state."""
    return cls.__new__(cls, *args)


class ConnectError(PushError):
    """The connection could not be established."""


class HandshakeError(ConnectError):
    """The server answered the opening handshake with something we cannot use.

    Attributes:
        status: the HTTP status code the server sent.
        headers: the response headers; lookups ignore the case of the name, whatever
            the transport (websocket-client lower-cases names, requests keeps them).
        body: up to 64 KiB of the response body.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        advice: str = "",
        remedy: Remedy | None = None,
    ) -> None:
        super().__init__(message, advice=advice, remedy=remedy)
        self.status = status
        self.headers: Mapping[str, str] = CaseInsensitiveDict(headers or {})
        self.body = body


class ProxyError(ConnectError):
    """A proxy could not be reached, or refused to open the tunnel to the server.

    A refusal with a 4xx status (407: credentials wanted or wrong, 403: forbidden)
    ends the client; an unreachable proxy, a 5xx (502, 503) or a dropped tunnel is
    retried with backoff.

    Attributes:
        proxy: the proxy's URL, its password masked.
        status: the status the proxy answered CONNECT with (407 too for a SOCKS proxy
            that rejected the credentials); None if it was unreachable or broke off.
    """

    def __init__(
        self,
        message: str,
        *,
        proxy: str,
        status: int | None = None,
        advice: str = "",
        remedy: Remedy | None = None,
    ) -> None:
        super().__init__(message, advice=advice, remedy=remedy)
        self.proxy = proxy
        self.status = status


class ProtocolError(PushError):
    """The peer broke the protocol; ``close_code`` is the WebSocket code we closed with."""

    def __init__(self, message: str, *, close_code: int | None = None) -> None:
        super().__init__(message)
        self.close_code = close_code


class ConnectionClosed(PushError):
    """The connection (or the whole client) is closed."""


class SendBufferFull(PushError):
    """``send()`` while not open, with ``send_buffer`` messages already waiting."""


class CallbackError(PushError):
    """A user callback raised; the original exception is ``__cause__``."""
