"""What a WebSocket connection carries: opcodes, and the items the frame reader returns."""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "OP_BINARY",
    "OP_CLOSE",
    "OP_CONT",
    "OP_PING",
    "OP_PONG",
    "OP_TEXT",
    "RSV1",
    "Close",
    "Control",
    "Failure",
    "Item",
    "valid_close_code",
]

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
#: RSV1: the message is compressed (permessage-deflate, RFC 7692).
RSV1 = 0x40


class Control(NamedTuple):
    """A ping (opcode 9) or pong (opcode 10) frame."""

    opcode: int
    payload: bytes


class Close(NamedTuple):
    """A valid close frame; ``code`` is None when the frame had no payload (1005)."""

    code: int | None
    reason: str


class Failure(NamedTuple):
    """The server broke the protocol: fail the connection with ``code``."""

    code: int
    reason: str


#: What ``FrameReader.feed`` returns: text, binary, control frames, a close or a failure.
Item = str | bytes | Control | Close | Failure


def valid_close_code(code: int) -> bool:
    """Whether a peer may send ``code`` in a close frame (RFC 6455 7.4, IANA registry)."""
    return 1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999
