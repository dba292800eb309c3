"""One data message put together from pieces of payload, for ``_ws.frames``.

``FrameReader`` parses frames; a message that arrives fragmented, or a frame whose
payload arrives in parts, is assembled here: text is checked with C's incremental
UTF-8 decoder as the bytes come (bad UTF-8 fails at the chunk that holds it, not
when the message ends), compressed payload is inflated as it comes and never past
max_message_size, and the parts are joined once at the end, in linear time.
Per-message code: setup.py compiles it with ``frames``.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable

from .deflate import InflateError, Inflater
from .items import OP_TEXT, Item
from .parts import Parts

__all__ = ["INFLATED_TOO_BIG", "Assembler"]

INFLATED_TOO_BIG = "message inflates past max_message_size"
_utf8_decode = codecs.utf_8_decode


class Assembler:
    """The data message a ``FrameReader`` is assembling (one at a time).

    A failure is returned as ``(close code, reason)``. ``size`` is the size of the
    message so far (inflated), ``wire_size`` its size on the wire if ``deflated``;
    ``finish()`` leaves in ``delivered`` the size of the message it delivered and in
    ``saved`` the bytes compression kept off the wire.
    """

    __slots__ = (
        "_byte_parts",
        "_inflater",
        "_max_size",
        "_tail",
        "_text",
        "_text_parts",
        "deflated",
        "delivered",
        "saved",
        "size",
        "wire_size",
    )

    def __init__(self, max_message_size: int, inflater: Inflater | None) -> None:
        self._max_size = max_message_size
        self._inflater = inflater  # permessage-deflate (None if not agreed)
        self.deflated = 0  # whether the message is compressed (RSV1 on its first frame)
        self.wire_size = 0
        self.size = 0
        self.delivered = 0
        self.saved = 0
        self._text = False  # whether it is text (decoded into _text_parts as it comes)
        self._text_parts: Parts[str] = Parts("")
        self._byte_parts: Parts[bytes] = Parts(b"")
        self._tail = b""  # an incomplete UTF-8 sequence at the end of the text so far

    def begin(self, opcode: int, deflated: int) -> None:
        """Start assembling a message of type ``opcode`` (text or binary)."""
        self.deflated = deflated
        self.wire_size = 0
        self._text = opcode == OP_TEXT
        if self._text:
            self._text_parts = Parts("")
        else:
            self._byte_parts = Parts(b"")
        self._tail = b""
        self.size = 0

    def add(self, data: bytes | memoryview) -> tuple[int, str] | None:
        """Append payload bytes to the message; text is validated as it comes."""
        if self.deflated:
            self.wire_size += len(data)
            return self._inflate(data, False)
        return self._append(data)

    def _inflate(self, data: bytes | memoryview, last: bool) -> tuple[int, str] | None:
        """Inflate compressed payload (``last``: end the message), never past the limit.

        The inflater is asked for one byte more than the message may still grow by:
        getting it means too big, and memory never held more than the limit.
        """
        assert self._inflater is not None
        room = self._max_size - self.size
        try:
            if last:
                data = self._inflater.finish(room + 1)
            else:
                data = self._inflater.inflate(data, room + 1)
        except InflateError as exc:
            return 1002, str(exc)
        if len(data) > room:
            return 1009, INFLATED_TOO_BIG
        return self._append(data)

    def _append(self, data: bytes | memoryview) -> tuple[int, str] | None:
        """Append message bytes (inflated if compressed); text is validated as it comes."""
        self.size += len(data)
        if not self._text:
            if data:
                self._byte_parts.add(bytes(data))
            return None
        parts = self._text_parts
        try:
            tail = self._tail
            if tail:  # complete the character split at the previous boundary first
                head = tail + bytes(data[:3])
                text, used = _utf8_decode(head, None, False)
                if used < len(tail):  # data too short to complete it
                    self._tail = head
                    return None
                parts.add(text)
                data = memoryview(data)[used - len(tail) :]
            text, used = _utf8_decode(data, None, False)
        except UnicodeDecodeError:
            return 1007, "invalid UTF-8 in a text message"
        if text:
            parts.add(text)
        self._tail = bytes(data[used:])
        return None

    def finish(self, add: Callable[[Item], None]) -> tuple[int, str] | None:
        """The message's last frame is complete: deliver it (see the class docstring)."""
        self.saved = 0
        if self.deflated:
            failure = self._inflate(b"", True)
            if failure is not None:
                return failure
            self.saved = self.size - self.wire_size
            self.deflated = 0
            self.wire_size = 0  # the next message's first header is checked against it
        if self._tail:
            return 1007, "invalid UTF-8 in a text message"
        if self._text:
            add(self._text_parts.join())
            self._text_parts = Parts("")
        else:
            add(self._byte_parts.join())
            self._byte_parts = Parts(b"")
        self.delivered = self.size
        self.size = 0
        return None

    def clear(self) -> None:
        """Drop the parts held (the reader failed: nothing more will be delivered)."""
        self._text_parts = Parts("")
        self._byte_parts = Parts(b"")
