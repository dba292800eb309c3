"""A URL's port is checked in the constructor and named in words (``_checks.check_port``).

Before, ``ws://host:70000/`` failed with "url is not a valid URL: Port out of range
0-65535" and ``ws://host:0/`` got through, to fail on every connection attempt.
"""

from __future__ import annotations

from typing import Any

import pytest

from pushsdk import SSEClient, WSClient

CLIENTS: dict[str, tuple[Any, str]] = {"ws": (WSClient, "ws"), "sse": (SSEClient, "http")}


@pytest.mark.parametrize("kind", sorted(CLIENTS))
@pytest.mark.parametrize(
    ("authority", "message"),
    [
        ("127.0.0.1:70000", "url: port 70000 is out of range (1-65535)"),
        ("127.0.0.1:0", "url: port 0 is out of range (1-65535)"),
        ("[::1]:65536", "url: port 65536 is out of range (1-65535)"),
        ("user:pa:ss@host:99999", "url: port 99999 is out of range (1-65535)"),
        ("host:abc", "url has a port that is not a number: 'abc'"),
        ("host:-1", "url has a port that is not a number: '-1'"),
        (
            "host:\uff18\uff10",
            "url has a port that is not a number: '\uff18\uff10'",
        ),  # fullwidth 80
    ],
)
def test_a_bad_port_is_named(kind: str, authority: str, message: str) -> None:
    cls, scheme = CLIENTS[kind]
    with pytest.raises(ValueError) as caught:
        cls(f"{scheme}://{authority}/feed")
    assert str(caught.value) == message


@pytest.mark.parametrize("kind", sorted(CLIENTS))
@pytest.mark.parametrize("authority", ["host:1", "host:65535", "host:", "[::1]", "u:p@host"])
def test_a_good_or_default_port_passes(kind: str, authority: str) -> None:
    cls, scheme = CLIENTS[kind]
    cls(f"{scheme}://{authority}/feed")  # not started: nothing on the wire
