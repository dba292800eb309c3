"""A TCP fault-injection proxy for loopback tests.

``FaultProxy`` listens on 127.0.0.1 (port 0), forwards every accepted connection
to an upstream ``(host, port)`` and, on command or on a seeded plan, breaks it the
ways real networks do: an abrupt cut (FIN, or RST through ``SO_LINGER`` 0), a
stall (sockets stay open, nothing is forwarded), a slow drip, a truncation (N
more bytes, then a cut, so frames and events end half-sent) and a refusal of new
connections. One thread runs everything on a selector, so a fault lands at an
exact byte boundary and ``stop()`` ends every socket and the thread.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time
from collections.abc import Callable
from typing import Literal

from tests.faults.conn import CHUNK, Conn, Pipe, abort, close_fin
from tests.faults.faults import Cut, Direction, Fault, Plan, periodic_cuts, seeded_cuts

__all__ = ["Fault", "FaultProxy", "Plan", "periodic_cuts", "seeded_cuts"]

_COMMAND_TIMEOUT = 5.0
_STOP_TIMEOUT = 5.0


class FaultProxy:
    """Forward loopback TCP connections to ``upstream`` and break them on demand.

    Use as a context manager, or call ``start()`` and ``stop()``. Commands act on the
    connections open at the time and return once applied; ``plan`` picks a fault for
    each new connection.

    Attributes:
        connections: TCP connections accepted so far (refused ones included).
        refused: connections accepted only to be reset during ``refuse(how="rst")``.
        accept_times: ``time.monotonic()`` of every accepted connection.
    """

    def __init__(
        self,
        upstream: tuple[str, int],
        *,
        plan: Plan | None = None,
        lifetime: float = 300.0,
    ) -> None:
        self.upstream = upstream
        self.plan = plan
        self.lifetime = lifetime
        self.connections = 0
        self.refused = 0
        self.accept_times: list[float] = []
        self._conns: list[Conn] = []
        self._forwarded = 0
        self._changed = threading.Condition()
        self._commands: list[tuple[Callable[[], None], threading.Event]] = []
        self._commands_lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._listener: socket.socket | None = None
        self._port = 0
        self._refuse_until: float | None = None
        self._refuse_how: Literal["rst", "close"] = "rst"
        self._registered: dict[socket.socket, int] = {}

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> FaultProxy:
        """Listen on a free loopback port and start forwarding."""
        if self._thread is not None:
            raise RuntimeError("proxy already started")
        self._listener = self._listen(0)
        self._port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._loop, name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close every socket and end the thread (within a few seconds at most)."""
        self._stopping.set()
        self._wake()
        thread = self._thread
        if thread is not None:
            thread.join(_STOP_TIMEOUT)
            if thread.is_alive():
                raise RuntimeError("fault proxy thread did not stop")
        self._wake_r.close()
        self._wake_w.close()
        self._selector.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self._port)

    def url(self, scheme: str, path: str = "/") -> str:
        """The proxy's URL with ``scheme`` and ``path``, e.g. ``url("ws", "/echo")``."""
        return f"{scheme}://127.0.0.1:{self._port}{path}"

    @property
    def active(self) -> int:
        """Connections currently being forwarded."""
        with self._changed:
            return len(self._conns)

    @property
    def forwarded(self) -> int:
        """Connections that reached upstream (``connections`` minus refused and failed)."""
        with self._changed:
            return self._forwarded

    def wait_connections(self, count: int, timeout: float = 5.0) -> bool:
        """Block until ``count`` connections have been accepted in total."""
        with self._changed:
            return self._changed.wait_for(lambda: self.connections >= count, timeout)

    def wait_active(self, count: int, timeout: float = 5.0) -> bool:
        """Block until exactly ``count`` connections are being forwarded."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._conns) == count, timeout)

    # -- commands (any thread) ----------------------------------------------------------

    def cut(self, how: Cut = "fin") -> int:
        """Cut every open connection both ways at once; return how many were cut."""
        result: list[int] = []

        def command() -> None:
            conns = list(self._conns)
            for conn in conns:
                self._close(conn, how)
            result.append(len(conns))

        self._run(command)
        return result[0]

    def stall(self) -> None:
        """Stop forwarding on every open connection; the sockets stay open."""
        self._run(lambda: self._each(lambda conn: setattr(conn, "stalled", True)))

    def resume(self) -> None:
        """Undo ``stall()`` and ``drip()`` on every open connection."""

        def resume(conn: Conn) -> None:
            conn.stalled = False
            conn.down.drip = conn.up.drip = None

        self._run(lambda: self._each(resume))

    def drip(self, nbytes: int = 1, interval: float = 0.01, direction: Direction = "down") -> None:
        """Forward only ``nbytes`` every ``interval`` seconds on every open connection.

        A stalled connection starts dripping.
        """
        self._run(
            lambda: self._each(lambda conn: self._start_drip(conn, direction, nbytes, interval))
        )

    def truncate(self, nbytes: int, how: Cut = "fin", direction: Direction = "down") -> None:
        """Let ``nbytes`` more bytes through on every open connection, then cut it."""
        fault = Fault(how, direction=direction)

        def arm(conn: Conn) -> None:
            conn.fault = fault
            conn.deadline = None
            pipe = conn.pipe(direction)
            pipe.budget = nbytes
            if nbytes == 0:
                self._fire(conn)

        self._run(lambda: self._each(arm))

    def refuse(self, seconds: float | None = None, how: Literal["rst", "close"] = "rst") -> None:
        """Refuse new connections for ``seconds`` (None: until ``allow()``).

        ``how="rst"`` accepts each one and resets it at once (attempts are counted);
        ``how="close"`` closes the listening socket, so connects fail with ECONNREFUSED.
        """

        def command() -> None:
            self._refuse_until = time.monotonic() + (seconds if seconds is not None else 1e9)
            self._refuse_how = how
            if how == "close" and self._listener is not None:
                self._unregister(self._listener)
                self._listener.close()
                self._listener = None

        self._run(command)

    def allow(self) -> None:
        """End a refusal now."""
        self._run(self._end_refusal)

    # -- the loop (proxy thread) --------------------------------------------------------------

    def _run(self, command: Callable[[], None]) -> None:
        if self._thread is None or not self._thread.is_alive():
            raise RuntimeError("proxy is not running")
        done = threading.Event()
        with self._commands_lock:
            self._commands.append((command, done))
        self._wake()
        if not done.wait(_COMMAND_TIMEOUT):
            raise TimeoutError("fault proxy did not apply the command")

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")

    def _each(self, action: Callable[[Conn], None]) -> None:
        for conn in list(self._conns):
            action(conn)

    def _loop(self) -> None:
        ends_at = time.monotonic() + self.lifetime
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        try:
            while not self._stopping.is_set() and time.monotonic() < ends_at:
                self._run_commands()
                now = time.monotonic()
                self._fire_due(now)
                if self._refuse_until is not None and now >= self._refuse_until:
                    self._end_refusal()
                self._update_interest(now)
                for key, mask in self._selector.select(self._timeout(now, ends_at)):
                    self._dispatch(key.fileobj, mask)  # type: ignore[arg-type]
        finally:
            for conn in list(self._conns):
                self._close(conn, "rst")
            if self._listener is not None:
                self._listener.close()
            self._run_commands()

    def _run_commands(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while self._wake_r.recv(4096):
                pass
        with self._commands_lock:
            commands, self._commands = self._commands, []
        for command, done in commands:
            try:
                if not self._stopping.is_set():
                    command()
            finally:
                done.set()

    def _timeout(self, now: float, ends_at: float) -> float:
        soonest = min(ends_at, now + 0.5)
        if self._refuse_until is not None:
            soonest = min(soonest, self._refuse_until)
        for conn in self._conns:
            if conn.deadline is not None:
                soonest = min(soonest, conn.deadline)
            for pipe in (conn.down, conn.up):
                if pipe.drip is not None and pipe.buf and not conn.stalled:
                    soonest = min(soonest, pipe.next_drip)
        return max(soonest - now, 0.0)

    def _update_interest(self, now: float) -> None:
        wanted: dict[socket.socket, int] = {}
        if self._listener is not None:
            wanted[self._listener] = selectors.EVENT_READ
        for conn in self._conns:
            for pipe in (conn.down, conn.up):
                wanted.setdefault(pipe.src, 0)
                wanted.setdefault(pipe.dst, 0)
                if pipe.wants_read():
                    wanted[pipe.src] |= selectors.EVENT_READ
                if pipe.wants_write(conn.stalled, now):
                    wanted[pipe.dst] |= selectors.EVENT_WRITE
        for sock in [s for s in self._registered if s not in wanted or not wanted[s]]:
            self._unregister(sock)
        for sock, mask in wanted.items():
            if not mask:
                continue
            old = self._registered.get(sock)
            if old is None:
                self._selector.register(sock, mask)
            elif old != mask:
                self._selector.modify(sock, mask)
            self._registered[sock] = mask

    def _unregister(self, sock: socket.socket) -> None:
        if self._registered.pop(sock, None) is not None:
            self._selector.unregister(sock)

    def _dispatch(self, sock: socket.socket, mask: int) -> None:
        if sock is self._wake_r:
            return
        if sock is self._listener:
            self._accept()
            return
        for conn in list(self._conns):
            for pipe in (conn.down, conn.up):
                if conn.closed:
                    break
                if mask & selectors.EVENT_READ and pipe.src is sock:
                    self._read(conn, pipe)
                if mask & selectors.EVENT_WRITE and pipe.dst is sock and not conn.closed:
                    self._write(conn, pipe)

    # -- connections ------------------------------------------------------------------------

    def _listen(self, port: int) -> socket.socket:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
        listener.setblocking(False)
        return listener

    def _end_refusal(self) -> None:
        self._refuse_until = None
        if self._listener is None and not self._stopping.is_set():
            self._listener = self._listen(self._port)

    def _accept(self) -> None:
        assert self._listener is not None
        try:
            client, _ = self._listener.accept()
        except BlockingIOError:
            return
        with self._changed:
            index = self.connections
            self.connections += 1
            self.accept_times.append(time.monotonic())
            self._changed.notify_all()
        if self._refuse_until is not None:
            self.refused += 1
            abort(client)
            return
        try:
            upstream = socket.create_connection(self.upstream, timeout=2.0)
        except OSError:
            abort(client)
            return
        for sock in (client, upstream):
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = Conn(index, client, upstream)
        with self._changed:
            self._conns.append(conn)
            self._forwarded += 1
            self._changed.notify_all()
        fault = self.plan(index) if self.plan is not None else None
        if fault is not None:
            self._arm(conn, fault)

    def _arm(self, conn: Conn, fault: Fault) -> None:
        conn.fault = fault
        if fault.after_seconds is not None:
            conn.deadline = time.monotonic() + fault.after_seconds
        elif fault.after_bytes is not None:
            conn.pipe(fault.direction).budget = fault.after_bytes
            if fault.after_bytes == 0:
                self._fire(conn)
        else:
            self._fire(conn)

    def _fire_due(self, now: float) -> None:
        for conn in list(self._conns):
            if conn.deadline is not None and now >= conn.deadline:
                conn.deadline = None
                self._fire(conn)

    def _fire(self, conn: Conn) -> None:
        """Apply the connection's armed fault now."""
        fault, conn.fault = conn.fault, None
        conn.down.budget = conn.up.budget = None
        if fault is None:
            return
        if fault.action in ("fin", "rst"):
            self._close(conn, fault.action)
        elif fault.action == "stall":
            conn.stalled = True
        else:
            self._start_drip(conn, fault.direction, fault.drip_bytes, fault.drip_interval)

    @staticmethod
    def _start_drip(conn: Conn, direction: Direction, nbytes: int, interval: float) -> None:
        conn.stalled = False
        pipe = conn.pipe(direction)
        pipe.drip = (nbytes, interval)
        pipe.next_drip = time.monotonic()

    def _read(self, conn: Conn, pipe: Pipe) -> None:
        try:
            data = pipe.src.recv(CHUNK)
        except BlockingIOError:
            return
        except OSError:
            self._close(conn, "rst")
            return
        if data:
            pipe.buf += data
            return
        pipe.eof = True
        if conn.stalled:
            self._close(conn, "fin")
        else:
            self._maybe_shut(conn, pipe)

    def _write(self, conn: Conn, pipe: Pipe) -> None:
        limit = len(pipe.buf)
        if pipe.budget is not None:
            limit = min(limit, pipe.budget)
        if pipe.drip is not None:
            limit = min(limit, pipe.drip[0])
            pipe.next_drip = time.monotonic() + pipe.drip[1]
        try:
            sent = pipe.dst.send(memoryview(pipe.buf)[:limit])
        except BlockingIOError:
            return
        except OSError:
            self._close(conn, "rst")
            return
        del pipe.buf[:sent]
        pipe.sent += sent
        if pipe.budget is not None:
            pipe.budget -= sent
            if pipe.budget == 0:
                self._fire(conn)
                return
        self._maybe_shut(conn, pipe)

    def _maybe_shut(self, conn: Conn, pipe: Pipe) -> None:
        """Pass a half-close on once everything read before it has been forwarded."""
        if not pipe.eof or pipe.buf or pipe.shut:
            return
        pipe.shut = True
        try:
            pipe.dst.shutdown(socket.SHUT_WR)
        except OSError:
            self._close(conn, "rst")
            return
        if conn.down.shut and conn.up.shut:
            self._close(conn, "fin")

    def _close(self, conn: Conn, how: Cut) -> None:
        if conn.closed:
            return
        conn.closed = True
        for sock in (conn.client, conn.down.src):
            self._unregister(sock)
            if how == "rst":
                abort(sock)
            else:
                close_fin(sock)
        with self._changed:
            self._conns.remove(conn)
            self._changed.notify_all()
