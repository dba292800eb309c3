"""The server half of permessage-deflate (RFC 7692), written with zlib alone.

``DeflatePeer`` wraps a ``RawConnection`` whose handshake answered with the
parameters a test chose: it compresses what it sends exactly as those
parameters allow a server to (its window, context takeover or a fresh context
per message) and inflates what the client sends with the client's parameters,
resetting its window per message when ``client_no_context_takeover`` was
agreed, so that a client that compressed against an older context, or with a
bigger window than allowed, fails here.
"""

from __future__ import annotations

import zlib

from tests.servers.raw_ws import RawConnection, frame

TAIL = b"\x00\x00\xff\xff"


def params_of(extension: str) -> dict[str, int | None]:
    """``{"server_max_window_bits": 10, "client_no_context_takeover": None, ...}``."""
    params: dict[str, int | None] = {}
    for part in extension.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        params[name] = int(value) if value else None
    return params


class DeflatePeer:
    def __init__(self, conn: RawConnection, extension: str) -> None:
        params = params_of(extension)
        self.conn = conn
        self.server_bits = params.get("server_max_window_bits") or 15
        client_bits = params.get("client_max_window_bits") or 15
        self.server_reset = "server_no_context_takeover" in params
        self.client_reset = "client_no_context_takeover" in params
        # zlib's deflate takes 9 for an 8-bit window, and never reaches further back than
        # 250 bytes with it; inflating with a real 8-bit window checks the client does too.
        self._bits_out = -max(9, self.server_bits)
        self._bits_in = -client_bits
        self._compressor = zlib.compressobj(6, zlib.DEFLATED, self._bits_out)
        self._decompressor = zlib.decompressobj(self._bits_in)
        self.compressed_in = 0  # messages the client sent compressed

    def compress(self, payload: bytes) -> bytes:
        if self.server_reset:
            self._compressor = zlib.compressobj(6, zlib.DEFLATED, self._bits_out)
        data = self._compressor.compress(payload) + self._compressor.flush(zlib.Z_SYNC_FLUSH)
        assert data.endswith(TAIL)
        return data[:-4]

    def send(self, opcode: int, payload: bytes, fragment: int = 0) -> None:
        """Send one compressed message, in frames of ``fragment`` bytes (0: one frame)."""
        data = self.compress(payload)
        size = fragment or max(len(data), 1)
        chunks = [data[i : i + size] for i in range(0, len(data), size)] or [b""]
        frames = [
            frame(opcode if i == 0 else 0, chunk, fin=i == len(chunks) - 1, rsv=4 if i == 0 else 0)
            for i, chunk in enumerate(chunks)
        ]
        self.conn.send(b"".join(frames))

    def recv_message(self, timeout: float = 10.0) -> tuple[int, bytes]:
        """The client's next data message, inflated if it came compressed."""
        fin, opcode, payload = self.conn.recv_frame(timeout)
        compressed = self.conn.last_rsv == 4
        assert self.conn.last_rsv in (0, 4), f"client set RSV bits {self.conn.last_rsv}"
        parts = [payload]
        while not fin:
            fin, cont, payload = self.conn.recv_frame(timeout)
            assert cont == 0 and self.conn.last_rsv == 0
            parts.append(payload)
        data = b"".join(parts)
        if not compressed:
            return opcode, data
        self.compressed_in += 1
        if self.client_reset:
            self._decompressor = zlib.decompressobj(self._bits_in)
        return opcode, self._decompressor.decompress(data + TAIL)
