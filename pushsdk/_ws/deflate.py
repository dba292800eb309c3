"""permessage-deflate (RFC 7692): the offer, the server's answer, and the codecs.

Pure (no I/O): the handshake sends ``OFFER`` and gives the server's
``Sec-WebSocket-Extensions`` value to ``negotiate``; the frame reader inflates
compressed messages with an ``Inflater`` and the send path compresses with a
``Deflater``.

The offer is the one that interoperates best (lessons from websockets, issues
1046, 1050, 1060, 1068): ``client_max_window_bits`` without a value, which only
says that we can honour a limit, and nothing about the server's window. Servers
such as BitMEX, Bybit and AWS API Gateway refused offers with a value.

Bomb-proof: ``Inflater.inflate`` never produces more than the ``limit`` the
caller gives (``decompressobj().decompress(data, max_length)``), so a message
that inflates past ``max_message_size`` is refused after at most that many bytes
(deflate expands up to ~1,032:1: a 1 MiB frame can hold 1 GiB).

Inflating uses zlib-ng (the ``speedups`` extra: the same API as ``zlib``, ~1.5x
faster on large messages) when it imports, else the standard library's ``zlib``;
``INFLATE_BACKEND`` is the choice.
Compressing always uses ``zlib``: zlib-ng's deflate takes 140 KiB or more of
state whatever ``memLevel`` (its hash table has a fixed size).

Memory of a connection (measured with tracemalloc): the inflater holds the
server's window and zlib's state, at most 39 KiB with zlib and 41 KiB with
zlib-ng (2.2 and later allocate it all when the decompressor is made, whatever the
window). It is made on the first compressed message and dropped after each one when
the server resets its context. The deflater, made on the first compressed send, uses
an 11-bit window and memLevel 4 (22 KiB; zlib's defaults take 262 KiB). An idle
connection holds neither, and a busy one stays under 64 KiB of zlib state.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, cast

__all__ = [
    "BACKENDS",
    "INFLATE_BACKEND",
    "OFFER",
    "Backend",
    "Deflater",
    "ExtensionError",
    "InflateError",
    "Inflater",
    "Negotiated",
    "negotiate",
]

#: The ``Sec-WebSocket-Extensions`` request value.
OFFER = "permessage-deflate; client_max_window_bits"
#: What the sender strips from, and the receiver appends to, each message (RFC 7692 7.2.1).
TAIL = b"\x00\x00\xff\xff"
#: Messages shorter than this are sent uncompressed: under ~64 bytes deflate makes JSON
#: bigger, and at 128 bytes it saves 15-45 % (context takeover or not) for ~2 us.
COMPRESS_THRESHOLD = 128
#: Our own compression window and memory level (see the module docstring).
_SEND_WINDOW_BITS = 11
_SEND_MEM_LEVEL = 4

_NAME = "permessage-deflate"
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_PARAM = re.compile(rf'[ \t]*({_TOKEN})(?:[ \t]*=[ \t]*({_TOKEN}|"(?:[^"\\]|\\.)*"))?[ \t]*')
_BITS = re.compile(r"(?:[89]|1[0-5])")


class _Stream(Protocol):
    """A decompressor object, as ``zlib.decompressobj`` and zlib-ng's make."""

    @property
    def eof(self) -> bool: ...
    @property
    def unused_data(self) -> bytes: ...
    @property
    def unconsumed_tail(self) -> bytes: ...
    def decompress(self, data: bytes | memoryview, max_length: int = 0, /) -> bytes: ...


@dataclass(frozen=True)
class Backend:
    """A zlib implementation to inflate with: the standard library's or zlib-ng's."""

    name: str
    decompressobj: Callable[[int], _Stream]
    error: type[Exception]


#: The inflate backends this interpreter has, by name (zlib-ng's only if it imports).
BACKENDS = {"zlib": Backend("zlib", zlib.decompressobj, zlib.error)}
try:
    from zlib_ng import zlib_ng
except ImportError:  # the speedups extra is not installed (or PyPy)
    pass
else:  # its stub types ``error`` as an instance; it is the module's exception class
    BACKENDS["zlib-ng"] = Backend(
        "zlib-ng", zlib_ng.decompressobj, cast("type[Exception]", zlib_ng.error)
    )
#: What ``Negotiated.inflater`` inflates with: zlib-ng when installed, else zlib.
INFLATE_BACKEND = BACKENDS.get("zlib-ng", BACKENDS["zlib"])


class ExtensionError(ValueError):
    """The server's ``Sec-WebSocket-Extensions`` answer is not one we can accept."""


class InflateError(ValueError):
    """Corrupt deflate data in a compressed message."""


@dataclass(frozen=True)
class Negotiated:
    """The permessage-deflate parameters both sides agreed to."""

    server_no_context_takeover: bool = False
    client_no_context_takeover: bool = False
    server_max_window_bits: int = 15
    client_max_window_bits: int = 15

    def __str__(self) -> str:
        """The agreement in header syntax (what ``WSClient.extension`` shows)."""
        parts = [_NAME]
        if self.server_no_context_takeover:
            parts.append("server_no_context_takeover")
        if self.client_no_context_takeover:
            parts.append("client_no_context_takeover")
        if self.server_max_window_bits != 15:
            parts.append(f"server_max_window_bits={self.server_max_window_bits}")
        if self.client_max_window_bits != 15:
            parts.append(f"client_max_window_bits={self.client_max_window_bits}")
        return "; ".join(parts)

    def inflater(self) -> Inflater:
        return Inflater(
            self.server_max_window_bits, self.server_no_context_takeover, INFLATE_BACKEND
        )

    def deflater(self) -> Deflater:
        return Deflater(self.client_max_window_bits, self.client_no_context_takeover)


def negotiate(response: str | None, *, offered: bool = True) -> Negotiated | None:
    """The agreement in the server's ``Sec-WebSocket-Extensions`` answer to ``OFFER``.

    None when the server declined (no header). Anything we did not offer, a
    malformed value, an unknown, duplicated or out-of-range parameter raises
    ``ExtensionError``: the connection must fail (RFC 6455 4.1, RFC 7692 5).
    """
    if response is None or not response.strip():
        return None
    if not offered:
        raise ExtensionError(f"the server accepted {response!r} but no extension was offered")
    extensions = _parse(response)
    if len(extensions) != 1:
        raise ExtensionError(f"{len(extensions)} extensions accepted, only {_NAME} was offered")
    name, params = extensions[0]
    if name.lower() != _NAME:
        raise ExtensionError(f"extension {name!r} was not offered")
    values: dict[str, str | None] = {}
    for raw_key, value in params:
        key = raw_key.lower()
        if key in values:
            raise ExtensionError(f"parameter {key} appears twice")
        values[key] = value
    flags = {"server_no_context_takeover": False, "client_no_context_takeover": False}
    bits = {"server_max_window_bits": 15, "client_max_window_bits": 15}
    for key, value in values.items():
        if key in flags:
            if value is not None:
                raise ExtensionError(f"{key} takes no value, got {value!r}")
            flags[key] = True
        elif key in bits:
            if value is None:
                if key == "server_max_window_bits":
                    raise ExtensionError("server_max_window_bits needs a value")
                continue  # client_max_window_bits alone: no limit on our window
            if not _BITS.fullmatch(value):
                raise ExtensionError(f"{key}={value!r} is not 8 to 15")
            bits[key] = int(value)
        else:
            raise ExtensionError(f"unknown parameter {key!r}")
    return Negotiated(
        server_no_context_takeover=flags["server_no_context_takeover"],
        client_no_context_takeover=flags["client_no_context_takeover"],
        server_max_window_bits=bits["server_max_window_bits"],
        client_max_window_bits=bits["client_max_window_bits"],
    )


def _parse(value: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Split an extension list (RFC 6455 9.1) into names and parameters, strictly."""
    extensions: list[tuple[str, list[tuple[str, str | None]]]] = []
    for item in value.split(","):
        parts = item.split(";")
        head = _PARAM.fullmatch(parts[0])
        if head is None or head.group(2) is not None:
            raise ExtensionError(f"malformed extension list {value!r}")
        params: list[tuple[str, str | None]] = []
        for part in parts[1:]:
            match = _PARAM.fullmatch(part)
            if match is None:
                raise ExtensionError(f"malformed extension parameter {part.strip()!r}")
            key, raw = match.groups()
            if raw is not None and raw.startswith('"'):
                raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
                if not re.fullmatch(_TOKEN, raw):  # RFC 6455 9.1: a quoted value is a token
                    raise ExtensionError(f"malformed value in {part.strip()!r}")
            params.append((key, raw))
        extensions.append((head.group(1), params))
    return extensions


class Inflater:
    """Decompress the server's messages, keeping its window between them if agreed."""

    __slots__ = ("_bits", "_reset", "_zobj", "backend")

    def __init__(self, window_bits: int, no_context_takeover: bool, backend: Backend) -> None:
        self._bits = -window_bits  # raw deflate, no zlib header
        self._reset = no_context_takeover
        #: The zlib implementation this inflater uses.
        self.backend = backend
        #: Made on first use, dropped when a message ends the context: idle costs nothing.
        self._zobj: _Stream | None = None

    def _decompressor(self) -> _Stream:
        zobj = self._zobj
        if zobj is None:
            zobj = self._zobj = self.backend.decompressobj(self._bits)
        return zobj

    def inflate(self, data: bytes | memoryview, limit: int) -> bytes:
        """Up to ``limit`` bytes inflated from ``data``; more pending means over ``limit``."""
        zobj = self._zobj or self._decompressor()
        if zobj.eof and data:
            raise InflateError("compressed data after the final deflate block")
        try:
            return zobj.decompress(data, limit)
        except self.backend.error as exc:
            raise InflateError(f"corrupt deflate data: {exc}") from None

    def message(self, payload: bytes, limit: int) -> bytes:
        """Up to ``limit`` bytes of a whole message: ``inflate`` and ``finish`` in one call."""
        zobj = self._zobj or self._decompressor()
        try:
            data = zobj.decompress(payload + TAIL, limit)
        except self.backend.error as exc:
            raise InflateError(f"corrupt deflate data: {exc}") from None
        if zobj.eof:  # a final block (RFC 7692 7.2.3.4): only our tail may follow it
            if len(zobj.unused_data) > len(TAIL) or zobj.unconsumed_tail:
                raise InflateError("compressed data after the final deflate block")
            self._zobj = None
        elif self._reset:
            self._zobj = None
        return data

    def finish(self, limit: int) -> bytes:
        """End the message: inflate the tail the sender stripped; reset if agreed."""
        zobj = self._zobj or self._decompressor()
        out = b"" if zobj.eof else self.inflate(TAIL, limit)
        if self._reset or zobj.eof:  # a final block ends the stream: start anew
            self._zobj = None
        return out


class Deflater:
    """Compress our messages within the window and context rules the server set."""

    __slots__ = ("_bits", "_reset", "_zobj")

    def __init__(self, window_bits: int, no_context_takeover: bool) -> None:
        # zlib cannot make an 8-bit window; its 9-bit one never looks back more than
        # 250 bytes (window minus MIN_LOOKAHEAD), so it honours a limit of 8 too.
        self._bits = -max(9, min(window_bits, _SEND_WINDOW_BITS))
        self._reset = no_context_takeover
        self._zobj: zlib._Compress | None = None  # created on first use: idle costs nothing

    def compress(self, payload: bytes) -> bytes:
        """One message's compressed payload (tail stripped, RFC 7692 7.2.1)."""
        zobj = self._zobj
        if zobj is None:
            zobj = zlib.compressobj(6, zlib.DEFLATED, self._bits, _SEND_MEM_LEVEL)
            if not self._reset:
                self._zobj = zobj
        data = zobj.compress(payload) + zobj.flush(zlib.Z_SYNC_FLUSH)
        return data[:-4] if data.endswith(TAIL) else data
