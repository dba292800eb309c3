"""Reading an event stream's body as it arrives: one socket read per call.

An event is dispatched as soon as its blank line is in, so each call returns
whatever has arrived (``iter_content`` and friends would wait for a full buffer
on a body that is not chunked). http.client reads the response head through a
buffered file, which may hold the first bytes of the body: the first call takes
them with ``read1`` (all of them, since it asks for more than the buffer holds;
with an empty buffer it reads the socket once, into the result). Every later
call reads the socket itself: no buffered file and no ``socket.SocketIO`` frames
between a small event and the parser, which is most of the time a lone event
spends in Python. Chunked framing is removed by :class:`ChunkedDecoder`; a body
with a content coding goes through urllib3, which decodes it.
"""

from __future__ import annotations

import io
import socket
from collections.abc import Callable
from typing import Any

import requests

from ..errors import ConnectionClosed
from .chunked import ChunkedDecoder

#: Bytes asked of the socket per read (a read returns as soon as anything arrived).
READ_SIZE = 65536

Read = Callable[[int], bytes]


def response_socket(response: requests.Response) -> socket.socket | None:
    """The socket under a streamed response (requests does not expose it).

    urllib3's connection holds it, except when the server said ``Connection: close``:
    http.client then hands it to the response's file object alone.
    """
    connection = getattr(response.raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if not isinstance(sock, socket.socket):
        socket_io = getattr(getattr(getattr(response.raw, "_fp", None), "fp", None), "raw", None)
        sock = getattr(socket_io, "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def body_reader(response: requests.Response) -> Callable[[], bytes]:
    """Return a function reading whatever part of the body has arrived (b"" at the end)."""
    raw = response.raw
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    http_response = getattr(raw, "_fp", None)
    fp = getattr(http_response, "fp", None)
    if encoding not in ("", "identity") or fp is None or not hasattr(fp, "read1"):

        def read_decoded() -> bytes:
            return raw.read1(READ_SIZE, decode_content=True) or b""

        return read_decoded
    length: int | None = getattr(http_response, "length", None)
    chunked = getattr(http_response, "chunked", False)
    if length is not None and not chunked:  # rare for a stream: never read past its end
        return _sized_reader(fp.read1, length)
    read = _socket_reader(fp, response_socket(response))
    if chunked:
        return _chunked_reader(read)
    return lambda: read(READ_SIZE)


def _socket_reader(fp: Any, sock: socket.socket | None) -> Read:
    """``fp.read1`` once (the bytes its buffer holds), then the socket's own ``recv``.

    Callers ask for READ_SIZE bytes each time.
    """
    read1: Read = fp.read1
    # read1 empties the buffer only if it asks for at least what the buffer holds.
    if sock is None or io.DEFAULT_BUFFER_SIZE > READ_SIZE:
        return read1
    recv: Read = sock.recv
    read = read1

    def read_socket(size: int) -> bytes:
        nonlocal read
        data = read(size)
        read = recv
        return data

    return read_socket


def _chunked_reader(read: Read) -> Callable[[], bytes]:
    decoder = ChunkedDecoder()
    feed = decoder.feed

    def read_chunked() -> bytes:
        while not decoder.done:
            data = read(READ_SIZE)
            if not data:  # EOF before the last chunk: the connection dropped
                raise ConnectionClosed("connection closed inside the chunked body")
            body = feed(data)
            if body:
                return body
        return b""

    return read_chunked


def _sized_reader(read: Read, length: int) -> Callable[[], bytes]:
    left = length

    def read_sized() -> bytes:
        nonlocal left
        if left <= 0:
            return b""
        data = read(min(left, READ_SIZE))
        if not data:
            raise ConnectionClosed(f"connection closed with {left} bytes of the body unread")
        left -= len(data)
        return data

    return read_sized
