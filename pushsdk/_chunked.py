"""An incremental decoder for HTTP/1.1 chunked transfer coding (RFC 9112, 7.1).

Pure bytes in, body bytes out, so that the SSE reader can hand the parser
whatever arrived at once, instead of one ``read`` per chunk through http.client.
A chunk header (with the CRLF closing the previous chunk) is matched by one
regular expression, which keeps many small chunks per read cheap.
"""

from __future__ import annotations

import re

from .errors import ProtocolError

#: A chunk-size line (with extensions) or trailer line longer than this is refused.
MAX_LINE = 4096

_SIZE = rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?\r?\n"
_FIRST_HEADER = re.compile(_SIZE)
_NEXT_HEADER = re.compile(rb"\r?\n" + _SIZE)
_NEXT_MATCH = _NEXT_HEADER.match


class ChunkedDecoder:
    """Strips the chunk framing from a chunked body fed in arbitrary pieces.

    Attributes:
        done: the last chunk and its trailers have arrived: the body is complete.
    """

    __slots__ = ("_header", "_left", "_pending", "_trailers", "done")

    def __init__(self) -> None:
        self._left = 0  # body bytes still due in the current chunk
        self._pending = b""  # the start of a header that has not fully arrived
        self._header = _FIRST_HEADER  # later headers start with the previous chunk's CRLF
        self._trailers = False
        self.done = False

    def feed(self, data: bytes) -> bytes:
        """Return the body bytes carried by ``data``.

        Raises:
            ProtocolError: the framing is malformed.
        """
        if self.done:
            return b""
        if self._pending:
            data = self._pending + data
            self._pending = b""
        out: list[bytes] = []
        pos = 0
        end = len(data)
        left = self._left
        if left:  # the rest of a chunk begun in an earlier feed
            out.append(data[:left])
            pos = min(left, end)
            left -= pos
        if not self._trailers:
            match = self._header.match
            while pos < end:
                header = match(data, pos)
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
