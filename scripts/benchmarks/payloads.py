"""The bytes the benchmark server sends, built once, and what a client must receive.

Every payload starts and ends with its sequence number as 8 ASCII digits, so a runner
checks order, count and integrity with two slices per message, whatever the library.
The server and the runners build payloads with the same functions.
"""

from __future__ import annotations

import base64
import hashlib
import struct

#: Four characters of 1, 2, 3 and 4 UTF-8 bytes: 10 bytes per repetition.
MULTIBYTE = "aé€😀"
SEQ_DIGITS = 8
#: Characters per data line in the large SSE events (~1,000 lines per MiB).
SSE_LINE = 1048
WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def text_payload(seq: int, size: int, multibyte: bool = False) -> str:
    """A text message of exactly ``size`` UTF-8 bytes carrying ``seq`` at both ends."""
    tag = f"{seq:0{SEQ_DIGITS}d}"
    room = size - 2 * SEQ_DIGITS
    if room < 0:
        raise ValueError(f"size must be at least {2 * SEQ_DIGITS}, got {size}")
    filler = ""
    if multibyte:
        unit = MULTIBYTE.encode()
        filler = MULTIBYTE * (room // len(unit))
        room -= len(filler.encode())
    filler += "x" * room
    return tag + filler + tag


def binary_payload(seq: int, size: int) -> bytes:
    """A binary message of ``size`` bytes carrying ``seq`` at both ends."""
    tag = b"%0*d" % (SEQ_DIGITS, seq)
    room = size - 2 * SEQ_DIGITS
    filler = bytes(range(256)) * (room // 256 + 1)
    return tag + filler[:room] + tag


def sse_data(seq: int, size: int) -> str:
    """The data of an SSE event: one line, or lines of SSE_LINE chars for large sizes."""
    text = text_payload(seq, size)
    if size <= SSE_LINE:
        return text
    return "\n".join(text[i : i + SSE_LINE] for i in range(0, len(text), SSE_LINE))


def sse_event(seq: int, size: int) -> bytes:
    """One SSE event with an id, its data split over ``data:`` lines."""
    lines = "".join(f"data: {line}\n" for line in sse_data(seq, size).split("\n"))
    return f"id: {seq}\n{lines}\n".encode()


def ws_frame(payload: bytes, opcode: int, mask: bytes | None = None) -> bytes:
    """A single final WebSocket frame (masked when ``mask`` is given, as a client sends)."""
    n = len(payload)
    bit = 0x80 if mask else 0
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, bit | n)
    elif n < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, bit | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, bit | 127, n)
    if not mask:
        return head + payload
    return head + mask + unmask(payload, mask)


def unmask(data: bytes, mask: bytes) -> bytes:
    """XOR ``data`` with the 4-byte ``mask`` (one big-integer XOR, fast in CPython)."""
    n = len(data)
    if not n:
        return b""
    key = (mask * (n // 4 + 1))[:n]
    value = int.from_bytes(data, "big") ^ int.from_bytes(key, "big")
    return value.to_bytes(n, "big")


def json_payload(seq: int, size: int) -> str:
    """Market-feed JSON of exactly ``size`` bytes carrying ``seq`` at both ends.

    Trade records as exchanges stream them; under 1 KiB each message has its own
    numbers (a feed), above it the document is the same in every message (runners
    compare large messages in full), as repeated snapshots are.
    """
    tag = f"{seq:0{SEQ_DIGITS}d}"
    room = size - 2 * SEQ_DIGITS
    first = seq if size <= 1024 else 0
    records = []
    length, i = 0, first
    while length < room:
        r = (i * 2654435761) % 2**32
        record = (
            f'{{"e":"trade","E":{1700000000000 + i * 7},"s":"BTCUSDT","t":{3000000 + i},'
            f'"p":"{43000 + r % 100000 / 100:.2f}","q":"{r % 9973 / 1000:.3f}",'
            f'"b":{r % 88888},"a":{r % 77777},"m":{"true" if r & 1 else "false"}}},'
        )
        records.append(record)
        length += len(record)
        i += 1
    return tag + "".join(records)[:room] + tag


def ws_message(seq: int, size: int, kind: str) -> tuple[bytes, int]:
    """The payload and opcode of message ``seq`` for kind text, mbtext, json or binary."""
    if kind == "binary":
        return binary_payload(seq, size), 2
    if kind == "json":
        return json_payload(seq, size).encode(), 1
    return text_payload(seq, size, multibyte=kind == "mbtext").encode(), 1


def ws_accept(key: str) -> str:
    """The Sec-WebSocket-Accept value answering ``key`` (RFC 6455 section 4.2.2)."""
    digest = hashlib.sha1(key.encode() + WS_GUID).digest()
    return base64.b64encode(digest).decode()


def chunk(body: bytes) -> bytes:
    """``body`` as one HTTP/1.1 chunk."""
    return b"%x\r\n%b\r\n" % (len(body), body)
