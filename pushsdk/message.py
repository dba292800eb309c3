"""The immutable message handed to callbacks and iterators."""

from __future__ import annotations

import json as _json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["Message"]

#: The type of ``Message.data``: ``str`` for SSE, ``str | bytes`` for WebSocket.
DataT_co = TypeVar("DataT_co", bound="str | bytes", covariant=True)


@dataclass(frozen=True, slots=True)
class Message(Generic[DataT_co]):
    """One message or event received from the server.

    ``SSEClient`` delivers ``Message[str]`` (events are always text); ``WSClient``
    delivers ``Message[str | bytes]`` (text or binary frames).

    Attributes:
        data: ``str`` for text, ``bytes`` for a binary WebSocket message.
        event: the event name: ``"message"`` unless the SSE ``event:`` field or the
            WebSocket ``event_key`` names another.
        id: the SSE last event ID at dispatch time; ``None`` for WebSocket.
        origin: the URL the message came from.
        received_at: ``time.time()`` when it was received (messages that arrived in one
            read share it).
    """

    data: DataT_co
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


class _Blank(Generic[DataT_co]):
    """Message's slot layout without its frozen ``__setattr__`` (see ``_build_message``)."""

    __slots__ = Message.__slots__

    data: DataT_co
    event: str
    id: str | None
    origin: str
    received_at: float


_object_new = object.__new__


def _build_message(
    data: str | bytes, event: str, id: str | None, origin: str, received_at: float
) -> Message[Any]:
    """``Message(data, event, id, origin, received_at)`` in a third of the time.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``,
    which is the bulk of the per-message cost of a fast stream. Here the slots are
    filled with plain stores on a ``_Blank`` and the object then becomes a Message by
    ``__class__`` assignment, which Python allows between classes of one slot layout.
    For the transports' per-message paths; the result is an ordinary Message.
    """
    message = _object_new(_Blank)
    message.data = data
    message.event = event
    message.id = id
    message.origin = origin
    message.received_at = received_at
    message.__class__ = Message  # type: ignore[assignment]
    return message  # type: ignore[return-value]
