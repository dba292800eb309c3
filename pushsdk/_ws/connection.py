"""One connection's life on WSClient's thread: open it, read it to its end, release it.

The transport hooks ``ClientLoop`` calls in turn on the client thread (``_connect``,
``_mark_open``, ``_receive``, ``_release``), apart from ws.py (the client's API and
sends) because ``receive`` is the per-message receive path: it hoists what its loop
uses into locals once per connection. The hooks other threads call to cut or close a
connection (``_interrupt``, ``_start_closing``) stay on the client.
"""

from __future__ import annotations

import json
import mmap
import time
from typing import TYPE_CHECKING

from .._net.proxy import proxy_for
from .._state import ReadyState
from ..errors import ConnectionClosed, ProtocolError
from ..message import _build_message
from .connect import open_connection
from .frames import FrameReader
from .items import OP_CLOSE, OP_PING, OP_PONG, Close, Control, Failure, Item
from .sockio import WRITE_TIMEOUT, set_read_timeout, set_write_timeout

if TYPE_CHECKING:
    from ..ws import WSClient

__all__ = ["SMALL_CHUNK", "connect", "mark_open", "receive", "release"]

#: Bytes asked of the socket per read: many small messages per system call.
_CHUNK = 256 * 1024
#: The first reads' buffer, until one fills it (see ``receive``).
SMALL_CHUNK = 1024


def connect(client: WSClient) -> None:
    """Open the client's next connection (``_connect``); a failed one is released."""
    client._writer.close_sent = False
    client._writer.broken = None
    client._logger.debug("connecting: %s", client._log_url)
    try:
        proxy = proxy_for(client.url, client.proxy)
        tls = client.url.startswith("wss:") or (proxy is not None and proxy.scheme == "https")
        sock, client.subprotocol, client._deflate = open_connection(
            client.url,
            headers=client._current_headers(),
            subprotocols=client.subprotocols,
            origin=client.origin,
            proxy=proxy,
            context=(client._tls_context or client._tls.context()) if tls else None,
            server_hostname=(client.sslopt or {}).get("server_hostname"),
            timeout=client.open_timeout,
            register=client._register,
            interrupted=client._is_closing,
            compression=client.compression is not None,
        )
    except BaseException:
        client._release()
        raise
    client._register(sock)
    # Each connection negotiates afresh: queued messages use this one's parameters.
    client.extension = None if client._deflate is None else str(client._deflate)
    client._writer.deflater = None if client._deflate is None else client._deflate.deflater()


def mark_open(client: WSClient) -> None:
    """Switch to OPEN (``_mark_open``), sending the queued messages first."""
    writer = client._writer
    with writer.lock:  # held until OPEN: a send meanwhile queues behind the flush
        sock = client._live_sock
        writer.write_timeout = client.ping_timeout or WRITE_TIMEOUT
        writer.sock = sock
        if sock is not None:  # end the handshake's deadline: a flush may take long
            set_read_timeout(sock, client.ping_interval)
            set_write_timeout(sock, writer.write_timeout)
            writer.flush_queue(sock)
        client._set_state(ReadyState.OPEN)


def release(client: WSClient) -> None:
    """Let the connection go (``_release``): what waits behind is written first."""
    with client._writer.lock:
        client._writer.sock = None
        sock, client._live_sock = client._live_sock, None
    if sock is not None:
        client._writer.finish(sock)
        sock.close()


def receive(client: WSClient) -> tuple[int | None, str]:
    """Read the connection until it ends (``_receive``), delivering its messages.

    Returns the close code and reason of a clean end; raises ConnectionClosed or
    ProtocolError otherwise.
    """
    sock = client._live_sock
    if sock is None:
        raise ConnectionClosed("connection closed before it could be read")
    interval = client.ping_interval  # the read timeout _mark_open set
    inflater = None if client._deflate is None else client._deflate.inflater()
    reader = FrameReader(client.max_message_size, inflater)
    feed = reader.feed
    feed_payload = reader.feed_payload
    # A quiet connection reads into a small buffer (the client's, reused by each
    # connection); the first read that fills it (a burst) moves it to a big one of
    # anonymous memory, whose pages cost RSS only once read into: an idle connection
    # pays for neither.
    buffer: bytearray | mmap.mmap = client._first
    view = memoryview(buffer)
    size = SMALL_CHUNK
    recv_into = sock.recv_into
    deliver = client._deliver
    build = _build_message
    url = client.url
    now = time.time
    route = _route if client.event_key is not None else None
    writer = client._writer
    pinged = False
    while True:
        # While a frame's payload is arriving, read only that payload: the reader then
        # decodes (text) or copies (binary) it straight out of ``buffer``.
        left = reader.payload_left
        try:
            count = recv_into(buffer, left if left < size else size)
        except (TimeoutError, BlockingIOError):  # BlockingIOError: SO_RCVTIMEO expired
            if pinged and client.ping_timeout is not None:
                raise ConnectionClosed(
                    f"no traffic within ping_timeout={client.ping_timeout} s after a ping"
                ) from None
            client._write_control(OP_PING, b"")
            pinged = True
            set_read_timeout(sock, client.ping_timeout or interval)
            continue
        except OSError as exc:
            raise ConnectionClosed(writer.broken or f"connection lost: {exc}") from exc
        if not count or writer.broken is not None:
            raise ConnectionClosed(writer.broken or "connection dropped without a close frame")
        if pinged:
            pinged = False
            set_read_timeout(sock, interval)
        items = feed_payload(view[:count]) if left else feed(view[:count].tobytes())
        received = now()  # the messages of one read arrived together (as in SSEClient)
        for item in items:
            if type(item) is str:
                event = "message" if route is None else route(client, item)
                deliver(build(item, event, None, url, received))
            elif type(item) is bytes:
                deliver(build(item, "message", None, url, received))
            else:
                client._bytes_in += reader.data_bytes
                reader.data_bytes = 0
                client._wire_saved_in += reader.inflated_bytes
                reader.inflated_bytes = 0
                ended = _control(client, item)
                if ended is not None:
                    return ended
        client._bytes_in += reader.data_bytes
        reader.data_bytes = 0
        if reader.inflated_bytes:  # permessage-deflate: bytes the wire did not carry
            client._wire_saved_in += reader.inflated_bytes
            reader.inflated_bytes = 0
        if count == size < _CHUNK:
            buffer = mmap.mmap(-1, _CHUNK)
            view = memoryview(buffer)
            size = _CHUNK


def _control(client: WSClient, item: Item) -> tuple[int | None, str] | None:
    """Handle a control frame or a failure; return (code, reason) when it ends."""
    if isinstance(item, Control):
        if item.opcode == OP_PING:
            client._write_control(OP_PONG, item.payload)
        return None
    if isinstance(item, Close):
        if not client._writer.close_sent:  # echo the server's code (RFC 6455 5.5.1)
            payload = b"" if item.code is None else item.code.to_bytes(2, "big")
            client._write_control(OP_CLOSE, payload)
        return (1005 if item.code is None else item.code), item.reason
    assert isinstance(item, Failure)
    client._write_control(OP_CLOSE, item.code.to_bytes(2, "big") + item.reason.encode()[:123])
    raise ProtocolError(item.reason, close_code=item.code)


def _route(client: WSClient, text: str) -> str:
    """The event name of a text message under ``event_key`` routing."""
    if text[:1] != "{":
        return "message"
    try:  # hostile JSON: nested too deep for the parser or for str()
        value = json.loads(text)
        if isinstance(value, dict) and client.event_key in value:
            return str(value[client.event_key])
    except (ValueError, RecursionError):
        pass
    return "message"
