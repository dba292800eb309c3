"""How a tab gets its client: connection options and the client factory.

Tabs take a factory rather than constructing pushsdk clients themselves, so the
widgets can be tested against a fake client and run against the real ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol
from urllib.parse import urlsplit

import pushsdk

__all__ = [
    "Callbacks",
    "ClientFactory",
    "ConnectOptions",
    "PushClient",
    "Transport",
    "create_client",
    "transport_for_url",
]


class Transport(str, Enum):
    """The transport a URL's scheme selects."""

    WEBSOCKET = "WebSocket"
    SSE = "SSE"


def transport_for_url(url: str) -> Transport:
    """WebSocket for ws/wss, SSE for http/https.

    Raises:
        ValueError: any other scheme, or no host.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme in ("ws", "wss"):
        transport = Transport.WEBSOCKET
    elif scheme in ("http", "https"):
        transport = Transport.SSE
    else:
        raise ValueError("URL must start with ws://, wss://, http:// or https://")
    if not parts.hostname:
        raise ValueError("URL has no host")
    return transport


@dataclass(frozen=True)
class ConnectOptions:
    """What the connection bar lets the user choose."""

    headers: dict[str, str] = field(default_factory=dict)
    reconnect: bool = True
    event_key: str = ""  #: WebSocket only
    method: str = "GET"  #: SSE only
    body: str = ""  #: SSE only; sent as the request body when not empty


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
    reconnect: bool | pushsdk.Backoff = (
        pushsdk.Backoff(maximum=_MAX_BACKOFF) if options.reconnect else False
    )
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
        client = pushsdk.WSClient(url, event_key=options.event_key or None, **common)
    else:
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


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _has_header(headers: dict[str, str], name: str) -> bool:
    return any(key.lower() == name for key in headers)
