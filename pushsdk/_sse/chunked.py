"""An incremental decoder for HTTP/1.1 chunked transfer coding (RFC 9112, 7.1).

Pure bytes in, body bytes out, so that the SSE reader can hand the parser
whatever arrived at once, instead of one ``read`` per chunk through http.client.
A chunk header (with the CRLF closing the previous chunk) is matched by one
regular expression, which keeps many small chunks per read cheap.
"""

from __future__ import annotations

import re
from itertools import repeat

from ..errors import ProtocolError

#: A chunk-size line (with extensions) or trailer line longer than this is refused.
MAX_LINE = 4096

_HEX_DIGITS = b"0123456789abcdefABCDEF"
_SIZE = rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?\r?\n"
_FIRST_HEADER = re.compile(_SIZE)
_NEXT_HEADER = re.compile(rb"\r?\n" + _SIZE)
_NEXT_MATCH = _NEXT_HEADER.match
#: A size past 16 digits that starts with zeros (RFC 9112 allows any number): the
#: value still has at most 16. Tried only when the plain header does not match.
_PADDED = {
    _FIRST_HEADER: re.compile(b"0*" + _SIZE).match,
    _NEXT_HEADER: re.compile(rb"\r?\n0*" + _SIZE).match,
}
#: Chunk-size lines already parsed (a server sends few distinct sizes): a dict look-up
#: is faster than ``int(size, 16)``. Only pure hex digits are keys; it stops growing.
_SIZES: dict[bytes, int] = {}
_SIZES_LIMIT = 4096
_MAX_SIZE_DIGITS = 16


class ChunkedDecoder:
    """Strips the chunk framing from a chunked body fed in arbitrary pieces.

    Attributes:
        done: the last chunk and its trailers have arrived: the body is complete.
    """

    __slots__ = ("_header", "_left", "_pending", "_split_ok", "_trailers", "done")

    def __init__(self) -> None:
        self._left = 0  # body bytes still due in the current chunk
        self._pending = b""  # the start of a header that has not fully arrived
        self._header = _FIRST_HEADER  # later headers start with the previous chunk's CRLF
        self._trailers = False
        self._split_ok = True  # no chunk so far held a CRLF: try _split_whole_chunks
        self.done = False

    def feed(self, data: bytes) -> bytes:
        """Return the body bytes carried by ``data``.

        Raises:
            ProtocolError: the framing is malformed.
        """
        if self.done:
            return b""
        head = b""
        if self._left >= len(data):  # inside a chunk (a large event): no copy
            self._left -= len(data)
            return data
        if not self._left and self._header is _FIRST_HEADER and not self._pending:
            body = _one_chunk(data)  # a server flushing each event: one chunk per read
            if body is not None:
                return body
        if self._left:  # the rest of a chunk begun in an earlier feed
            head = data[: self._left]
            self._left -= len(head)
            data = data[len(head) :]
        elif self._pending:
            data = self._pending + data
            self._pending = b""
        if data and self._split_ok and not self._trailers:
            split = self._split_whole_chunks(data)
            if split is not None:
                body, data = split
                head = head + body if head else body
        if not data:
            return head
        tail = self._feed(data)
        return head + tail if head else tail

    def _feed(self, data: bytes) -> bytes:
        """Decode chunk by chunk from a header (any framing, any split)."""
        out: list[bytes] = []
        pos = 0
        end = len(data)
        left = 0
        if not self._trailers:
            match = self._header.match
            while pos < end:
                header = match(data, pos)
                if header is None:
                    header = _PADDED[self._header](data, pos)
                    if header is None:
                        self._keep_partial_header(data[pos:])
                        break
                if match is not _NEXT_MATCH:
                    self._header = _NEXT_HEADER
                    match = _NEXT_MATCH
                start = header.end()
                stop = start + int(header[1], 16)
                if stop == start:
                    self._trailers = True
                    pos = start
                    break
                out.append(data[start:stop])
                if stop > end:
                    left = stop - end
                    break
                pos = stop
        if self._trailers and pos < end:
            self._skip_trailers(data, pos)
        self._left = left
        return out[0] if len(out) == 1 else b"".join(out)

    def _split_whole_chunks(self, data: bytes) -> tuple[bytes, bytes] | None:
        """Decode the whole chunks at the start of ``data`` with C-level loops only.

        SSE chunks rarely hold a CRLF, so splitting at CRLF yields size, data, size,
        data...; checking every size against its data's length proves the split right.
        Returns the body and the bytes left for ``_feed``, or None (and gives up on
        this path for the stream) when the check fails.
        """
        parts = data.split(b"\r\n")
        first = 0
        if self._header is _NEXT_HEADER:  # the previous chunk's CRLF is due first
            if parts[0]:
                return None
            first = 1
        pairs = (len(parts) - 1 - first) // 2
        if pairs <= 0:
            return None
        end = first + 2 * pairs
        sizes = parts[first:end:2]
        chunks = parts[first + 1 : end : 2]
        try:
            declared = list(map(_SIZES.__getitem__, sizes))
        except KeyError:
            declared = _parse_sizes(sizes)
        if declared != list(map(len, chunks)) or 0 in declared:
            self._split_ok = False
            return None
        self._header = _FIRST_HEADER
        rest = parts[end:]
        return b"".join(chunks), rest[0] if len(rest) == 1 else b"\r\n".join(rest)

    def _keep_partial_header(self, rest: bytes) -> None:
        """Keep an incomplete header for the next feed; refuse a malformed one."""
        first_line_end = 2 if self._header is _NEXT_HEADER else 0
        if (
            rest.find(b"\n", first_line_end) >= 0
            or len(rest) > MAX_LINE
            or (first_line_end and not b"\r\n".startswith(rest[:2]) and rest[:1] != b"\n")
        ):
            raise ProtocolError(f"chunked encoding: bad chunk header {rest[:20]!r}")
        self._pending = rest

    def _skip_trailers(self, data: bytes, pos: int) -> None:
        """Consume trailer lines after the last chunk until the empty line ending them."""
        while True:
            newline = data.find(b"\n", pos)
            if newline < 0:
                rest = data[pos:]
                if len(rest) > MAX_LINE:
                    raise ProtocolError("chunked encoding: trailer line too long")
                self._pending = rest
                return
            line = data[pos:newline]
            pos = newline + 1
            if not line.strip():
                self.done = True
                return


def _one_chunk(data: bytes) -> bytes | None:
    """The body of ``data`` if it is exactly one whole chunk of a size seen before."""
    newline = data.find(b"\r\n", 0, _MAX_SIZE_DIGITS + 2)
    if newline <= 0:
        return None
    size = _SIZES.get(data[:newline])
    if size is None:
        size = next(iter(_parse_sizes([data[:newline]])), 0)
    if size and len(data) == newline + size + 4 and data.endswith(b"\r\n"):
        return data[newline + 2 : -2]
    return None


def _parse_sizes(sizes: list[bytes]) -> list[int]:
    """The chunk sizes in ``sizes``, or [] if one is not hex digits alone, at most 16
    of them after any leading zeros."""
    if b"".join(sizes).translate(None, _HEX_DIGITS) or not all(sizes):
        return []
    digits = sizes
    if max(map(len, sizes)) > _MAX_SIZE_DIGITS:
        digits = [size.lstrip(b"0") or b"0" for size in sizes]
        if max(map(len, digits)) > _MAX_SIZE_DIGITS:
            return []
    declared = list(map(int, digits, repeat(16, len(digits))))
    if len(_SIZES) < _SIZES_LIMIT and digits is sizes:  # short keys only
        _SIZES.update(zip(sizes, declared, strict=True))
    return declared
