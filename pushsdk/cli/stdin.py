"""Reading stdin on a thread of its own, to send it over the WebSocket.

The file descriptor is read with ``os.read`` (no buffered ``sys.stdin``, whose
lock a blocked daemon thread would hold at interpreter exit), and on POSIX the
thread waits in ``select`` on stdin and a pipe of ours, so that ``stop()`` ends
it at once and no thread outlives the run.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import threading
from collections.abc import Callable

from .._signals import start_without_signals

__all__ = ["StdinReader", "should_read_stdin"]

_READ_SIZE = 64 * 1024


def should_read_stdin(fd: int = 0) -> bool:
    """Whether stdin is open and ours to read (not a terminal we are in the background of)."""
    try:
        os.fstat(fd)
    except OSError:
        return False
    if os.isatty(fd) and hasattr(os, "tcgetpgrp"):
        with contextlib.suppress(OSError):  # reading from the background would stop us
            return os.tcgetpgrp(fd) == os.getpgrp()
    return True


class StdinReader:
    """Calls ``send`` with each line of stdin (text), or each read (``binary``).

    ``send`` runs on the reader thread; ``on_eof`` once stdin ends.
    """

    def __init__(
        self,
        send: Callable[[str | bytes], None],
        *,
        binary: bool = False,
        fd: int = 0,
        on_eof: Callable[[], None] | None = None,
    ) -> None:
        self._send = send
        self._binary = binary
        self._fd = fd
        self._on_eof = on_eof
        self._stopping = threading.Event()
        self._wake_r, self._wake_w = os.pipe() if sys.platform != "win32" else (-1, -1)
        self._thread = threading.Thread(target=self._run, name="pushsdk-cli-stdin", daemon=True)

    def start(self) -> None:
        start_without_signals(self._thread)

    def stop(self, timeout: float = 1.0) -> None:
        """End the thread (on POSIX at once; elsewhere it ends with the process)."""
        self._stopping.set()
        if self._wake_w >= 0:
            with contextlib.suppress(OSError):
                os.write(self._wake_w, b"x")
        if self._thread.is_alive() and self._wake_w >= 0:
            self._thread.join(timeout)
        if not self._thread.is_alive():
            for fd in (self._wake_r, self._wake_w):
                if fd >= 0:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self._wake_r = self._wake_w = -1

    def _read(self) -> bytes | None:
        """The next bytes of stdin, b"" at its end, None when stopped."""
        if self._wake_r >= 0:
            ready, _, _ = select.select([self._fd, self._wake_r], [], [])
            if self._wake_r in ready or self._stopping.is_set():
                return None
        try:
            return os.read(self._fd, _READ_SIZE)
        except OSError:
            return b""

    def _run(self) -> None:
        pending = b""
        while not self._stopping.is_set():
            chunk = self._read()
            if chunk is None:
                return
            if not chunk:
                if pending and not self._binary:
                    self._send(_line(pending))
                if self._on_eof is not None:
                    self._on_eof()
                return
            if self._binary:
                self._send(chunk)
                continue
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                self._send(_line(line))


def _line(raw: bytes) -> str:
    return raw.removesuffix(b"\r").decode("utf-8", "replace")
