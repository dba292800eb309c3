"""TLS the sans-I/O way: one ``ssl.SSLObject`` between two memory BIOs, I/O outside.

``ssl.SSLSocket`` drives its SSL object from whichever thread reads or writes, and a
socket timeout makes the socket non-blocking underneath: a reader thread and a
sending thread then run inside one OpenSSL object at once, which it is not made for,
and the connection breaks (issue 10, item 1). Here ``TLSSession`` only turns bytes
into bytes, each call under one lock held no longer than that call, and
``TLSStream`` does the socket I/O outside that lock:

- reading: bytes from the socket go into the incoming BIO, plaintext comes out
  straight into the caller's buffer;
- writing: plaintext goes in, and the records that come out of the outgoing BIO are
  written by one thread at a time, in the order they were pulled (records carry
  sequence numbers). Reading can produce records too (an alert, or a reply to a
  post-handshake message): the reader writes them, unless a writer is busy, who then
  writes them after its own. The reader never waits for a writer, so it keeps reading
  while a send is blocked on a peer that is itself waiting for us to read.
"""

from __future__ import annotations

import contextlib
import mmap
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["NOWAIT", "Stream", "TLSSession", "TLSStream", "send_now", "start_tls", "write_counted"]

#: Bytes asked of the socket per read (the mmap costs memory only once used).
_RAW_CHUNK = 256 * 1024
#: Plaintext encrypted per write, a record (TLS's maximum): a write that fails knows
#: which records went out, and a big message's records are never all in memory.
_RECORD = 16 * 1024
#: The flag of a write that must not wait, where connections stay blocking sockets
#: (Linux: their timeouts are SO_RCVTIMEO/SO_SNDTIMEO); 0 elsewhere, where writes wait.
NOWAIT = getattr(socket, "MSG_DONTWAIT", 0) if sys.platform.startswith("linux") else 0


class TLSSession:
    """A client SSL object and its two memory BIOs: bytes in, bytes out, no I/O.

    Every method holds the session's lock for one SSL object call, so threads may
    share a session. ``has_output`` says whether records wait to be ``pull()``-ed.
    """

    __slots__ = ("_ended", "_incoming", "_lock", "_object", "_outgoing", "has_output")

    def __init__(self, context: ssl.SSLContext, server_hostname: str | None) -> None:
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self._object = context.wrap_bio(
            self._incoming, self._outgoing, server_hostname=server_hostname
        )
        self._lock = threading.Lock()
        self._ended = False
        self.has_output = False

    def handshake(self) -> bool:
        """Advance the handshake with what was received; True once it is complete.

        Raises:
            ssl.SSLError: the handshake failed (``ssl.SSLCertVerificationError`` for a
                certificate the context refuses).
        """
        with self._lock:
            try:
                self._object.do_handshake()
            except ssl.SSLWantReadError:
                return False
            finally:
                self.has_output = self._outgoing.pending > 0
            return True

    def receive(self, data: bytes | memoryview) -> None:
        """Add bytes read from the socket."""
        with self._lock:
            self._incoming.write(data)

    def receive_eof(self) -> None:
        """The socket reached its end: no more bytes will be received."""
        with self._lock:
            self._incoming.write_eof()

    def read_into(self, buffer: Any, nbytes: int) -> int:
        """Decrypt up to ``nbytes`` into ``buffer``: how many bytes, 0 at the end of the
        stream (close_notify or a bare EOF), -1 when more bytes must be received first.

        Fills the buffer from as many records as were received, so that the caller
        handles big chunks, but never waits for more. Once the incoming BIO is empty it
        stops without another ``read()``, whose SSLWantReadError would cost 1.6 us; a
        record OpenSSL already took from the BIO is returned by the next call.
        """
        with self._lock:
            if self._ended:
                return 0
            incoming, ssl_object = self._incoming, self._object
            # With a buffer, read() returns a count (typeshed says bytes).
            read: Callable[[int, Any], int] = ssl_object.read  # type: ignore[assignment]
            count = 0
            try:
                count = read(nbytes, buffer)
                while 0 < count < nbytes and (incoming.pending or ssl_object.pending()):
                    got = read(nbytes - count, memoryview(buffer)[count:])
                    if not got:
                        break
                    count += got
            except ssl.SSLWantReadError:
                if not count:
                    count = -1
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                self._ended = True  # what came before the end is returned first
            finally:
                self.has_output = self._outgoing.pending > 0
            return count

    def encrypt(self, data: bytes | bytearray | memoryview) -> bytes:
        """The records carrying ``data``, after any records not pulled yet.

        Raises:
            ssl.SSLError: the session failed, or the server began a TLS 1.2
                renegotiation (not supported while sending: the connection must end).
        """
        with self._lock:
            try:
                self._object.write(data)
            except ssl.SSLWantReadError:
                raise ssl.SSLError("the server renegotiated TLS during a send") from None
            finally:
                records = self._outgoing.read()
                self.has_output = False
            return records

    def peer_certificate(self) -> bytes | None:
        """The server's certificate (DER), once the handshake is done."""
        with self._lock:
            return self._object.getpeercert(binary_form=True)

    def pull(self) -> bytes:
        """The records waiting to be written (in order), and none after."""
        with self._lock:
            self.has_output = False
            return self._outgoing.read()


class TLSStream:
    """A TLS connection over a connected socket, with the socket's interface.

    What it runs over may itself be a ``TLSStream``: TLS to a server inside TLS to an
    ``https://`` proxy.

    One thread reads (``recv_into``) while others write (``sendall``, one at a time,
    as on a socket); the two never wait for each other. Timeouts, socket options,
    ``shutdown`` and ``close`` act on the socket underneath: a shutdown unblocks a
    blocked read or write at once. Timeouts bound each socket call, as on a socket.
    """

    def __init__(self, sock: socket.socket | TLSStream, session: TLSSession) -> None:
        self.sock = sock
        self._session = session
        #: Held while pulling records and writing them, so that they go out in order.
        self._write_lock = threading.Lock()
        #: Records a ``send_nowait`` could not write: every write begins with them.
        self._unsent = b""
        self._raw = mmap.mmap(-1, _RAW_CHUNK)
        self._raw_view = memoryview(self._raw)

    def handshake(self, deadline: float) -> None:
        """Run the TLS handshake, done by ``deadline`` (``time.monotonic()``).

        Raises:
            ssl.SSLError: the handshake failed.
            TimeoutError: the deadline passed.
            OSError: the socket failed.
        """
        session, sock = self._session, self.sock
        while True:
            try:
                done = session.handshake()
            except ssl.SSLError:
                with contextlib.suppress(OSError):  # the alert tells the server why
                    sock.sendall(session.pull())
                raise
            if session.has_output:
                sock.settimeout(_remaining(deadline))
                sock.sendall(session.pull())
            if done:
                return
            sock.settimeout(_remaining(deadline))
            self._receive()

    def peer_certificate(self) -> bytes | None:
        """The server's certificate (DER), as ``getpeercert(binary_form=True)``."""
        return self._session.peer_certificate()

    # -- reading (one thread) -----------------------------------------------------------

    def recv_into(self, buffer: Any, nbytes: int = 0) -> int:
        """Read up to ``nbytes`` of plaintext into ``buffer``; 0 at the end of the stream."""
        session = self._session
        nbytes = nbytes or len(buffer)
        while True:
            try:
                count = session.read_into(buffer, nbytes)
            except ssl.SSLError:
                with contextlib.suppress(OSError):  # the alert tells the server why
                    self._flush()
                raise
            if session.has_output:
                self._flush()
            if count >= 0:
                return count
            self._receive()

    def recv(self, bufsize: int) -> bytes:
        buffer = bytearray(bufsize)
        del buffer[self.recv_into(buffer, bufsize) :]
        return bytes(buffer)

    def _receive(self) -> None:
        """Move what the socket has (waiting for it) into the session."""
        count = self.sock.recv_into(self._raw)
        if count:
            self._session.receive(self._raw_view[:count])
        else:
            self._session.receive_eof()

    # -- writing (one thread at a time) -------------------------------------------------

    def sendall(self, data: bytes | bytearray | memoryview) -> None:
        """Encrypt and write all of ``data``; a failure leaves the stream unusable."""
        _, error = self.write_counted(data)
        if error is not None:
            raise error

    def send_nowait(self, data: bytes) -> bool:
        """Encrypt ``data`` and write what the socket takes now: False if some is kept.

        What the socket did not take is written first by the next ``sendall`` (TLS
        records must go out in order); an empty ``sendall`` writes just that.
        """
        sock = self.sock
        if isinstance(sock, TLSStream) or not NOWAIT:  # TLS inside TLS: wait instead
            self.sendall(data)
            return True
        with self._write_lock:
            records = self._session.encrypt(data)
            if self._unsent:
                records = self._take_unsent() + records
            left = send_now(sock, records)
            if left is not None:
                self._unsent = bytes(left)
        if self._session.has_output:
            self._flush()
        return left is None

    def write_counted(self, data: bytes | bytearray | memoryview) -> tuple[int, OSError | None]:
        """Write all of ``data``, waiting: how much of it surely went out, and why not all.

        Each record is written apart, so that a failure tells which plaintext the socket
        took whole: only the record being written is in doubt (counted as not written).
        -1: not even the records ``send_nowait`` kept went out.
        """
        view = memoryview(data)
        written = -1
        with self._write_lock:
            try:
                if self._unsent:
                    self.sock.sendall(self._take_unsent())
                written = 0
                encrypt, write = self._session.encrypt, self.sock.sendall
                while written < len(view):
                    write(encrypt(view[written : written + _RECORD]))
                    written = min(written + _RECORD, len(view))
            except OSError as exc:
                return written, exc
        try:
            if self._session.has_output:
                self._flush()
        except OSError as exc:
            return written, exc
        return written, None

    def _take_unsent(self) -> bytes:
        """The records ``send_nowait`` kept (write lock held), now the caller's to write."""
        unsent, self._unsent = self._unsent, b""
        return unsent

    def send(self, data: bytes) -> int:
        self.sendall(data)
        return len(data)

    def _flush(self) -> None:
        """Write the records a read produced, unless a writer is busy: it does after.

        A write timeout is raised as ConnectionAbortedError: from ``recv_into``, a
        TimeoutError or BlockingIOError would pass for a read timeout.
        """
        session = self._session
        while session.has_output:
            if not self._write_lock.acquire(blocking=False):
                return
            try:
                records = session.pull()
                if self._unsent:
                    records = self._take_unsent() + records
                if records:
                    self.sock.sendall(records)
            except (TimeoutError, BlockingIOError) as exc:
                raise ConnectionAbortedError(
                    "TLS records not written: the peer stopped reading"
                ) from exc
            finally:
                self._write_lock.release()

    # -- the socket underneath ----------------------------------------------------------

    def settimeout(self, timeout: float | None) -> None:
        self.sock.settimeout(timeout)

    def gettimeout(self) -> float | None:
        return self.sock.gettimeout()

    def setsockopt(self, level: int, option: int, value: int | bytes) -> None:
        self.sock.setsockopt(level, option, value)

    def fileno(self) -> int:
        return self.sock.fileno()

    def shutdown(self, how: int) -> None:
        self.sock.shutdown(how)

    def close(self) -> None:
        self.sock.close()


#: What a WebSocket connection reads and writes: a plain socket, or TLS over one.
Stream = socket.socket | TLSStream


def write_counted(sock: Stream, data: bytes | bytearray | memoryview) -> tuple[int, OSError | None]:
    """Write all of ``data``, waiting; how many bytes surely went out, and the error if any.

    A failed ``sendall`` cannot tell what it wrote; a client that requeues what did not
    go out (and never what did: no duplicates) needs to know. A TLS stream says -1 when
    even the records a ``send_nowait`` kept did not go out.
    """
    if isinstance(sock, TLSStream):
        return sock.write_counted(data)
    view = memoryview(data)
    written = 0
    try:
        while written < len(view):
            written += sock.send(view[written:])
    except OSError as exc:
        return written, exc
    return written, None


def send_now(sock: Stream, data: bytes) -> bytes | memoryview | None:
    """Write what ``sock`` takes without waiting: what is left to write, None if nothing.

    A TLS stream keeps what it could not write (its records, not ``data``): then the
    rest is empty, and the next ``sendall`` writes them. Where sockets have no such
    write (``NOWAIT`` is 0), this writes all of ``data``, waiting as ``sendall`` does.
    """
    if isinstance(sock, TLSStream):
        return None if sock.send_nowait(data) else b""
    if not NOWAIT:
        sock.sendall(data)
        return None
    try:
        sent = sock.send(data, NOWAIT)
    except BlockingIOError:
        return data
    return None if sent == len(data) else memoryview(data)[sent:]


def start_tls(
    sock: Stream, context: ssl.SSLContext, server_hostname: str, deadline: float
) -> TLSStream:
    """TLS over the connected ``sock``, its handshake done by ``deadline``.

    The context's verification, hostname check and SNI apply as with
    ``context.wrap_socket``.
    """
    stream = TLSStream(sock, TLSSession(context, server_hostname))
    stream.handshake(deadline)
    return stream


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("open_timeout expired")
    return left
