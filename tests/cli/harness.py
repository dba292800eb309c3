"""Running the real ``pushsdk`` command in a subprocess, with every wait bounded.

``Command`` starts ``python -m pushsdk ...`` with pipes; two reader threads move
its stdout and stderr lines into queues, so a test waits for a line with a
timeout instead of blocking on a pipe. Every process is killed at the end of the
test (the ``cli`` fixture), whatever happened.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import IO, Any

import pytest

__all__ = ["WAIT", "Command", "Commands", "cli", "close_code"]

#: Seconds a test waits for the command (generous: the machine is shared).
WAIT = 15.0


def close_code(connection: Any, timeout: float = WAIT) -> int | None:
    """The close code a websockets server connection ended with, once it has ended."""
    deadline = time.monotonic() + timeout
    while connection.close_code is None and time.monotonic() < deadline:
        time.sleep(0.01)
    code: int | None = connection.close_code
    return code


class Command:
    """One run of the command; ``lines`` and ``errors`` fill in as it writes."""

    def __init__(
        self,
        *args: str,
        stdin: bytes | None = None,
        keep_stdin_open: bool = False,
        module: str = "pushsdk",
    ) -> None:
        self.args = args
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdin=subprocess.PIPE if (stdin is not None or keep_stdin_open) else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "NO_COLOR": "", "PYTHONFAULTHANDLER": "1"},
        )
        self.lines: list[str] = []
        self.errors: list[str] = []
        self._out: queue.Queue[str | None] = queue.Queue()
        self._err: queue.Queue[str | None] = queue.Queue()
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self._readers = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self._out, self.lines)),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self._err, self.errors)),
        ]
        for reader in self._readers:
            reader.daemon = True
            reader.start()
        if stdin is not None:
            self.write(stdin)
            if not keep_stdin_open:
                self.close_stdin()

    @staticmethod
    def _pump(stream: IO[bytes], lines: queue.Queue[str | None], seen: list[str]) -> None:
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            seen.append(line)
            lines.put(line)
        lines.put(None)

    def write(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def close_stdin(self) -> None:
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()

    def line(self, timeout: float = WAIT) -> str:
        """The next stdout line."""
        return self._next(self._out, "stdout", timeout)

    def wait_line(self, predicate: Callable[[str], bool], timeout: float = WAIT) -> str:
        """The next stdout line that satisfies ``predicate`` (others are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.line(max(deadline - time.monotonic(), 0.01))
            if predicate(line):
                return line

    def wait_status(self, text: str, timeout: float = WAIT) -> str:
        """The next stderr line containing ``text``."""
        deadline = time.monotonic() + timeout
        while True:
            line = self._next(self._err, "stderr", max(deadline - time.monotonic(), 0.01))
            if text in line:
                return line

    def _next(self, lines: queue.Queue[str | None], name: str, timeout: float) -> str:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(
                f"no {name} line within {timeout:.1f} s; stdout={self.lines[-5:]} "
                f"stderr={self.errors[-5:]}"
            ) from None
        if line is None:
            lines.put(None)
            raise AssertionError(
                f"{name} ended (exit {self.proc.poll()}); stdout={self.lines[-5:]} "
                f"stderr={self.errors}"
            )
        return line

    def interrupt(self) -> None:
        """Ctrl+C."""
        self.proc.send_signal(signal.SIGINT)

    def wait(self, timeout: float = WAIT) -> int:
        """The exit status, once the process has ended and its output is read.

        A command still running after ``timeout`` is a hang: it is aborted, so that
        faulthandler (``PYTHONFAULTHANDLER``) writes every thread's stack to stderr,
        and the failure shows them.
        """
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGABRT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(WAIT)
            for reader in self._readers:
                reader.join(WAIT)
            raise AssertionError(
                f"the command still ran after {timeout:.0f} s; its threads:\n{self.stderr}"
            ) from None
        for reader in self._readers:
            reader.join(timeout)
        return code

    @property
    def stderr(self) -> str:
        return "\n".join(self.errors)

    def kill(self) -> None:
        self.close_stdin()
        if self.proc.poll() is None:
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(WAIT)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


class Commands:
    """Starts commands for one test and kills them all at its end."""

    def __init__(self) -> None:
        self.started: list[Command] = []

    def __call__(self, *args: str, **kwargs: object) -> Command:
        command = Command(*args, **kwargs)  # type: ignore[arg-type]
        self.started.append(command)
        return command

    def run(self, *args: str, timeout: float = WAIT, **kwargs: object) -> Command:
        """Start a command and wait for it to end."""
        command = self(*args, **kwargs)
        command.wait(timeout)
        return command

    def kill_all(self) -> None:
        for command in self.started:
            command.kill()


@pytest.fixture
def cli() -> Iterator[Commands]:
    """Run ``python -m pushsdk``; every process is killed when the test ends."""
    commands = Commands()
    try:
        yield commands
    finally:
        commands.kill_all()
