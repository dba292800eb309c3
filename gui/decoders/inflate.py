"""Bounded decompression: gzip, zlib and raw deflate that stop at a size limit.

A few hundred bytes of deflate can expand to gigabytes (a decompression bomb), so
nothing here ever produces more than ``limit`` bytes; the caller is told the
output was cut instead.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

__all__ = ["COMPRESSIONS", "Inflated", "inflate", "looks_gzip", "looks_zlib"]

#: The ``wbits`` zlib needs for each container format.
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "zlib": zlib.MAX_WBITS, "deflate": -zlib.MAX_WBITS}
COMPRESSIONS = tuple(_WBITS)


@dataclass(frozen=True, slots=True)
class Inflated:
    """What came out: ``data`` (at most the limit), whether it was cut, whether the
    compressed stream ended cleanly with no bytes left over."""

    data: bytes
    truncated: bool
    complete: bool


def looks_gzip(data: bytes) -> bool:
    """The gzip magic number and the deflate method (RFC 1952)."""
    return data[:3] == b"\x1f\x8b\x08"


def looks_zlib(data: bytes) -> bool:
    """A zlib header (RFC 1950): method 8, window at most 32 KiB, valid check bits."""
    if len(data) < 2:
        return False
    cmf, flg = data[0], data[1]
    return cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf << 8 | flg) % 31 == 0


def inflate(data: bytes, method: str, limit: int) -> Inflated:
    """Decompress ``data`` (``method`` one of COMPRESSIONS), keeping at most ``limit`` bytes.

    Raises:
        ValueError: the data is not valid for ``method``; the message says why.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1 byte, got {limit}")
    try:
        wbits = _WBITS[method]
    except KeyError:
        raise ValueError(f"unknown compression {method!r}: use one of {COMPRESSIONS}") from None
    decompressor = zlib.decompressobj(wbits)
    try:
        # One byte past the limit tells "exactly the limit" from "more than the limit".
        out = decompressor.decompress(data, limit + 1)
    except zlib.error as exc:
        raise ValueError(f"not {method} data ({exc})") from None
    truncated = len(out) > limit
    if truncated:
        return Inflated(out[:limit], truncated=True, complete=False)
    if not out and not decompressor.eof:
        raise ValueError(f"not {method} data (the stream is cut short)")
    complete = decompressor.eof and not decompressor.unused_data
    return Inflated(out, truncated=False, complete=complete)
