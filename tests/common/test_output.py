"""What the SDK writes: log records with no secrets in them, and never a print."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from tests.common.peers import KINDS, Peer, Reject, Serve, free_port_url, messages
from tests.common.recorder import Recorder
from tests.ending import ended

WAIT = 5.0
SECRET_HEADERS = {"Authorization": "Bearer SECRET1", "X-Api-Key": "SECRET2", "Cookie": "c=SECRET3"}


HEADER_SECRETS = ("SECRET1", "SECRET2", "SECRET3")


def _with_token(url: str) -> str:
    return url.split("?", maxsplit=1)[0] + "?token=SECRET4"


def _text(record: logging.LogRecord) -> str:
    text = record.getMessage()
    if record.exc_info and record.exc_info[1] is not None:
        text += logging.Formatter().formatException(record.exc_info)
    return text


def _fail(*_args: object) -> None:
    raise RuntimeError("callback failed")


def test_logs_never_contain_secrets(
    peer: Peer, rec: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    peer.script(
        Serve(messages(2), end="drop"),  # connect, messages, a dropped connection
        Reject(503, {"Retry-After": "0"}, b"busy"),  # a retried handshake failure
        Serve(messages(1), end="close"),  # a clean close
        Reject(401, {"WWW-Authenticate": "Bearer"}, b"SECRET-free body"),  # final
    )
    client = rec.attach(peer.client(url=_with_token(peer.url), headers=SECRET_HEADERS))
    rec.then["message"] = _fail
    with caplog.at_level(logging.DEBUG):
        client.start()
        assert ended(client)
    assert rec.names() == [
        "open", "error", "error", "error", "close", "reconnect", "error", "reconnect",
        "open", "error", "close", "reconnect", "error", "close",
    ]  # fmt: skip
    assert peer.request_headers[0]["authorization"] == "Bearer SECRET1"  # they were sent
    ours = [r for r in caplog.records if r.name.startswith("pushsdk")]
    assert {r.name for r in ours} == {peer.logger}
    assert any(r.levelno == logging.DEBUG for r in ours) or peer.kind == "ws"
    leaks = [_text(r) for r in ours if "SECRET" in _text(r).replace("SECRET-free", "")]
    assert leaks == []
    # Libraries the client uses (urllib3, websocket-client) must not see header
    # secrets in their logs either. (urllib3 logs the request line at DEBUG, query
    # string included: a token in the URL reaches its logger, out of our hands.)
    client_side = [r for r in caplog.records if not r.name.startswith("websockets.server")]
    header_leaks = [_text(r) for r in client_side if any(s in _text(r) for s in HEADER_SECRETS)]
    assert header_leaks == []


def test_the_sdk_never_prints(
    peer: Peer, rec: Recorder, capsys: pytest.CaptureFixture[str]
) -> None:
    peer.script(Serve(messages(2), end="drop"), Reject(503), Serve(messages(1)))
    rec.then["message"] = _fail
    with rec.attach(peer.client()) as client:
        assert rec.wait(lambda r: r.count("open") == 2 and r.count("message") == 3)
    assert client.join(0)
    refused = peer.client(url=peer.refused_url, reconnect=False)
    refused.start()
    assert ended(refused)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_reaches_stderr_in_a_program_without_logging_setup(kind: str) -> None:
    """Python's last-resort handler prints WARNINGs of libraries that add no handler."""
    script = (
        "from pushsdk import Backoff, ConnectError, SSEClient, WSClient\n"
        f"client = {'WSClient' if kind == 'ws' else 'SSEClient'}({free_port_url(kind)!r},\n"
        "    reconnect=Backoff(initial=0.01, jitter=0, max_attempts=1))\n"
        "client.start()\n"
        "try:\n"
        "    client.join(5)\n"
        "except ConnectError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('join() did not raise the connect error')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")


def test_a_failed_connect_logs_no_secret_from_the_url(
    peer: Peer, rec: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    scheme, rest = peer.refused_url.split("://", 1)
    url = f"{scheme}://user:SECRET5@{rest}?token=SECRET4"
    client = rec.attach(peer.client(url=url, headers=SECRET_HEADERS, reconnect=False))
    with caplog.at_level(logging.DEBUG):
        client.start()
        assert ended(client)
    assert rec.names() == ["error", "close"]
    ours = [_text(r) for r in caplog.records if r.name.startswith("pushsdk")]
    assert ours and not [text for text in ours if "SECRET" in text]
    assert "SECRET" not in str(rec.errors()[0])


def test_connecting_is_logged_at_debug_and_the_reconnect_delay_at_info(
    peer: Peer, rec: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    peer.script(Serve(messages(1), end="drop"), Serve(messages(1, "n")))
    caplog.set_level(logging.DEBUG, logger=peer.logger)
    client = rec.attach(peer.client())
    client.start()
    assert rec.wait_count("open", 2)
    client.close()
    records = [r for r in caplog.records if r.name == peer.logger]
    connecting = [r for r in records if r.getMessage().startswith("connecting")]
    assert connecting and all(r.levelno == logging.DEBUG for r in connecting)
    delays = [r for r in records if r.getMessage().startswith("reconnecting in ")]
    assert [r.levelno for r in delays] == [logging.INFO]
    assert "0.02 s (attempt 1)" in delays[0].getMessage()
