"""What one client's callbacks record: log rows, and the state the badge is built from.

The callbacks run on the client's thread; they only build records and write a
few plain attributes, which the GUI thread reads (single writer per attribute).
"""

from __future__ import annotations

import time
from typing import Any

from ..models.records import Direction, RecordBuffer, make_record
from .clients import Callbacks

__all__ = ["Session"]


class Session:
    """Per-client state: the callbacks write it on the client's thread, except
    ``user_closed``, which the GUI thread sets before it closes the client."""

    def __init__(self, buffer: RecordBuffer) -> None:
        self.buffer = buffer
        self.opens = 0
        self.reconnect_deadline: float | None = None
        self.attempt = 0
        self.last_error = ""
        self.user_closed = False

    def callbacks(self) -> Callbacks:
        push = self.buffer.push
        system = Direction.SYSTEM

        def on_open(client: Any) -> None:
            self.opens += 1
            self.reconnect_deadline = None
            self.attempt = 0
            self.last_error = ""  # the error that a reconnect has just repaired
            push(make_record("connected", direction=system, event="open"))

        def on_close(client: Any, code: int | None, reason: str) -> None:
            push(make_record(self.close_text(code, reason), direction=system, event="close"))

        def on_error(client: Any, error: Exception) -> None:
            self.last_error = f"{type(error).__name__}: {error}"
            push(make_record(self.last_error, direction=system, event="error"))

        def on_reconnect(client: Any, attempt: int, delay: float) -> None:
            self.reconnect_deadline = time.monotonic() + delay
            self.attempt = attempt
            text = f"attempt {attempt} in {delay:.1f} s"
            push(make_record(text, direction=system, event="reconnect"))

        def on_any(client: Any, message: Any) -> None:
            push(
                make_record(
                    message.data,
                    event=message.event,
                    id=message.id,
                    timestamp=message.received_at or None,
                )
            )

        return Callbacks(on_open, on_close, on_error, on_reconnect, on_any)

    def close_text(self, code: int | None, reason: str) -> str:
        """The close row's text: a user's Disconnect says so, not the SDK's 1006."""
        if self.user_closed:
            return "disconnected by you"
        if code is None:
            return reason or "stream ended"
        return f"code {code} {reason}".strip()
