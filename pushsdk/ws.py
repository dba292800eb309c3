"""``WSClient``: a WebSocket (RFC 6455) client on websocket-client, with one thread.

websocket-client does the opening handshake, bounded by ``_ws.handshake``. Frames
are our own (``_ws.frames``): its ``ABNF`` masks at a third of our speed, and its
receive path reads each frame in several system calls and checks UTF-8 in pure
Python. Our reader thread (``_ws.connection``) reads big chunks and ``FrameReader``
turns them into messages, validating frames and UTF-8 strictly and fast, so that
protocol faults close the connection with the RFC's code (websocket-client always
sends 1000).

Heartbeat: the same thread drives pings with socket timeouts. After
``ping_interval`` seconds without any traffic from the server it sends a ping;
if nothing at all (pong or anything else) arrives within ``ping_timeout`` the
peer is taken for dead and the connection is reconnected. Traffic counts as
liveness, so a busy connection is never pinged.

Writes have a deadline too: a peer that reads nothing for ``ping_timeout`` seconds
(20 s without one) while we write is dead, whether the write is a user's send or
the client thread's pong, ping or close frame. For wss:// the TLS layer is our own
(``_net.tls``), so that the reader thread and sending threads never share an SSL object
call.
"""

from __future__ import annotations

import json
import logging
import ssl
from collections.abc import Callable, Mapping
from typing import Any

from ._checks import check_url
from ._client import Client, HeadersArg
from ._net.proxy import check_proxy
from ._net.tls import Stream
from ._net.tlsconfig import CertArg, TLSConfig, VerifyArg
from ._state import ReadyState
from ._ws.connection import SMALL_CHUNK, connect, mark_open, receive, release
from ._ws.deflate import Negotiated
from ._ws.items import OP_BINARY, OP_CLOSE, OP_TEXT
from ._ws.options import check_numbers, check_strings, check_tls
from ._ws.sockio import shutdown
from ._ws.writer import FAILED, SENT, Writer
from .backoff import Backoff
from .errors import ConnectionClosed, PushError, SendBufferFull
from .message import Message

__all__ = ["WSClient"]

_OPEN = ReadyState.OPEN
#: Longest a control frame (ping, pong, close) waits for another thread's send.
_CONTROL_WAIT = 5.0


class WSClient(Client["str | bytes"]):
    """A WebSocket (RFC 6455) client that reconnects, pings and buffers sends.

    Create it, then ``start()`` it (or use it in a ``with`` block, or call
    ``run_forever()`` to run in this thread). It connects in its own thread and
    keeps a connection open, reconnecting with backoff, until ``close()``.
    Messages go to ``on_message``, to the handlers registered with ``on()``, and
    to iterators (``for message in client``), in arrival order::

        from pushsdk import WSClient

        def on_message(client, message):
            handle(message.data)  # a Message: .data is str (text) or bytes (binary)

        with WSClient("wss://example.com/feed", on_message=on_message) as client:
            client.send("hello")  # queued until open, then sent
            client.join(60)

    Callbacks are all optional: pass them here or assign them later
    (``client.on_open = f``). Each receives the client first, runs on the
    client's thread, one at a time, and may call ``send()`` or ``close()``:

    ``on_open(client)``
        each time a connection opens: the first and every reconnect.
    ``on_message(client, message)``
        each message whose event name is ``"message"``; ``message`` is a
        ``Message``, not a str: the payload is ``message.data``.
        With ``event_key``, messages routed to another event name do NOT come
        here, even with no handler for that name: use ``client.on(name, handler)``
        or ``client.on("*", handler)``.
    ``on_close(client, code, reason)``
        each time an open connection ends, whoever ended it (``code``: the close
        code, 1006 when the connection dropped; ``reason``: a str), and once when
        the client ends for good with no connection open (code 1006). Always the
        last callback a client makes.
    ``on_error(client, error)``
        ``error`` is a ``PushError``: a failed connect, a protocol
        error, a dropped connection, or a ``CallbackError`` for an
        exception raised by one of your callbacks (the original is
        ``error.__cause__``; the client keeps running).
    ``on_reconnect(client, attempt, delay)``
        before waiting ``delay`` seconds for reconnect ``attempt`` (counting from
        1, restarted by each successful open).

    Across a drop: ``on_error`` (only if it failed; a server's close is not an
    error) -> ``on_close`` -> ``on_reconnect`` -> wait -> ``on_open``.

    Reconnects after network errors, a server close, a heartbeat timeout, a
    protocol error, and HTTP 5xx, 408 or 429 answers to the handshake (after
    ``Retry-After``). Ends for good, with ``on_error`` then ``on_close``, after
    ``close()``, any other handshake status (4xx ...), a TLS certificate failure,
    ``max_attempts`` spent, or ``first_connect_timeout`` spent before the first
    open. The error that ended it is ``last_error``, and iteration, ``join()``
    and ``wait_open()`` raise it (not after ``close()``).

    Args:
        url: a ``ws://`` or ``wss://`` URL.
        on_open: see the callbacks above.
        on_message: see the callbacks above.
        on_close: see the callbacks above.
        on_error: see the callbacks above.
        on_reconnect: see the callbacks above.
        headers: extra handshake headers (e.g. ``Authorization``), sent on every
            connection; their values are never logged. A function returning them is
            called for each attempt (fresh tokens; see ``retry()``).
        reconnect: ``True`` for the default ``Backoff``, ``False``
            to end at the first drop, or a ``Backoff`` for other delays and limits.
        first_connect_timeout: seconds a client that has never been open keeps
            retrying its first connection before it ends with the last connect
            error; None retries forever. Drops of an established connection are
            retried per ``reconnect``.
        subprotocols: offered in ``Sec-WebSocket-Protocol``; the server's choice is
            ``client.subprotocol``.
        ping_interval: seconds without traffic from the server before the client
            pings; None or 0 disables pings.
        ping_timeout: seconds to wait for any traffic after a ping before the
            connection is treated as dead and reconnected; None or 0 waits forever.
            Also how long a write may make no progress before the server is taken
            for dead (20 s when None or 0).
        open_timeout: deadline for TCP connect, proxy tunnel, TLS and the opening
            handshake together. The handshake response head is capped at 64 KiB and
            128 header lines: a larger one is a HandshakeError, not retried.
        max_message_size: the largest message accepted, in bytes; a larger one
            closes the connection with 1009 and reports a ProtocolError.
        event_key: route a text message that is a JSON object with this key to the
            handlers of the key's value (``{"type": "ping"}`` -> ``on("ping")``)
            instead of ``on_message``.
        send_buffer: how many messages ``send()`` queues while not open; past that
            it raises SendBufferFull.
        sslopt: websocket-client style TLS options (``ca_certs``, ``certfile``,
            ``keyfile``, ``cert_reqs``, ``check_hostname``, ...).
        ssl_context: an ``ssl.SSLContext`` for ``wss://`` (wins over ``sslopt``).
        proxy: None reads ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY``/``NO_PROXY`` at
            each connection, as requests does; False uses none; or a proxy URL:
            ``http://[user:pass@]host:port``, ``https://``, ``socks4://``,
            ``socks5://``, ``socks5h://`` (SOCKS: ``pushsdk[socks]``).
        origin: the ``Origin`` header (websocket-client's default otherwise).
        compression: ``"deflate"`` (the default) offers permessage-deflate (RFC 7692);
            None offers nothing. What the server agreed to is ``client.extension``.
        verify: True verifies with the CAs the environment names (``SSL_CERT_FILE``,
            ``REQUESTS_CA_BUNDLE``, ...) or the default store; a CA bundle path
            instead; False verifies nothing. The same on SSEClient.
        cert: a client certificate: a PEM path holding key and certificate, or a
            ``(cert, key)`` tuple of paths.
        key_password: the password of an encrypted ``cert`` key.
        truststore: verify with the operating system's trust store
            (``pushsdk[truststore]``).

    Attributes:
        url: the URL given.
        headers: the handshake headers.
        last_error: the last error reported to ``on_error`` (None if none yet).
        subprotocol: the subprotocol the server chose on the current or last
            connection.
        extension: the ``Sec-WebSocket-Extensions`` the server agreed to on the
            current or last connection ("" if none).
    """

    __slots__ = {
        "subprotocols": "The subprotocols offered (None: none).",
        "ping_interval": "Seconds without traffic before a ping (None: no pings).",
        "ping_timeout": "Seconds a ping waits for traffic before the connection is dead.",
        "open_timeout": "Deadline of TCP, proxy, TLS and the opening handshake together.",
        "max_message_size": "The largest message accepted, in bytes.",
        "event_key": "The JSON key that routes text messages to ``on()`` handlers.",
        "send_buffer": "How many messages ``send()`` queues while not open.",
        "sslopt": "websocket-client style TLS options.",
        "ssl_context": "The ``ssl.SSLContext`` for ``wss://``.",
        "proxy": "None (the environment's), False (none) or a proxy URL.",
        "verify": "True, a CA bundle path, or False.",
        "cert": "The client certificate, or None.",
        "truststore": "Whether the operating system's trust store verifies.",
        "origin": "The ``Origin`` header, or None for websocket-client's default.",
        "subprotocol": "The subprotocol the server chose on the current (or last) connection.",
        "compression": '``"deflate"`` (permessage-deflate offered) or None.',
        "extension": "The extension the server agreed to on the current (or last) connection.",
        **dict.fromkeys(
            (
                "_tls",
                "_tls_context",
                "_deflate",
                "_writer",
                "_live_sock",
                "_first",
            )
        ),
    }
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
        headers: HeadersArg | None = None,
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
        proxy: str | bool | None = None,
        origin: str | None = None,
        compression: str | None = "deflate",
        verify: VerifyArg = True,
        cert: CertArg | None = None,
        key_password: str | bytes | None = None,
        truststore: bool = False,
    ) -> None:
        check_url("url", url, ("ws", "wss"))
        check_numbers(ping_interval, ping_timeout, open_timeout, max_message_size, send_buffer)
        check_strings(subprotocols, event_key, origin, compression)
        tls_context = check_tls(
            sslopt, ssl_context, verify=verify, cert=cert, truststore=truststore
        )
        self._tls = TLSConfig(verify, cert, key_password, truststore)
        check_proxy(proxy)
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
        self._tls_context = tls_context  # built once: sslopt mistakes fail here, not later
        self.proxy = proxy
        self.verify = verify
        self.cert = cert
        self.truststore = truststore
        self.origin = origin
        #: The subprotocol the server chose on the current (or last) connection.
        self.subprotocol: str | None = None
        self.compression = compression
        #: The extension the server agreed to on the current (or last) connection, e.g.
        #: ``"permessage-deflate; server_no_context_takeover"``; None if none.
        self.extension: str | None = None
        self._deflate: Negotiated | None = None  # this connection's agreement
        self._writer = Writer()  # frames out, the send queue, the send lock
        self._writer.requeue = self._backoff is not None
        self._live_sock: Stream | None = None  # the connection, for _interrupt
        #: Each connection's first read buffer (see ``_ws.connection``). Made here, by the thread
        #: that makes the client, not by the client thread: a block the client thread
        #: allocates and keeps pins a page of its malloc arena (0.7 KiB a client in j).
        self._first = bytearray(SMALL_CHUNK)

    # -- sending (any thread) ----------------------------------------------------------

    def send(self, data: str | bytes) -> None:
        """Send ``data``: a text message for ``str``, binary for ``bytes``.

        While not open the message is queued (up to ``send_buffer``) and sent, in
        order, on the next open.

        It returns once the message is written, or, while the kernel's buffer is
        full, once it waits behind it (in 256 KiB of the client's own, written by a
        short-lived thread: a burst then costs few system calls); it blocks while
        that is full too. If the server reads nothing for ``ping_timeout`` seconds
        (20 s when that is None), the server is taken for dead: the connection is cut
        and the messages still waiting go back to the head of the queue, for the
        next connection. (On Linux; elsewhere each send writes its message, and
        writes are bounded by the heartbeat's socket timeout.)

        Raises:
            TypeError: ``data`` is neither str nor bytes.
            SendBufferFull: not open and ``send_buffer`` messages are already queued.
            ConnectionClosed: the client is closing or closed for good, or (with
                ``reconnect=False``) the connection broke during this send.
        """
        writer = self._writer
        sent = writer.try_send(data)  # open, with room: the fast path
        if sent == SENT:
            return
        if sent == 0:
            sent = self._send_slowly(data)
        if sent == FAILED:  # no reconnect will send it: say so
            raise ConnectionClosed("the connection broke while sending")

    def _send_slowly(self, data: str | bytes) -> int:
        """``send()`` when ``try_send`` declined: check ``data``, wait for room or queue."""
        writer = self._writer
        if isinstance(data, str):
            opcode, payload = OP_TEXT, data.encode()
        elif isinstance(data, bytes | bytearray | memoryview):
            opcode, payload = OP_BINARY, bytes(data)
        else:
            raise TypeError(f"data must be str or bytes, got {type(data).__name__}")
        with writer.lock:
            while True:
                queue = writer.queue
                sock = writer.sock
                # Open, nothing queued, and not closing (close() sets _muted before _closing;
                # a finished client has released its socket; after the close frame, the
                # message waits for the next connection).
                if (
                    sock is not None
                    and not self._muted
                    and not queue
                    and self._state is _OPEN
                    and not writer.close_sent
                ):
                    if writer.full():
                        writer.wait_for_room(sock)  # then look again: it may have closed
                        continue
                    return writer.send_open(sock, opcode, payload)
                if self._closing or self._finished:
                    raise ConnectionClosed("the client is closed")
                waiting = len(queue) if queue else 0
                if waiting >= self.send_buffer:
                    raise SendBufferFull(f"{waiting} messages already wait (send_buffer)")
                writer.queued().append((opcode, payload))
                return SENT

    def send_json(self, obj: Any) -> None:
        """Send ``obj`` as a JSON text message (see ``send``)."""
        self.send(json.dumps(obj))

    def _write_control(
        self, opcode: int, payload: bytes, wait: float = _CONTROL_WAIT, *, quick: bool = False
    ) -> None:
        """Send a control frame if writable (see ``Writer.write_control``)."""
        self._writer.write_control(opcode, payload, wait, self._interrupt, quick=quick)

    # -- transport hooks (the client thread's sequence is _ws.connection's) ---------------

    def _connect(self) -> None:
        connect(self)

    def _mark_open(self) -> None:
        mark_open(self)

    def _receive(self) -> tuple[int | None, str]:
        return receive(self)

    def _release(self) -> None:
        release(self)

    def _register(self, sock: Stream) -> None:
        """Remember the socket being connected, so that ``_interrupt`` can cut it."""
        self._live_sock = sock
        if self._closing:
            shutdown(sock)

    def _set_closing(self) -> None:
        self._writer.closing = True  # sends take the slow path, which refuses them
        super()._set_closing()

    def _interrupt(self) -> None:
        sock = self._live_sock
        if sock is not None:
            self._writer.broken = "the connection was cut by close() or a stuck send"
            shutdown(sock)

    def _start_closing(self, code: int, reason: str) -> None:
        payload = code.to_bytes(2, "big") + reason.encode()
        self._write_control(OP_CLOSE, payload, wait=1.0, quick=True)
        if not self._writer.close_sent:
            self._interrupt()

    def _sent(self) -> tuple[int, int, int]:
        writer = self._writer
        return writer.messages, writer.payload_bytes, writer.bytes_saved
