"""``PProxy``: the pproxy proxy server (HTTP, HTTPS, SOCKS4/5) in a subprocess on loopback.

One process serves several listeners; with ``-v`` it prints a line per tunnel
(``http 127.0.0.1:51074 -> localhost:41669``), which a reader thread keeps so that
tests can check which proxy carried a connection, and to which host name.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time

WAIT = 5.0
USER, PASSWORD = "user", "p@ss"
#: The password as it goes in a URL.
QUOTED = "p%40ss"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PProxy:
    """pproxy with one listener per ``kinds`` entry: name -> pproxy listen URI template.

    ``url(name)`` is the proxy URL a client uses (``auth=True`` adds the credentials).
    """

    def __init__(self, listeners: dict[str, str], ssl_file: str | None = None) -> None:
        self.ports = {name: free_port() for name in listeners}
        command = [sys.executable, "-m", "pproxy", "-v", "--auth", "0"]
        for name, template in listeners.items():
            command += ["-l", template.format(port=self.ports[name])]
        if ssl_file is not None:
            command += ["--ssl", ssl_file]
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self._reader = threading.Thread(target=self._read, name="pproxy-log", daemon=True)
        self._reader.start()
        deadline = time.monotonic() + WAIT
        for port in self.ports.values():
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), WAIT).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or self._process.poll() is not None:
                        self.stop()
                        raise RuntimeError(f"pproxy did not start: {self.lines}") from None
                    time.sleep(0.02)

    def url(self, name: str, scheme: str, *, auth: bool = False, password: str = QUOTED) -> str:
        credentials = f"{USER}:{password}@" if auth else ""
        return f"{scheme}://{credentials}127.0.0.1:{self.ports[name]}"

    def mark(self) -> int:
        """Where the log is now: ``wait_tunnel`` looks only at later lines."""
        with self._changed:
            return len(self.lines)

    def wait_tunnel(self, target: str, since: int = 0, timeout: float = WAIT) -> str:
        """The first log line since ``since`` with a tunnel to ``target`` (host:port)."""

        def found() -> str | None:
            return next((x for x in self.lines[since:] if x.endswith(f"-> {target}")), None)

        with self._changed:
            self._changed.wait_for(lambda: found() is not None, timeout)
            line = found()
        assert line is not None, f"no tunnel to {target} in {self.lines[since:]}"
        return line

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            with self._changed:
                self.lines.append(line.strip())
                self._changed.notify_all()

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(WAIT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(WAIT)
        self._reader.join(WAIT)
        with contextlib.suppress(OSError):
            if self._process.stdout is not None:
                self._process.stdout.close()
