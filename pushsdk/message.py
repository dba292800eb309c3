"""The immutable message handed to callbacks and iterators."""

from __future__ import annotations

import json as _json
from dataclasses import dataclass
from typing import Any

__all__ = ["Message"]


@dataclass(frozen=True, slots=True)
class Message:
    """One message or event received from the server.

    Attributes:
        data: ``str`` for text, ``bytes`` for a binary WebSocket message.
        event: the event name: ``"message"`` unless the SSE ``event:`` field or the
            WebSocket ``event_key`` names another.
        id: the SSE last event ID at dispatch time; ``None`` for WebSocket.
        origin: the URL the message came from.
        received_at: ``time.time()`` when it was received.
    """

    data: str | bytes
    event: str = "message"
    id: str | None = None
    origin: str = ""
    received_at: float = 0.0

    def json(self) -> Any:
        """Return ``data`` parsed as JSON.

        Raises:
            ValueError: ``data`` is not valid JSON.
        """
        return _json.loads(self.data)
