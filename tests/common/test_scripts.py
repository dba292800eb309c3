"""Small user programs in a subprocess: what a script that configured nothing sees.

A 401 ends ``for message in client`` with a traceback naming it; a failing callback
is shown on stderr once; Ctrl+C in ``run_forever()`` closes cleanly and re-raises.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from tests.common.peers import Peer, Reject, Serve, messages, tls_setup

TIMEOUT = 30.0


def _client_expr(peer: Peer, **extra: str) -> str:
    """Python source that builds a client for ``peer`` (trusting the test CA over TLS)."""
    options = dict(extra)
    if peer.tls:
        key = "sslopt" if peer.kind == "ws" else "verify"
        ca = repr(tls_setup()[1])
        options[key] = f"{{'ca_certs': {ca}}}" if peer.kind == "ws" else ca
    cls = "WSClient" if peer.kind == "ws" else "SSEClient"
    args = "".join(f", {name}={value}" for name, value in options.items())
    return f"{cls}({peer.url!r}{args})"


def _wait_until_blocked(pid: int, timeout: float = 10.0) -> None:
    """Return once the process's main thread sleeps in a system call (Linux; elsewhere
    at once). A signal sent before that can land in the instant between CPython's last
    check for signals and the blocking call, and then waits for that call to end: a
    person's Ctrl+C does not come within microseconds of the program's last output."""
    stat = f"/proc/{pid}/stat"
    if not os.path.exists(stat):
        return
    deadline = time.monotonic() + timeout
    asleep = 0
    while asleep < 2 and time.monotonic() < deadline:
        with open(stat) as file:
            state = file.read().rsplit(")", 1)[1].split()[0]
        asleep = asleep + 1 if state == "S" else 0
        time.sleep(0.02)


def _ctrl_c_after(source: str, first_line: str) -> tuple[int, str, str]:
    """Run ``source``; once it printed ``first_line`` and sleeps, press Ctrl+C.

    Returns its exit status and the rest of its stdout and its stderr.
    """
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == first_line
        _wait_until_blocked(process.pid)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=TIMEOUT)
    finally:
        process.kill()
        process.wait(TIMEOUT)
    return process.returncode, out, err


def _run(source: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(source)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_a_script_iterating_over_a_401_exits_non_zero_with_the_reason(peer: Peer) -> None:
    peer.script(Reject(401, body=b"bad token"))
    result = _run(
        f"""
        from pushsdk import SSEClient, WSClient
        with {_client_expr(peer)} as client:
            for message in client:
                print(message.data)
        """
    )
    assert result.returncode == 1
    assert "HandshakeError" in result.stderr and "401" in result.stderr
    assert result.stdout == ""


def test_a_failing_callback_is_shown_once_when_logging_is_not_configured(peer: Peer) -> None:
    peer.script(Serve(messages(3), end="close"))
    result = _run(
        f"""
        from pushsdk import SSEClient, WSClient
        def on_message(client, message):
            message.startswith("m")  # written for websocket-client, whose messages are str
        client = {_client_expr(peer, reconnect="False", on_message="on_message")}
        client.run_forever()
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("callback on_message raised AttributeError") == 1
    assert "message.data" in result.stderr
    assert "Traceback" in result.stderr


def test_no_stderr_notice_when_the_program_configured_logging(peer: Peer) -> None:
    peer.script(Serve(messages(1), end="close"))
    result = _run(
        f"""
        import logging
        logging.basicConfig(level=logging.CRITICAL)  # configured: the program decides
        from pushsdk import SSEClient, WSClient
        def on_message(client, message):
            raise ValueError("broken handler")
        client = {_client_expr(peer, reconnect="False", on_message="on_message")}
        client.run_forever()
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_ctrl_c_in_run_forever_closes_cleanly_and_re_raises(peer: Peer) -> None:
    peer.script(Serve(messages(1)))
    source = f"""
        import sys
        from pushsdk import SSEClient, WSClient
        def say(*words):
            print(*words, flush=True)
        client = {
        _client_expr(
            peer,
            on_open="lambda c: say('open')",
            on_error="lambda c, e: say('error', e)",
            on_close="lambda c, code, reason: say('close', code)",
        )
    }
        try:
            client.run_forever()
        except KeyboardInterrupt:
            say("KeyboardInterrupt", client.ready_state.name)
            sys.exit(130)
        """
    returncode, out, err = _ctrl_c_after(source, "open")
    code = "1000" if peer.kind == "ws" else "None"
    assert out.splitlines() == [f"close {code}", "KeyboardInterrupt CLOSED"]
    assert returncode == 130
    assert "Traceback" not in err and "crashed" not in err, err


def test_ctrl_c_stops_a_script_waiting_in_its_for_loop(peer: Peer) -> None:
    """The main thread waits on a lock inside the iterator: Ctrl+C still ends it at once,
    every time (the kernel may hand SIGINT to any thread that does not block it)."""
    runs = 3
    peer.script(*(Serve(messages(1)) for _ in range(runs)))
    source = f"""
        from pushsdk import SSEClient, WSClient
        with {_client_expr(peer)} as client:
            for message in client:
                print(message.data, flush=True)  # then wait: the server sends no more
        """
    for _ in range(runs):
        returncode, _, err = _ctrl_c_after(source, "m0")
        assert returncode == -signal.SIGINT, err  # how Python ends on Ctrl+C
        assert err.rstrip().endswith("KeyboardInterrupt"), err
