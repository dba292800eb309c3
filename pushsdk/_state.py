"""Ready state and statistics, shared by both clients."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

__all__ = ["ReadyState", "Stats"]


class ReadyState(IntEnum):
    """The browser's ``readyState`` values."""

    CONNECTING = 0
    OPEN = 1
    CLOSING = 2
    CLOSED = 3


@dataclass(frozen=True, slots=True)
class Stats:
    """A snapshot of a client's counters.

    Attributes:
        messages_in: messages received (all event names).
        bytes_in: payload bytes received.
        messages_out: messages written to the socket.
        bytes_out: payload bytes written.
        wire_bytes_in: payload bytes as they crossed the wire: fewer than ``bytes_in``
            when messages arrive compressed (permessage-deflate).
        wire_bytes_out: the same for ``bytes_out``.
        reconnects: connections opened after the first one.
        connected_since: ``time.time()`` of the current open, None when not open.
    """

    messages_in: int = 0
    bytes_in: int = 0
    messages_out: int = 0
    bytes_out: int = 0
    wire_bytes_in: int = 0
    wire_bytes_out: int = 0
    reconnects: int = 0
    connected_since: float | None = None
