"""What one client's callbacks record: log rows, and the state the badge is built from.

The callbacks run on the client's thread; they only build records and write a
few plain attributes, which the GUI thread reads (single writer per attribute).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from pushsdk import HandshakeError

from ..models.records import Direction, RecordBuffer, make_record
from .advice import error_message
from .clients import Callbacks

__all__ = ["Session"]


class Session:
    """Per-client state: the callbacks write it on the client's thread, except
    ``user_closed``, which the GUI thread sets before it closes the client."""

    def __init__(self, buffer: RecordBuffer, on_open: tuple[str, ...] = ()) -> None:
        self.buffer = buffer
        self.on_open = on_open  #: messages sent after every open (automation)
        self.opens = 0
        self.reconnect_deadline: float | None = None
        self.attempt = 0
        self.last_error = ""
        self.user_closed = False
        self.connected = False  #: a connection is open (between on_open and on_close)
        self.close_sent: tuple[int, str] = (1000, "")  #: the code and reason of a Disconnect

    def callbacks(self) -> Callbacks:
        push = self.buffer.push
        system = Direction.SYSTEM

        def on_open(client: Any) -> None:
            self.opens += 1
            self.connected = True
            self.reconnect_deadline = None
            self.attempt = 0
            self.last_error = ""  # the error that a reconnect has just repaired
            push(make_record(open_text(client), direction=system, event="open"))
            for text in self.on_open:  # here, so they go before anything queued or typed
                record = make_record(text, direction=Direction.OUT)
                push(dataclasses.replace(record, note="sent on open (automation)"))
                try:
                    client.send(text)
                except Exception as exc:  # closing meanwhile: say so, never raise into the SDK
                    error = f"on-open message not sent: {type(exc).__name__}: {exc}"
                    push(make_record(error, direction=system, event="error"))

        def on_close(client: Any, code: int | None, reason: str) -> None:
            push(make_record(self.close_text(code, reason), direction=system, event="close"))
            self.connected = False

        def on_error(client: Any, error: Exception) -> None:
            self.last_error = f"{type(error).__name__}: {error_message(error)}"
            push(make_record(error_text(error), direction=system, event="error"))

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
        """The close row's text: a user's Disconnect says so, not the SDK's 1006; nor
        does the end of a client that never got (back) a connection."""
        if self.user_closed:
            code_, why = self.close_sent
            if code_ == 1000 and not why:
                return "disconnected by you"
            return f"disconnected by you with code {code_} {why}".strip()
        if not self.connected:  # the SDK's last word after a failure: 1006 (SSE: None)
            return "ended with no connection open"
        if code is None:
            return reason or "stream ended"
        return f"code {code} {reason}".strip()


def open_text(client: Any) -> str:
    """The open row: "connected", and what the handshake agreed to.

    pushsdk tells the subprotocol and extension a WebSocket server chose; it does
    not expose the status line or headers of a successful handshake.
    """
    details = []
    subprotocol = getattr(client, "subprotocol", None)
    if subprotocol:
        details.append(f"subprotocol {subprotocol}")
    extension = getattr(client, "extension", None)
    if extension:
        details.append(f"extension {extension}")
    return "connected" + (f" ({'; '.join(details)})" if details else "")


def error_text(error: Exception) -> str:
    """The error row: the error, then a failed handshake's status, headers and body."""
    text = f"{type(error).__name__}: {error_message(error)}"
    if not isinstance(error, HandshakeError):
        return text
    lines = [text, "", f"HTTP {error.status}"]
    lines += [f"{name}: {value}" for name, value in error.headers.items()]
    if error.body:
        lines += ["", error.body.decode("utf-8", "replace")]
    return "\n".join(lines)
