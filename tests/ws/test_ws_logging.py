"""WSClient logs its connection attempts at DEBUG, as SSEClient does (issue 11 item 8)."""

from __future__ import annotations

import logging

import pytest

from pushsdk import WSClient
from tests.servers.ws_server import WSServer
from tests.ws.recorder import WAIT


def test_connecting_is_logged_at_debug_without_the_query(
    ws_server: WSServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="pushsdk.ws")
    url = ws_server.url.split("?")[0]
    with WSClient(url + "?token=s3cret", reconnect=False) as client:
        assert client.wait_open(WAIT)
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert f"connecting: {url}?<redacted>" in lines, lines
    assert not any("s3cret" in r.getMessage() for r in caplog.records)
