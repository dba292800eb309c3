"""``WSClient``: a WebSocket (RFC 6455) client on websocket-client, with one thread.

websocket-client does the opening handshake (``_wsconnect``). Frames are our own
(``_wsframes``): its ``ABNF`` masks at a third of our speed, and its receive path
reads each frame in several system calls and checks UTF-8 in pure Python. Our
reader thread reads big chunks and ``FrameReader`` turns them into messages,
validating frames and UTF-8 strictly and fast, so that protocol faults close the
connection with the RFC's code (websocket-client always sends 1000).

Heartbeat: the same thread drives pings with socket timeouts. After
``ping_interval`` seconds without any traffic from the server it sends a ping;
if nothing at all (pong or anything else) arrives within ``ping_timeout`` the
peer is taken for dead and the connection is reconnected. Traffic counts as
liveness, so a busy connection is never pinged.

Writes have a deadline too: a peer that reads nothing for ``ping_timeout`` seconds
(20 s without one) while we write is dead, whether the write is a user's send or
the client thread's pong, ping or close frame. For wss:// the TLS layer is our own
(``_tls``), so that the reader thread and sending threads never share an SSL object
call.
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import mmap
import os
import socket
import ssl
import struct
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from ._client import Client, check_seconds
from ._state import ReadyState
from ._tls import Stream
from ._wsconnect import SSLOPT_KEYS, open_connection
from ._wsframes import (
    OP_BINARY,
    OP_CLOSE,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    Close,
    Control,
    Failure,
    FrameReader,
    Item,
    encode_frame,
)
from .backoff import Backoff
from .errors import ConnectionClosed, ProtocolError, PushError, SendBufferFull
from .message import Message, _build_message

__all__ = ["WSClient"]

#: Bytes asked of the socket per read: many small messages per system call.
_CHUNK = 256 * 1024
#: Read timeouts set with SO_RCVTIMEO keep the socket blocking, so that sends skip the
#: poll() a Python socket timeout adds to every call (3.5 -> 10 us per small send).
_RCVTIMEO = sys.platform.startswith("linux")
#: Longest a control frame (ping, pong, close) waits for another thread's send.
_CONTROL_WAIT = 5.0
#: Longest a write may make no progress when ``ping_timeout`` is None (Linux).
_WRITE_TIMEOUT = 20.0


class WSClient(Client["str | bytes"]):
    """A WebSocket client that reconnects, pings and buffers sends (see SPEC.md).

    Args:
        url: ``ws://`` or ``wss://`` URL.
        subprotocols: offered in ``Sec-WebSocket-Protocol``; the chosen one is
            ``client.subprotocol``.
        ping_interval: seconds of silence from the server before we ping; None or 0
            disables pings.
        ping_timeout: seconds to wait for any traffic after a ping before the
            connection is treated as dead; None or 0 waits forever. Also how long a
            write may make no progress before the server is taken for dead (20 s
            when None or 0).
        open_timeout: bound on TCP connect, TLS and the opening handshake together.
        max_message_size: a larger message closes the connection with 1009.
        event_key: JSON-object text messages with this key are dispatched under the
            key's value as event name.
        send_buffer: messages queued by ``send()`` while not open.
        sslopt: websocket-client style TLS options (``ca_certs``, ``cert_reqs``, ...).
        ssl_context: an ``ssl.SSLContext`` (wins over ``sslopt``).
        proxy: ``http://[user:pass@]host:port`` of an HTTP proxy (CONNECT tunnel).
        origin: the ``Origin`` header (websocket-client's default otherwise).
    """

    _logger = logging.getLogger("pushsdk.ws")
    _kind = "ws"

    def __init__(
        self,
        url: str,
        *,
        on_open: Callable[[WSClient], object] | None = None,
        on_message: Callable[[WSClient, Message[str | bytes]], object] | None = None,
        on_close: Callable[[WSClient, int | None, str], object] | None = None,
        on_error: Callable[[WSClient, PushError], object] | None = None,
        on_reconnect: Callable[[WSClient, int, float], object] | None = None,
        headers: dict[str, str] | None = None,
        reconnect: bool | Backoff = True,
        first_connect_timeout: float | None = 30.0,
        subprotocols: list[str] | None = None,
        ping_interval: float | None = 20.0,
        ping_timeout: float | None = 20.0,
        open_timeout: float = 10.0,
        max_message_size: int = 16 * 1024 * 1024,
        event_key: str | None = None,
        send_buffer: int = 1000,
        sslopt: Mapping[str, Any] | None = None,
        ssl_context: ssl.SSLContext | None = None,
        proxy: str | None = None,
        origin: str | None = None,
    ) -> None:
        _check_url("url", url, ("ws", "wss"))
        check_seconds("ping_interval", ping_interval)
        check_seconds("ping_timeout", ping_timeout)
        check_seconds("open_timeout", open_timeout, allow_none=False)
        _check_int("max_message_size", max_message_size, minimum=1)
        _check_int("send_buffer", send_buffer, minimum=0)
        if subprotocols is not None and (
            not isinstance(subprotocols, list | tuple)
            or not all(isinstance(p, str) for p in subprotocols)
        ):
            raise TypeError(f"subprotocols must be a list of str, got {subprotocols!r}")
        for name, value in (("event_key", event_key), ("origin", origin)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{name} must be a str, got {type(value).__name__}")
        if sslopt is not None and not set(sslopt) <= SSLOPT_KEYS:
            unknown = ", ".join(sorted(set(sslopt) - SSLOPT_KEYS))
            raise ValueError(f"sslopt has unknown keys: {unknown}")
        if ssl_context is not None and not isinstance(ssl_context, ssl.SSLContext):
            raise TypeError(f"ssl_context must be an ssl.SSLContext, got {ssl_context!r}")
        if proxy is not None:
            _check_url("proxy", proxy, ("http",))
        super().__init__(
            url,
            on_open=on_open,
            on_message=on_message,
            on_close=on_close,
            on_error=on_error,
            on_reconnect=on_reconnect,
            headers=headers,
            reconnect=reconnect,
            first_connect_timeout=first_connect_timeout,
        )
        self.subprotocols = list(subprotocols) if subprotocols else None
        self.ping_interval = ping_interval or None
        self.ping_timeout = ping_timeout or None
        self.open_timeout = open_timeout
        self.max_message_size = max_message_size
        self.event_key = event_key
        self.send_buffer = send_buffer
        self.sslopt = dict(sslopt) if sslopt else None
        self.ssl_context = ssl_context
        self.proxy = proxy
        self.origin = origin
        #: The subprotocol the server chose on the current (or last) connection.
        self.subprotocol: str | None = None

        self._send_lock = threading.Lock()
        self._buffer: collections.deque[tuple[int, bytes]] = collections.deque()
        self._live_sock: Stream | None = None  # the connection, for _interrupt
        self._sock: Stream | None = None  # writable while OPEN; None once broken
        self._close_sent = False
        #: Why we cut the connection, if we did: the reader stops at its next read.
        self._broken: str | None = None
        self._write_timeout = _WRITE_TIMEOUT  # set for each connection by _mark_open

    # -- sending (any thread) ----------------------------------------------------------

    def send(self, data: str | bytes) -> None:
        """Send ``data``: a text message for ``str``, binary for ``bytes``.

        While not open the message is queued (up to ``send_buffer``) and sent, in
        order, on the next open.

        It blocks while the socket buffers are full. If the server reads none of it
        for ``ping_timeout`` seconds (20 s when that is None), the server is taken
        for dead: the connection is cut and the message goes back to the head of
        the queue, for the next connection. (On Linux; elsewhere writes are bounded
        by the heartbeat's socket timeout.)

        Raises:
            TypeError: ``data`` is neither str nor bytes.
            SendBufferFull: not open and ``send_buffer`` messages are already queued.
            ConnectionClosed: the client is closing or closed for good, or (with
                ``reconnect=False``) the connection broke during this send.
        """
        if isinstance(data, str):
            opcode, payload = OP_TEXT, data.encode()
        elif isinstance(data, bytes | bytearray | memoryview):
            opcode, payload = OP_BINARY, bytes(data)
        else:
            raise TypeError(f"data must be str or bytes, got {type(data).__name__}")
        with self._send_lock:
            if self._closing.is_set() or self._finished.is_set():
                raise ConnectionClosed("the client is closed")
            buffer = self._buffer
            sock = self._sock
            if sock is not None and not buffer and self._state is ReadyState.OPEN:
                if not self._write_message(sock, opcode, payload) and self._backoff is None:
                    buffer.popleft()  # no reconnect will send it: say so
                    raise ConnectionClosed("the connection broke while sending")
                return
            if len(buffer) >= self.send_buffer:
                raise SendBufferFull(f"{len(buffer)} messages already wait (send_buffer)")
            buffer.append((opcode, payload))

    def send_json(self, obj: Any) -> None:
        """Send ``obj`` as a JSON text message (see ``send``)."""
        self.send(json.dumps(obj))

    def _write_message(self, sock: Stream, opcode: int, payload: bytes) -> bool:
        """Write one message (send lock held); on failure queue it first and cut the socket."""
        try:
            sock.sendall(encode_frame(opcode, payload, os.urandom(4)))
        except OSError as exc:
            self._logger.info("send failed, kept for the next connection: %s", exc)
            self._buffer.appendleft((opcode, payload))
            self._cut(sock, _write_failure(exc))
            return False
        self._messages_out += 1
        self._bytes_out += len(payload)
        return True

    def _write_control(
        self, opcode: int, payload: bytes, wait: float = _CONTROL_WAIT, *, quick: bool = False
    ) -> None:
        """Send a control frame if the connection is writable; errors end it.

        A send stuck for ``wait`` seconds (a peer that stopped reading) holds the send
        lock: the connection is then cut, which unblocks it, rather than hanging.
        ``quick`` also bounds the write itself by ``wait`` (for ``close()``).
        """
        if not self._send_lock.acquire(timeout=wait):
            self._logger.info("a send is stuck: cutting the connection")
            self._interrupt()
            return
        try:
            sock = self._sock
            if sock is None:
                return
            try:
                if quick:
                    _set_write_timeout(sock, min(wait, self._write_timeout))
                sock.sendall(encode_frame(opcode, payload, os.urandom(4)))
                if quick:
                    _set_write_timeout(sock, self._write_timeout)
            except OSError as exc:
                self._logger.debug("control frame not sent: %s", exc)
                self._cut(sock, _write_failure(exc))
            if opcode == OP_CLOSE:
                self._close_sent = True
        finally:
            self._send_lock.release()

    def _cut(self, sock: Stream, reason: str) -> None:
        """End a connection a write failed on (send lock held): the reader stops too."""
        self._sock = None
        self._broken = reason
        _shutdown(sock)

    # -- transport hooks ---------------------------------------------------------------

    def _connect(self) -> None:
        self._close_sent = False
        self._broken = None
        try:
            sock, self.subprotocol = open_connection(
                self.url,
                headers=self.headers,
                subprotocols=self.subprotocols,
                origin=self.origin,
                proxy=self.proxy,
                ssl_context=self.ssl_context,
                sslopt=self.sslopt,
                timeout=self.open_timeout,
                register=self._register,
                interrupted=self._closing.is_set,
            )
        except BaseException:
            self._release()
            raise
        self._register(sock)

    def _register(self, sock: Stream) -> None:
        """Remember the socket being connected, so that ``_interrupt`` can cut it."""
        self._live_sock = sock
        if self._closing.is_set():
            _shutdown(sock)

    def _mark_open(self) -> None:
        with self._send_lock:
            sock = self._live_sock
            self._write_timeout = self.ping_timeout or _WRITE_TIMEOUT
            if sock is not None:  # end the handshake's deadline: a flush may take long
                _set_read_timeout(sock, self.ping_interval)
                _set_write_timeout(sock, self._write_timeout)
            self._sock = sock
            buffer = self._buffer
            while buffer and sock is not None:
                opcode, payload = buffer.popleft()
                if not self._write_message(sock, opcode, payload):
                    break
            self._set_state(ReadyState.OPEN)

    def _interrupt(self) -> None:
        sock = self._live_sock
        if sock is not None:
            self._broken = "the connection was cut by close() or a stuck send"
            _shutdown(sock)

    def _start_closing(self, code: int, reason: str) -> None:
        payload = code.to_bytes(2, "big") + reason.encode()
        self._write_control(OP_CLOSE, payload, wait=1.0, quick=True)
        if not self._close_sent:
            self._interrupt()

    def _release(self) -> None:
        with self._send_lock:
            self._sock = None
            sock, self._live_sock = self._live_sock, None
        if sock is not None:
            sock.close()

    def _receive(self) -> tuple[int | None, str]:
        sock = self._live_sock
        if sock is None:
            raise ConnectionClosed("connection closed before it could be read")
        interval = self.ping_interval  # the read timeout _mark_open set
        reader = FrameReader(self.max_message_size)
        feed = reader.feed
        feed_payload = reader.feed_payload
        # Anonymous memory: its pages cost RSS only once data has been read into them,
        # so an idle connection does not pay for a buffer sized for bursts.
        buffer = mmap.mmap(-1, _CHUNK)
        view = memoryview(buffer)
        recv_into = sock.recv_into
        deliver = self._deliver
        build = _build_message
        url = self.url
        now = time.time
        route = self._route if self.event_key is not None else None
        pinged = False
        while True:
            # While a frame's payload is arriving, read only that payload: the reader then
            # decodes (text) or copies (binary) it straight out of ``buffer``.
            left = reader.payload_left
            try:
                count = recv_into(buffer, left if left < _CHUNK else _CHUNK)
            except (TimeoutError, BlockingIOError):  # BlockingIOError: SO_RCVTIMEO expired
                if pinged and self.ping_timeout is not None:
                    raise ConnectionClosed(
                        f"no traffic within ping_timeout={self.ping_timeout} s after a ping"
                    ) from None
                self._write_control(OP_PING, b"")
                pinged = True
                _set_read_timeout(sock, self.ping_timeout or interval)
                continue
            except OSError as exc:
                raise ConnectionClosed(self._broken or f"connection lost: {exc}") from exc
            if not count or self._broken is not None:
                raise ConnectionClosed(self._broken or "connection dropped without a close frame")
            if pinged:
                pinged = False
                _set_read_timeout(sock, interval)
            items = feed_payload(view[:count]) if left else feed(view[:count].tobytes())
            for item in items:
                if type(item) is str:
                    event = "message" if route is None else route(item)
                    deliver(build(item, event, None, url, now()))
                elif type(item) is bytes:
                    deliver(build(item, "message", None, url, now()))
                else:
                    self._bytes_in += reader.data_bytes
                    reader.data_bytes = 0
                    ended = self._control(item)
                    if ended is not None:
                        return ended
            self._bytes_in += reader.data_bytes
            reader.data_bytes = 0

    def _control(self, item: Item) -> tuple[int | None, str] | None:
        """Handle a control frame or a failure; return (code, reason) when it ends."""
        if isinstance(item, Control):
            if item.opcode == OP_PING:
                self._write_control(OP_PONG, item.payload)
            return None
        if isinstance(item, Close):
            if not self._close_sent:  # echo the server's code (RFC 6455 5.5.1)
                payload = b"" if item.code is None else item.code.to_bytes(2, "big")
                self._write_control(OP_CLOSE, payload)
            return (1005 if item.code is None else item.code), item.reason
        assert isinstance(item, Failure)
        self._write_control(OP_CLOSE, item.code.to_bytes(2, "big") + item.reason.encode()[:123])
        raise ProtocolError(item.reason, close_code=item.code)

    def _route(self, text: str) -> str:
        """The event name of a text message under ``event_key`` routing."""
        if text[:1] != "{":
            return "message"
        try:
            value = json.loads(text)
        except ValueError:
            return "message"
        if isinstance(value, dict) and self.event_key in value:
            return str(value[self.event_key])
        return "message"


def _set_read_timeout(sock: Stream, seconds: float | None) -> None:
    """Make reads (only) time out after ``seconds``; None waits forever."""
    if not _RCVTIMEO:
        sock.settimeout(seconds)
        return
    sock.settimeout(None)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _timeval(seconds))


def _set_write_timeout(sock: Stream, seconds: float) -> None:
    """Make a write fail once it made no progress for ``seconds`` (kept blocking: no poll)."""
    if _RCVTIMEO:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, _timeval(seconds))


def _timeval(seconds: float | None) -> bytes:
    """``seconds`` as a ``struct timeval``; None or 0 is no timeout."""
    whole = int(seconds or 0)
    micros = int(((seconds or 0) - whole) * 1_000_000)
    if seconds and not whole and not micros:
        micros = 1  # a tiny timeout must not mean "no timeout"
    return struct.pack("ll", whole, micros)


def _write_failure(exc: OSError) -> str:
    """Why a write failed, as ConnectionClosed reports it."""
    if isinstance(exc, BlockingIOError | TimeoutError):  # SO_SNDTIMEO expired
        return "the server stopped reading: a write made no progress before its deadline"
    return f"connection lost while writing: {exc}"


def _shutdown(sock: Stream) -> None:
    """Cut the connection so that any blocked read or write returns at once."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _check_url(name: str, url: str, schemes: tuple[str, ...]) -> None:
    if not isinstance(url, str):
        raise TypeError(f"{name} must be a str, got {type(url).__name__}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ValueError(f"{name} is not a valid URL: {exc}") from None
    if parts.scheme not in schemes or not parts.hostname:
        wanted = " or ".join(f"{s}://" for s in schemes)
        raise ValueError(f"{name} must be a {wanted} URL with a host, got {url!r}")


def _check_int(name: str, value: int, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
