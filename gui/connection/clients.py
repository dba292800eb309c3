"""How a tab gets its client: connection options and the client factory.

Tabs take a factory rather than constructing pushsdk clients themselves, so the
widgets can be tested against a fake client and run against the real ones.
"""

from __future__ import annotations

import json
import ssl
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import InsecureRequestWarning

import pushsdk

__all__ = [
    "Callbacks",
    "ClientFactory",
    "ConnectOptions",
    "PushClient",
    "Transport",
    "create_client",
    "reconnects_by_default",
    "transport_for_url",
    "with_default_scheme",
]

#: The shortest period of a repeated message: a monitor is not a load generator.
MIN_REPEAT_SECONDS = 0.1
#: The longest DNS label (RFC 1035); the SDK's IDNA step fails on longer ones.
_MAX_LABEL = 63


class Transport(str, Enum):
    """The transport a URL's scheme selects."""

    WEBSOCKET = "WebSocket"
    SSE = "SSE"


def transport_for_url(url: str) -> Transport:
    """WebSocket for ws/wss, SSE for http/https.

    Raises:
        ValueError: any other scheme, no host, or a host no resolver accepts.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme in ("ws", "wss"):
        transport = Transport.WEBSOCKET
    elif scheme in ("http", "https"):
        transport = Transport.SSE
    else:
        raise ValueError("URL must start with ws://, wss://, http:// or https://")
    host = parts.hostname
    if not host:
        raise ValueError("URL has no host")
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number in range
    except ValueError:
        raise ValueError("URL port must be a number within 0-65535") from None
    if any(c.isspace() for c in parts.netloc):
        raise ValueError("URL host contains a space")
    if not host.startswith("[") and any(len(label) > _MAX_LABEL for label in host.split(".")):
        raise ValueError(f"URL host has a part longer than {_MAX_LABEL} characters")
    return transport


def with_default_scheme(url: str, transport: Transport) -> str:
    """``host:port/path`` with the plain scheme of ``transport`` (``ws://`` or
    ``http://``), as wscat, websocat and curl assume one; a URL with a scheme is kept."""
    url = url.strip()
    if not url or "://" in url:
        return url
    return ("ws://" if transport is Transport.WEBSOCKET else "http://") + url


def reconnects_by_default(transport: Transport, method: str = "GET") -> bool:
    """Whether a connection reconnects unless told otherwise, as the SDK decides.

    A WebSocket and an SSE GET stream do; any other SSE request does not, because
    a stream that ended cleanly (an LLM answer after ``[DONE]``) would be sent
    again, body, credentials, bill and all.
    """
    return transport is Transport.WEBSOCKET or method.upper() == "GET"


@dataclass(frozen=True)
class ConnectOptions:
    """What the connection bar and its options dialog let the user choose."""

    headers: dict[str, str] = field(default_factory=dict)
    reconnect: bool | None = None  #: None: ``reconnects_by_default``
    event_key: str = ""  #: WebSocket only
    method: str = "GET"  #: SSE only
    body: str = ""  #: SSE only; sent as the request body when not empty
    subprotocols: tuple[str, ...] = ()  #: WebSocket only: offered in Sec-WebSocket-Protocol
    verify: bool = True  #: False: accept any TLS certificate (self-signed test servers)
    ca_file: str = ""  #: a PEM bundle to trust instead of the system's
    client_cert: str = ""  #: a PEM client certificate (with its key unless ``client_key``)
    client_key: str = ""
    proxy: str = ""  #: ``http://[user:pass@]host:port``
    close_code: int = 1000  #: WebSocket only: the code Disconnect closes with
    close_reason: str = ""
    ping_interval: float = 0.0  #: WebSocket only: seconds of silence before a ping; 0: SDK default
    #: Automation (WebSocket only): text messages sent after every open, e.g. a subscribe.
    on_open: tuple[str, ...] = ()
    repeat_message: str = ""  #: a text message sent every ``repeat_seconds`` while open
    repeat_seconds: float = 0.0  #: 0: no repeated message

    def check(self) -> None:
        """Refuse what the SDK would only refuse later (at close time, or on each attempt).

        Raises:
            ValueError: a close code or reason the protocol forbids, a missing file.
        """
        if self.close_code != 1000 and not 3000 <= self.close_code <= 4999:
            raise ValueError(f"close code must be 1000 or 3000-4999, got {self.close_code}")
        if len(self.close_reason.encode("utf-8")) > 123:
            raise ValueError("close reason must be at most 123 bytes of UTF-8")
        for name, path in (("CA file", self.ca_file), ("client certificate", self.client_cert),
                           ("client key", self.client_key)):  # fmt: skip
            if path and not Path(path).is_file():
                raise ValueError(f"{name} {path!r} is not a file")
        if self.client_key and not self.client_cert:
            raise ValueError("a client key needs its client certificate")
        if self.proxy and urlsplit(self.proxy).scheme != "http":
            raise ValueError("proxy must look like http://host:port")
        if self.ping_interval < 0 or self.repeat_seconds < 0:
            raise ValueError("intervals must not be negative")
        if self.repeat_message and 0 < self.repeat_seconds < MIN_REPEAT_SECONDS:
            raise ValueError(f"repeat at most every {MIN_REPEAT_SECONDS} s")


@dataclass(frozen=True)
class Callbacks:
    """The SDK callbacks a tab listens to; ``on_any`` is registered with ``on("*")``."""

    on_open: Callable[[Any], object]
    on_close: Callable[[Any, int | None, str], object]
    on_error: Callable[[Any, Exception], object]
    on_reconnect: Callable[[Any, int, float], object]
    on_any: Callable[[Any, Any], object]


class PushClient(Protocol):
    """The part of the pushsdk client API the monitor uses."""

    @property
    def ready_state(self) -> Any: ...

    def start(self) -> None: ...

    @property
    def stats(self) -> pushsdk.Stats: ...

    def send(self, data: str | bytes) -> None: ...

    def close(self, code: int = 1000, reason: str = "", timeout: float = 5.0) -> None: ...


ClientFactory = Callable[[str, Callbacks, ConnectOptions], PushClient]

#: A monitor wants to see the server again soon after it comes back.
_MAX_BACKOFF = 10.0


def create_client(url: str, callbacks: Callbacks, options: ConnectOptions) -> PushClient:
    """Build a real pushsdk client for ``url`` (not started).

    Raises:
        ValueError: a bad URL or option.
    """
    transport = transport_for_url(url)
    options.check()
    wanted = options.reconnect
    if wanted is None:
        wanted = reconnects_by_default(transport, options.method)
    reconnect: bool | pushsdk.Backoff = pushsdk.Backoff(maximum=_MAX_BACKOFF) if wanted else False
    common: dict[str, Any] = {
        "on_open": callbacks.on_open,
        "on_close": callbacks.on_close,
        "on_error": callbacks.on_error,
        "on_reconnect": callbacks.on_reconnect,
        "headers": dict(options.headers) or None,
        "reconnect": reconnect,
    }
    client: Any
    if transport is Transport.WEBSOCKET:
        if options.ping_interval:
            common["ping_interval"] = options.ping_interval
        client = pushsdk.WSClient(
            url,
            event_key=options.event_key or None,
            subprotocols=list(options.subprotocols) or None,
            ssl_context=_ssl_context(options) if url.lower().startswith("wss:") else None,
            proxy=options.proxy or None,
            **common,
        )
    else:
        common["verify"] = (options.ca_file or True) if options.verify else False
        if not options.verify:
            # Asked for in the dialog: urllib3's warning at every request would only
            # repeat it, on the terminal the monitor was started from.
            warnings.simplefilter("ignore", InsecureRequestWarning)
        if options.client_cert or options.proxy:
            session = requests.Session()
            if options.client_cert:
                session.cert = (
                    (options.client_cert, options.client_key)
                    if options.client_key
                    else options.client_cert
                )
            if options.proxy:
                session.proxies = {"http": options.proxy, "https": options.proxy}
            common["session"] = session
        body = options.body.encode("utf-8") if options.body else None
        if (
            body is not None
            and _is_json(options.body)
            and not _has_header(options.headers, "content-type")
        ):
            common["headers"] = {**options.headers, "Content-Type": "application/json"}
        client = pushsdk.SSEClient(url, method=options.method, body=body, **common)
    client.on("*", callbacks.on_any)
    return client  # type: ignore[no-any-return]


def _ssl_context(options: ConnectOptions) -> ssl.SSLContext:
    """The TLS context of a wss:// connection: trust, verification, client certificate."""
    try:
        context = ssl.create_default_context(cafile=options.ca_file or None)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(f"cannot load the CA file: {exc}") from exc
    if not options.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if options.client_cert:
        try:
            context.load_cert_chain(options.client_cert, options.client_key or None)
        except (OSError, ssl.SSLError) as exc:
            raise ValueError(f"cannot load the client certificate: {exc}") from exc
    return context


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _has_header(headers: dict[str, str], name: str) -> bool:
    return any(key.lower() == name for key in headers)
