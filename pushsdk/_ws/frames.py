"""A pure (no I/O) incremental reader of server-to-client WebSocket frames.

Bytes go in, complete messages and control frames come out, as RFC 6455 (and the
Autobahn TestSuite, sections 1-7 and 9) requires of a client: every protocol
violation is reported as soon as the offending bytes arrive, with the close code
the RFC names (1002 protocol error, 1007 invalid UTF-8, 1009 too big).

The reader is written for speed: the caller feeds big chunks, and an unfragmented
text or binary frame that arrived whole costs one slice (plus one C-level UTF-8
decode for text). A data frame that arrives in pieces is consumed piece by piece
("streaming"), and fragmented messages the same way: ``_ws.assemble`` puts the
message together, checking text as it comes.

With permessage-deflate agreed (RFC 7692, see ``_ws.deflate``), a message whose first
frame has RSV1 set is inflated as its bytes arrive, and its inflated bytes then go
the same way; a whole compressed frame in the chunk has a fast path of its own.
"""

from __future__ import annotations

from collections.abc import Callable

from .assemble import INFLATED_TOO_BIG, Assembler
from .deflate import InflateError, Inflater
from .items import (
    OP_BINARY,
    OP_CLOSE,
    OP_CONT,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    RSV1,
    Close,
    Control,
    Failure,
    Item,
    valid_close_code,
)

__all__ = ["FrameReader"]

#: Unfragmented text and binary frames: the fast path.
_FAST_HEADERS = frozenset({0x81, 0x82})
#: With compression: unfragmented compressed messages take the fast path too.
_DEFLATE_FAST_HEADERS = _FAST_HEADERS | {0xC1, 0xC2}


def _no_inflater(payload: bytes, limit: int) -> bytes:
    """Stands in for ``Inflater.message`` without compression: the header check refuses RSV1."""
    raise AssertionError("RSV1 passed the header check without an inflater")


class FrameReader:
    """Parse the frames a server sends, one chunk of bytes at a time.

    ``feed()`` returns, in order: ``str`` (a text message), ``bytes`` (a binary
    message), ``Control`` (ping/pong), ``Close`` and at most one ``Failure``, after
    which the reader ignores everything (as it does after a ``Close``).
    ``data_bytes`` counts the payload bytes of the messages returned so far.
    ``payload_left`` is the number of payload bytes still due for a data frame that
    arrived in part: the caller may read exactly those and pass them to
    ``feed_payload()`` without copying them into ``bytes`` first.

    With an ``inflater`` (permessage-deflate negotiated), messages whose first frame
    has RSV1 set are inflated as their bytes arrive, never past ``max_message_size``;
    ``data_bytes`` counts inflated bytes and ``inflated_bytes`` how many of those the
    wire did not carry.
    """

    __slots__ = (
        "_assembler",
        "_done",
        "_fast_headers",
        "_fin",
        "_frag_op",
        "_have",
        "_inflate_whole",
        "_inflater",
        "_max_size",
        "_need",
        "_pending",
        "data_bytes",
        "inflated_bytes",
        "payload_left",
    )

    def __init__(self, max_message_size: int, inflater: Inflater | None = None) -> None:
        self._max_size = max_message_size
        self._inflater = inflater  # permessage-deflate (None if not agreed)
        self._inflate_whole = _no_inflater if inflater is None else inflater.message
        self._fast_headers = _FAST_HEADERS if inflater is None else _DEFLATE_FAST_HEADERS
        self.inflated_bytes = 0
        self._pending: list[bytes] = []  # bytes of an incomplete frame header
        self._have = 0  # total length of _pending
        self._need = 2  # bytes needed before parsing can progress
        # The message being assembled (from fragments, or from a frame arriving in parts):
        self._frag_op = 0  # its opcode, 0 if none
        self._assembler = Assembler(max_message_size, inflater)
        self._fin = 0  # FIN bit of the frame whose payload is arriving (payload_left > 0)
        self._done = False
        self.data_bytes = 0
        self.payload_left = 0

    def feed(self, data: bytes) -> list[Item]:
        """Add ``data`` and return what it completed (see the class docstring)."""
        if self._done:
            return []
        out: list[Item] = []
        if self.payload_left:
            size = self.payload_left
            if len(data) <= size:
                return self.feed_payload(data)
            out = self.feed_payload(data[:size])
            if out and type(out[-1]) is Failure:
                return out
            data = data[size:]
        if self._pending:
            self._pending.append(data)
            self._have += len(data)
            if self._have < self._need:
                return out
            data = b"".join(self._pending)
            self._pending = []
        elif len(data) < self._need:
            self._pending.append(data)
            self._have = len(data)
            return out
        append = out.append
        max_size = self._max_size
        fast_headers = self._fast_headers
        pos = 0
        end = len(data)
        need = 2
        while True:
            avail = end - pos
            if avail < 2:
                need = 2
                break
            b0 = data[pos]
            length = data[pos + 1]
            if length & 0x80:
                return self._fail(out, 1002, "masked frame from the server")
            if length < 126:
                head = 2
            elif length == 126:
                if avail < 4:
                    need = 4
                    break
                length = (data[pos + 2] << 8) | data[pos + 3]
                head = 4
            else:
                if avail < 10:
                    need = 10
                    break
                length = int.from_bytes(data[pos + 2 : pos + 10], "big")
                head = 10
                if length >> 63:
                    return self._fail(out, 1002, "frame length has the most significant bit set")
            frag = self._frag_op
            if frag or b0 not in fast_headers:
                failure = self._check_header(b0, length)
                if failure is not None:
                    return self._fail(out, *failure)
            elif length > max_size:
                if not b0 & RSV1:
                    return self._fail(
                        out, 1009, f"message of {length} bytes exceeds max_message_size"
                    )
                failure = self._check_header(b0, length)  # compressed: deflate may add bytes
                if failure is not None:
                    return self._fail(out, *failure)
            total = head + length
            start = pos + head
            if avail < total:
                if b0 & 0x08:  # a control frame (<= 125 bytes): wait for all of it
                    need = total
                    break
                return self._stream(b0, memoryview(data)[start:], total - avail, out)
            pos += total
            if frag == 0:
                if b0 == 0x81:
                    try:
                        append(data[start:pos].decode())
                    except UnicodeDecodeError:
                        return self._fail(out, 1007, "invalid UTF-8 in a text message")
                    self.data_bytes += length
                    continue
                if b0 == 0x82:
                    append(data[start:pos])
                    self.data_bytes += length
                    continue
                if b0 & RSV1 and b0 & 0x80:  # a whole compressed message (inlined: hot)
                    try:
                        inflated = self._inflate_whole(data[start:pos], max_size + 1)
                    except InflateError as exc:
                        return self._fail(out, 1002, str(exc))
                    size = len(inflated)
                    if size > max_size:
                        return self._fail(out, 1009, INFLATED_TOO_BIG)
                    if b0 == 0xC1:
                        try:
                            append(inflated.decode())
                        except UnicodeDecodeError:
                            return self._fail(out, 1007, "invalid UTF-8 in a text message")
                    else:
                        append(inflated)
                    self.data_bytes += size
                    self.inflated_bytes += size - length
                    continue
            failure = self._frame(b0, data[start:pos], append)
            if failure is not None:
                return self._fail(out, *failure)
            if b0 & 0x0F == OP_CLOSE:  # a valid close frame: nothing more to read
                return out
        if pos < end:
            rest = data[pos:]
            self._pending.append(rest)
            self._have = len(rest)
        else:
            self._have = 0
        self._need = need
        return out

    def feed_payload(self, data: bytes | memoryview) -> list[Item]:
        """Add payload of the frame in progress: at most ``payload_left`` bytes.

        ``data`` may be a view of the caller's receive buffer: it is decoded (text)
        or copied (binary) before this returns.
        """
        out: list[Item] = []
        if self._done:
            return out
        failure = self._assembler.add(data)
        if failure is not None:
            return self._fail(out, *failure)
        self.payload_left -= len(data)
        if not self.payload_left and self._fin:
            failure = self._finish(out.append)
            if failure is not None:
                return self._fail(out, *failure)
        return out

    def _stream(self, b0: int, part: memoryview, left: int, out: list[Item]) -> list[Item]:
        """Start a data frame whose payload only partly arrived (its header is valid)."""
        opcode = b0 & 0x0F
        if opcode != OP_CONT:
            self._frag_op = opcode
            self._assembler.begin(opcode, b0 & RSV1)
        self._fin = b0 & 0x80
        self.payload_left = left
        self._have = 0
        self._need = 2
        failure = self._assembler.add(part)
        if failure is not None:
            return self._fail(out, *failure)
        return out

    def _check_header(self, b0: int, length: int) -> tuple[int, str] | None:
        """Validate a frame header before its payload arrives (fail fast)."""
        opcode = b0 & 0x0F
        if b0 & 0x70:
            if b0 & 0x30:
                return 1002, "reserved bits set without a negotiated extension"
            if self._inflater is None:
                return 1002, "RSV1 set but compression was not negotiated"
            if opcode not in (OP_TEXT, OP_BINARY):
                return 1002, "RSV1 set on a control or continuation frame"
        fin = b0 & 0x80
        if opcode >= OP_CLOSE:
            if opcode > OP_PONG:
                return 1002, f"unknown control opcode {opcode}"
            if not fin:
                return 1002, "fragmented control frame"
            if length > 125:
                return 1002, "control frame payload over 125 bytes"
            return None
        if opcode > OP_BINARY:
            return 1002, f"unknown data opcode {opcode}"
        if opcode == OP_CONT:
            if not self._frag_op:
                return 1002, "continuation frame with no message to continue"
        elif self._frag_op:
            return 1002, "new message inside a fragmented message"
        message = self._assembler
        if (b0 & RSV1) if opcode else message.deflated:  # permessage-deflate
            if message.wire_size + length > self._max_size + (self._max_size >> 12) + 64:
                return 1009, "compressed message exceeds max_message_size"
        elif message.size + length > self._max_size:
            size = message.size + length
            return 1009, f"message of at least {size} bytes exceeds max_message_size"
        return None

    def _frame(
        self, b0: int, payload: bytes, add: Callable[[Item], None]
    ) -> tuple[int, str] | None:
        """Handle a whole frame off the fast path: control frames and fragments."""
        opcode = b0 & 0x0F
        if opcode == OP_CLOSE:
            return self._close(payload, add)
        if opcode >= OP_PING:
            add(Control(opcode, payload))
            return None
        if opcode != OP_CONT:  # first fragment, or an unfragmented frame after a message
            self._frag_op = opcode
            self._assembler.begin(opcode, b0 & RSV1)
        failure = self._assembler.add(payload)
        if failure is None and b0 & 0x80:
            failure = self._finish(add)
        return failure

    def _finish(self, add: Callable[[Item], None]) -> tuple[int, str] | None:
        """The message's last frame is complete: deliver it, and count it."""
        message = self._assembler
        failure = message.finish(add)
        self.inflated_bytes += message.saved
        if failure is None:
            self.data_bytes += message.delivered
            self._frag_op = 0
        return failure

    def _close(self, payload: bytes, add: Callable[[Item], None]) -> tuple[int, str] | None:
        if not payload:
            code: int | None = None
            reason = ""
        elif len(payload) == 1:
            return 1002, "close frame with a 1-byte payload"
        else:
            code = int.from_bytes(payload[:2], "big")
            if not valid_close_code(code):
                return 1002, f"invalid close code {code}"
            try:
                reason = payload[2:].decode()
            except UnicodeDecodeError:
                return 1007, "invalid UTF-8 in the close reason"
        add(Close(code, reason))
        self._done = True
        return None

    def _fail(self, out: list[Item], code: int, reason: str) -> list[Item]:
        out.append(Failure(code, reason))
        self._done = True
        self._pending = []
        self._assembler.clear()
        self.payload_left = 0
        return out
