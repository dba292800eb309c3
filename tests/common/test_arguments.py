"""Bad arguments to the common API fail at once, naming the argument (SPEC: Errors)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pushsdk import SSEClient, WSClient
from tests.common.peers import KINDS, Peer

WRONG_SCHEME = {"ws": "http://127.0.0.1:1/", "sse": "ws://127.0.0.1:1/"}
CLIENTS: dict[str, Any] = {"ws": WSClient, "sse": SSEClient}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("url", ["wrong-scheme", "", "no scheme at all", "ftp://host/"])
def test_an_unusable_url_is_a_value_error_naming_url(kind: str, url: str) -> None:
    url = WRONG_SCHEME[kind] if url == "wrong-scheme" else url
    with pytest.raises(ValueError, match="url"):
        CLIENTS[kind](url)


@pytest.mark.parametrize("kind", KINDS)
def test_bad_common_constructor_arguments(kind: str) -> None:
    url = {"ws": "ws://127.0.0.1:1/", "sse": "http://127.0.0.1:1/"}[kind]
    cls = CLIENTS[kind]
    with pytest.raises(TypeError, match="reconnect"):
        cls(url, reconnect="yes")
    with pytest.raises(TypeError, match="headers"):
        cls(url, headers={"X-Count": 3})
    with pytest.raises(TypeError, match="url"):
        cls(b"ws://127.0.0.1:1/")


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda c: c.wait_open(-1), "timeout"),
        (lambda c: c.join(-0.5), "timeout"),
        (lambda c: c.messages(-1), "timeout"),
        (lambda c: c.close(timeout=-1), "timeout"),
        (lambda c: c.close(code=999), "code"),
        (lambda c: c.close(code=2000), "code"),
        (lambda c: c.close(reason="x" * 124), "reason"),
    ],
)
def test_bad_method_arguments_are_value_errors(
    peer: Peer, call: Callable[[Any], object], name: str
) -> None:
    client = peer.client()
    with pytest.raises(ValueError, match=name):
        call(client)
    assert peer.attempts == 0  # and nothing was started by the failed call
