"""The command run in this process, so that the autouse fixture can check threads.

``main()`` is what the console script calls. Ctrl+C is a real SIGINT sent to
the main thread, stdin a real pipe.
"""

from __future__ import annotations

import functools
import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from pushsdk.cli import main, session
from tests.cli.harness import WAIT, close_code
from tests.servers.ws_server import WSServer


@pytest.fixture
def stdin_pipe(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """The command's stdin: the write end of a pipe it reads (never the test's own fd 0)."""
    read_end, write_end = os.pipe()
    monkeypatch.setattr(session, "should_read_stdin", lambda: True)
    monkeypatch.setattr(session, "StdinReader", functools.partial(session.StdinReader, fd=read_end))
    try:
        yield write_end
    finally:
        os.close(read_end)
        os.close(write_end)


def _cli_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("pushsdk-")]


def test_ctrl_c_leaves_no_thread(ws_server: WSServer, stdin_pipe: int) -> None:
    def interrupt_once_sent() -> None:
        os.write(stdin_pipe, b"ping\n")
        deadline = time.monotonic() + WAIT
        while "ping" not in ws_server.received and time.monotonic() < deadline:
            time.sleep(0.01)
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)  # Ctrl+C

    trigger = threading.Timer(0.0, interrupt_once_sent)
    trigger.start()
    try:
        assert main([ws_server.url]) == 130
    finally:
        trigger.join(WAIT)
    assert ws_server.received == ["ping"]
    assert _cli_threads() == []  # client, its watcher and the stdin reader all ended
    assert close_code(ws_server.connections[0]) == 1000


def test_a_count_run_leaves_no_thread(
    ws_server: WSServer, stdin_pipe: int, capsys: pytest.CaptureFixture[str]
) -> None:
    os.write(stdin_pipe, b"one\ntwo\n")
    assert main([ws_server.url, "--count", "2"]) == 0
    assert capsys.readouterr().out == "one\ntwo\n"
    assert _cli_threads() == []
