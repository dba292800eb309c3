"""Calibration: a raw socket reader/writer with no protocol work, to show the server's ceiling.

Over TLS it reads and writes through the ssl module, so its figure includes decryption.

It drains a route's pre-built bytes (and checks their length) or writes pre-masked frames
to the sink: if this is far faster than every client, the server is not what limits them.
"""

from __future__ import annotations

import socket
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

from .. import payloads, server
from .common import cpu_seconds, failure, latency_result, rate_result

KEY = "dGhlIHNhbXBsZSBub25jZQ=="


def connect(url: str, websocket: bool) -> tuple[socket.socket, bytes]:
    """Open ``url`` and send its request; return the socket and bytes past the head."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if parts.scheme in ("wss", "https"):  # the CA comes from SSL_CERT_FILE
        sock = ssl.create_default_context().wrap_socket(sock, server_hostname=parts.hostname)
    upgrade = (
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {KEY}\r\n"
        "Sec-WebSocket-Version: 13\r\n"
        if websocket
        else ""
    )
    target = f"{parts.path}?{parts.query}"
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n{upgrade}\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    return sock, data.split(b"\r\n\r\n", 1)[1]


def expected_body(params: dict[str, Any]) -> bytes:
    if params["kind"] == "sse":
        return server.sse_stream_body(params["size"], params["count"], params["chunked"])
    return server.ws_stream_body(params["kind"], params["size"], params["count"])


def stream(params: dict[str, Any]) -> dict[str, Any]:
    expected = len(expected_body(params))
    sock, rest = connect(params["url"] + "&close=1", params["kind"] != "sse")
    buf = bytearray(1 << 20)
    received = len(rest)
    if not received:  # the window opens at the first body bytes, as for the clients
        received = sock.recv_into(buf, 1)
    start, cpu0 = time.perf_counter(), cpu_seconds()
    while n := sock.recv_into(buf):
        received += n
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu0
    sock.close()
    if received != expected:
        return failure(f"received {received} bytes, expected {expected}")
    return rate_result(params["count"], seconds, cpu, params["size"])


def read_frame(sock: socket.socket, pending: bytearray) -> bytes:
    """One unmasked server frame's payload (small frames only, as the echo sends)."""
    while len(pending) < 2 or len(pending) < 2 + (pending[1] & 0x7F):
        pending += sock.recv(65536)
    n = pending[1] & 0x7F
    data = bytes(pending[2 : 2 + n])
    del pending[: 2 + n]
    return data


def echo(params: dict[str, Any]) -> dict[str, Any]:
    mask = b"\x01\x02\x03\x04"
    sent = [payloads.text_payload(i, params["size"]).encode() for i in range(params["count"])]
    frames = [payloads.ws_frame(m, 1, mask) for m in sent]
    sock, rest = connect(params["url"], websocket=True)
    pending = bytearray(rest)
    samples, ok = [], True
    clock = time.perf_counter
    cpu0 = cpu_seconds()
    for frame, message in zip(frames, sent, strict=True):
        start = clock()
        sock.sendall(frame)
        ok &= read_frame(sock, pending) == message
        samples.append(clock() - start)
    cpu = cpu_seconds() - cpu0
    sock.close()
    return latency_result(samples, len(sent), cpu, sum(samples)) if ok else failure("bad echo")


def send(params: dict[str, Any]) -> dict[str, Any]:
    mask = b"\x01\x02\x03\x04"
    messages = (payloads.text_payload(i, params["size"]).encode() for i in range(params["count"]))
    blob = b"".join(payloads.ws_frame(m, 1, mask) for m in messages)
    sock, rest = connect(params["url"], websocket=True)
    pending = bytearray(rest)
    start, cpu0 = time.perf_counter(), cpu_seconds()
    sock.sendall(blob)
    ack = read_frame(sock, pending)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu0
    verdict = read_frame(sock, pending)
    sock.close()
    if ack != b"ack" or verdict != b"ok":
        return failure(f"server: {ack!r} {verdict!r}")
    return rate_result(params["count"], seconds, cpu, params["size"])
