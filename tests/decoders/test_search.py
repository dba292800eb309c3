"""What the filter searches in decoded payloads, and the cache behind it (no Qt)."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import msgpack
import pytest

from pushsdk_monitor.decoders import SearchDecoder

DOC = {"type": "trade", "px": 7}


@pytest.mark.parametrize(
    ("payload", "text"),
    [
        (gzip.compress(json.dumps(DOC).encode(), mtime=0), json.dumps(DOC)),  # the JSON as sent
        (gzip.compress(b"plain words", mtime=0), "plain words"),
        (msgpack.packb(DOC), '{"type": "trade", "px": 7}'),  # one line: quick to make
        (base64.b64encode(json.dumps(DOC).encode()).decode(), json.dumps(DOC)),
        ('{"type": "trade"}', None),  # its own text
        ("hello world", None),
        ("Connection", None),  # one base64-looking word, of nothing
        (b"plain bytes", None),
        (b"\x00\xff", None),
        (gzip.compress(b"\x00\xff", mtime=0), None),  # decodes, but to binary: nothing to search
    ],
)
def test_text(payload: str | bytes, text: str | None) -> None:
    assert SearchDecoder().text(payload) == text


@pytest.mark.parametrize(
    ("payload", "value"),
    [
        ('{"type": "trade"}', {"type": "trade"}),
        ("[1]", [1]),
        (b'{"a": 1}', {"a": 1}),
        (gzip.compress(json.dumps(DOC).encode(), mtime=0), DOC),
        (msgpack.packb(DOC), DOC),
        (base64.b64encode(json.dumps(DOC).encode()).decode(), DOC),
    ],
)
def test_value(payload: str | bytes, value: Any) -> None:
    assert SearchDecoder().value(payload) == value


@pytest.mark.parametrize(
    "payload", ["hello", '{"a": ', "42", b"\x00\xff", gzip.compress(b"x", mtime=0)]
)
def test_no_value(payload: str | bytes) -> None:
    with pytest.raises(LookupError):
        SearchDecoder().value(payload)


def test_the_cache_is_bounded_and_reused() -> None:
    searcher = SearchDecoder(budget=2000)
    payloads = [
        gzip.compress(json.dumps({"n": n, "pad": "x" * 100}).encode(), mtime=0) for n in range(50)
    ]
    for payload in payloads:
        assert searcher.text(payload) is not None
    assert searcher.held <= 2000
    assert 0 < len(searcher) < len(payloads)
    last = payloads[-1]
    assert searcher.text(last) is searcher.text(last)  # served from the cache
    searcher.clear()
    assert searcher.held == 0 and len(searcher) == 0
