"""The benchmark server: one process, one blocking thread per connection, pre-built bytes.

Run as ``python -m scripts.benchmarks.server [--tls CHAIN_PEM]``: it prints ``PORT <n>``
and serves until its stdin closes (so it dies with the harness); with ``--tls`` every
route is behind TLS (wss://, https://) with that key and certificate chain. Routes
(query parameters in brackets):

- ``/ws/stream`` [kind, size, count, close, deflate]: ``count`` frames then a close
  frame; with ``deflate=1`` it agrees to permessage-deflate when offered and sends the
  messages compressed with context takeover (as Binance, Bybit... do).
- ``/ws/echo``: echoes each message. ``/ws/sink`` [size, count]: counts the client's
  frames, answers ``ack`` at ``count``, then checks every payload and answers ``ok``.
- ``/ws/drop`` and ``/sse/drop`` [run]: one message per connection carrying the time
  the connection is cut, right after it (sequence numbers count per ``run``).
- ``/sse/stream`` [size, count, mode=chunked|plain, close], ``/sse/latency`` [count,
  interval, mode]: events with ids; ``/ws/idle`` [deflate], ``/sse/idle``: open and
  silent after one "hello".

Throughput bodies are built once per parameter set and written with one ``sendall``,
so the server costs nothing per message while a client reads.
"""

from __future__ import annotations

import functools
import os
import socket
import ssl
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

from . import payloads

SSE_HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
CHUNKED = SSE_HEADERS + b"Transfer-Encoding: chunked\r\n\r\n"
PLAIN = SSE_HEADERS + b"Connection: close\r\n\r\n"
CLOSE_1000 = b"\x88\x02\x03\xe8"
RECV = 1 << 16

_drop_seq: dict[str, int] = {}
_drop_lock = threading.Lock()


@functools.lru_cache(maxsize=16)
def ws_stream_body(kind: str, size: int, count: int, deflate: bool = False) -> bytes:
    """``count`` server frames and a close frame, as one buffer."""
    if deflate:
        return ws_deflated_body(kind, size, count)
    frames = (payloads.ws_frame(*payloads.ws_message(seq, size, kind)) for seq in range(count))
    return b"".join(frames) + CLOSE_1000


def ws_deflated_body(kind: str, size: int, count: int) -> bytes:
    """The same messages compressed in one deflate stream (context takeover), RSV1 set."""
    zobj = zlib.compressobj(6, zlib.DEFLATED, -15)
    frames = []
    for seq in range(count):
        payload, opcode = payloads.ws_message(seq, size, kind)
        data = zobj.compress(payload) + zobj.flush(zlib.Z_SYNC_FLUSH)
        frames.append(payloads.ws_frame(data[:-4], 0x40 | opcode))
    return b"".join(frames) + CLOSE_1000


@functools.lru_cache(maxsize=16)
def sse_stream_body(size: int, count: int, chunked: bool) -> bytes:
    """``count`` events: one HTTP chunk per event (as a server flushing each) or plain."""
    events = (payloads.sse_event(seq, size) for seq in range(count))
    if chunked:
        return b"".join(map(payloads.chunk, events)) + b"0\r\n\r\n"
    return b"".join(events)


class Frames:
    """An incremental reader of client (masked) WebSocket frames on a blocking socket."""

    def __init__(self, sock: socket.socket, rest: bytes) -> None:
        self.sock = sock
        self.buf = bytearray(rest)
        self.pos = 0

    def fill(self) -> bool:
        """Read more bytes; False at end of stream."""
        data = self.sock.recv(RECV)
        self.buf += data
        return bool(data)

    def header(self) -> tuple[int, int, int] | None:
        """(opcode, payload start, payload end) of the next complete frame, or None."""
        buf, pos = self.buf, self.pos
        if len(buf) - pos < 2:
            return None
        opcode, n = buf[pos] & 0x0F, buf[pos + 1] & 0x7F
        start = pos + 2
        if n == 126:
            if len(buf) - start < 2:
                return None
            n = struct.unpack_from("!H", buf, start)[0]
            start += 2
        elif n == 127:
            if len(buf) - start < 8:
                return None
            n = struct.unpack_from("!Q", buf, start)[0]
            start += 8
        start += 4 if buf[pos + 1] & 0x80 else 0
        if len(buf) < start + n:
            return None
        return opcode, start, start + n

    def payload(self, start: int, end: int) -> bytes:
        """The unmasked payload of the frame whose payload spans ``start:end``."""
        return payloads.unmask(bytes(self.buf[start:end]), bytes(self.buf[start - 4 : start]))

    def next(self) -> tuple[int, bytes] | None:
        """The next frame's (opcode, unmasked payload); None at end of stream."""
        while (found := self.header()) is None:
            if not self.fill():
                return None
        opcode, start, end = found
        self.pos = end
        return opcode, self.payload(start, end)


def drain_ws(frames: Frames) -> None:
    """Read until the client closes; answer its close frame and pings."""
    while (frame := frames.next()) is not None:
        opcode, data = frame
        if opcode == 8:
            frames.sock.sendall(payloads.ws_frame(data[:2], 8))
            return
        if opcode == 9:
            frames.sock.sendall(payloads.ws_frame(data, 10))


def drain(sock: socket.socket) -> None:
    """Read until the client closes the connection."""
    while sock.recv(RECV):
        pass


def ws_stream(frames: Frames, q: dict[str, str]) -> None:
    deflate = q.get("agreed") == "1"
    body = ws_stream_body(q.get("kind", "text"), int(q["size"]), int(q["count"]), deflate)
    frames.sock.sendall(body)
    if q.get("close") != "1":
        drain_ws(frames)


def ws_echo(frames: Frames, q: dict[str, str]) -> None:
    send = frames.sock.sendall
    while (frame := frames.next()) is not None:
        opcode, data = frame
        send(payloads.ws_frame(data[:2] if opcode == 8 else data, 10 if opcode == 9 else opcode))
        if opcode == 8:
            return


def ws_sink(frames: Frames, q: dict[str, str]) -> None:
    """Count frames at wire speed; check them only after the client has its answer."""
    count, size = int(q["count"]), int(q["size"])
    seen, spans = 0, []
    while seen < count:
        found = frames.header()
        if found is None:
            if not frames.fill():
                return
            continue
        opcode, start, end = found
        frames.pos = end
        if opcode in (1, 2):
            seen += 1
            spans.append((opcode, start, end))
    frames.sock.sendall(payloads.ws_frame(b"ack", 1))
    errors = 0
    for seq, (opcode, start, end) in enumerate(spans):
        expected, expected_op = payloads.ws_message(seq, size, "text")
        errors += opcode != expected_op or frames.payload(start, end) != expected
    verdict = b"ok" if not errors else b"bad: %d of %d payloads differ" % (errors, count)
    frames.sock.sendall(payloads.ws_frame(verdict, 1))
    drain_ws(frames)


def next_drop(q: dict[str, str]) -> int:
    """This connection's sequence number in run ``q['run']``."""
    with _drop_lock:
        seq = _drop_seq.get(q["run"], 0)
        _drop_seq[q["run"]] = seq + 1
    return seq


def ws_drop(frames: Frames, q: dict[str, str]) -> None:
    seq = next_drop(q)
    frames.sock.sendall(payloads.ws_frame(f"{seq:08d} {time.monotonic()!r}".encode(), 1))


def ws_idle(frames: Frames, q: dict[str, str]) -> None:
    if q.get("agreed") == "1":  # compressed, so that the client's inflater holds its window
        zobj = zlib.compressobj(6, zlib.DEFLATED, -15)
        hello = (zobj.compress(b"hello") + zobj.flush(zlib.Z_SYNC_FLUSH))[:-4]
        frames.sock.sendall(payloads.ws_frame(hello, 0x41))
    else:
        frames.sock.sendall(payloads.ws_frame(b"hello", 1))
    drain_ws(frames)


def sse_stream(sock: socket.socket, q: dict[str, str]) -> None:
    chunked = q.get("mode", "chunked") == "chunked"
    body = sse_stream_body(int(q["size"]), int(q["count"]), chunked)
    sock.sendall((CHUNKED if chunked else PLAIN) + body)
    if chunked and q.get("close") != "1":
        drain(sock)


def sse_latency(sock: socket.socket, q: dict[str, str]) -> None:
    """One event every ``interval`` seconds, carrying the monotonic time it was sent."""
    chunked = q.get("mode", "chunked") == "chunked"
    count, interval = int(q["count"]), float(q["interval"])
    sock.sendall(CHUNKED if chunked else PLAIN)
    start = time.monotonic() + interval
    for seq in range(count):
        delay = start + seq * interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        event = f"id: {seq}\ndata: {seq:08d} {time.monotonic()!r}\n\n".encode()
        sock.sendall(payloads.chunk(event) if chunked else event)
    if chunked:
        sock.sendall(b"0\r\n\r\n")


def sse_drop(sock: socket.socket, q: dict[str, str]) -> None:
    seq = next_drop(q)
    sock.sendall(PLAIN + f"id: {seq}\ndata: {seq:08d} {time.monotonic()!r}\n\n".encode())


def sse_idle(sock: socket.socket, q: dict[str, str]) -> None:
    sock.sendall(CHUNKED + payloads.chunk(b"data: hello\n\n"))
    drain(sock)


WS_ROUTES: dict[str, Callable[[Frames, dict[str, str]], None]] = {
    "/ws/stream": ws_stream,
    "/ws/echo": ws_echo,
    "/ws/sink": ws_sink,
    "/ws/drop": ws_drop,
    "/ws/idle": ws_idle,
}
SSE_ROUTES: dict[str, Callable[[socket.socket, dict[str, str]], None]] = {
    "/sse/stream": sse_stream,
    "/sse/latency": sse_latency,
    "/sse/drop": sse_drop,
    "/sse/idle": sse_idle,
}


def read_request(sock: socket.socket) -> tuple[str, dict[str, str], dict[str, str], bytes]:
    """Path, query, lower-cased headers and any bytes read past the request head."""
    data = b""
    while b"\r\n\r\n" not in data:
        more = sock.recv(RECV)
        if not more:
            raise ConnectionError("client went away before its request ended")
        data += more
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    target = lines[0].split(" ")[1]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    url = urlsplit(target)
    return url.path, dict(parse_qsl(url.query)), headers, rest


def handle(sock: socket.socket) -> None:
    try:
        with sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            path, query, headers, rest = read_request(sock)
            if path in WS_ROUTES:
                accept = payloads.ws_accept(headers["sec-websocket-key"])
                offered = "permessage-deflate" in headers.get("sec-websocket-extensions", "")
                extension = b""
                if query.get("deflate") == "1" and offered:
                    query["agreed"] = "1"
                    extension = b"Sec-WebSocket-Extensions: permessage-deflate\r\n"
                sock.sendall(
                    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    b"Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n%s\r\n"
                    % (accept.encode(), extension)
                )
                WS_ROUTES[path](Frames(sock, rest), query)
            elif path in SSE_ROUTES:
                SSE_ROUTES[path](sock, query)
            else:
                sock.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    except OSError:
        pass  # a client that stops reading early (deadline, reconnect test) is expected


def handle_tls(conn: socket.socket, context: ssl.SSLContext) -> None:
    """``handle`` behind a TLS handshake (the ``--tls`` mode, for wss:// and https://)."""
    try:
        tls = context.wrap_socket(conn, server_side=True)
    except OSError:
        conn.close()
        return
    handle(tls)


def serve(listener: socket.socket, context: ssl.SSLContext | None) -> None:
    while True:
        conn, _ = listener.accept()
        if context is None:
            threading.Thread(target=handle, args=(conn,), daemon=True).start()
        else:
            threading.Thread(target=handle_tls, args=(conn, context), daemon=True).start()


def main() -> None:
    context = None
    if len(sys.argv) == 3 and sys.argv[1] == "--tls":  # a trustme key and chain, PEM
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(sys.argv[2])
    listener = socket.create_server(("127.0.0.1", 0), backlog=512)
    threading.Thread(target=serve, args=(listener, context), daemon=True).start()
    print(f"PORT {listener.getsockname()[1]}", flush=True)
    sys.stdin.read()  # the harness closes our stdin when it is done (or dies)
    os._exit(0)


if __name__ == "__main__":
    main()
