"""pushsdk: WebSocket and Server-Sent Events clients for long-running Python programs.

The API mirrors the browser's ``WebSocket`` and ``EventSource``, made reliable:
auto-reconnect with backoff, SSE resume, heartbeats, thread-safe sending and a
clean shutdown.
"""

import typing

from ._client import Client
from ._state import ReadyState, Stats
from .backoff import Backoff
from .errors import (
    CallbackError,
    ConnectError,
    ConnectionClosed,
    HandshakeError,
    ProtocolError,
    ProxyError,
    PushError,
    Remedy,
    SendBufferFull,
)
from .message import Message
from .sse import SSEClient
from .ws import WSClient

#: Either client, for code that takes both (``def consume(client: AnyClient)``).
AnyClient: typing.TypeAlias = WSClient | SSEClient

__all__ = [
    "AnyClient",
    "Backoff",
    "CallbackError",
    "Client",
    "ConnectError",
    "ConnectionClosed",
    "HandshakeError",
    "Message",
    "ProtocolError",
    "ProxyError",
    "PushError",
    "ReadyState",
    "Remedy",
    "SSEClient",
    "SendBufferFull",
    "Stats",
    "WSClient",
]
__version__ = "0.2.0.dev0"
