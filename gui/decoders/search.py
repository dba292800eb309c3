"""What the filter searches besides the raw payload: decoded text and JSON values.

A text filter over 100,000 rows must not re-inflate every binary message on each
keystroke, so decodings are cached (by payload object, bounded in bytes), and
payloads that are their own text (plain text, JSON text) are never decoded.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from .payload import decode

__all__ = ["SEARCH_LIMIT", "SearchDecoder"]

#: Bytes of decompressed output searched per message.
SEARCH_LIMIT = 256 * 1024
#: A text payload is worth a base64 decoding only if it is one base64 word.
_BASE64_WORD = re.compile(r"[A-Za-z0-9+/_-]{8,}={0,2}")
_MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class _Found:
    """What a decoding gave the filter (not the decoded bytes: they are not searched)."""

    text: str | None
    value: Any
    has_value: bool


_NOTHING = _Found(None, None, False)


class SearchDecoder:
    """Decoded text and values of payloads, cached up to about ``budget`` characters."""

    def __init__(self, budget: int = 32 * 1024 * 1024) -> None:
        self._budget = budget
        self._used = 0
        # id(payload) -> (payload kept alive so the id is not reused, what it gave, its cost)
        self._cache: OrderedDict[int, tuple[str | bytes, _Found, int]] = OrderedDict()

    def text(self, payload: str | bytes) -> str | None:
        """The decoded text where decoding shows more than the payload itself, else None."""
        return self._found(payload).text

    def value(self, payload: str | bytes) -> Any:
        """The payload's JSON value (decoded if need be); raises LookupError if none."""
        if isinstance(payload, str):
            stripped = payload.lstrip()
            if stripped[:1] in ("{", "["):
                try:
                    return json.loads(payload)
                except ValueError:
                    pass
        found = self._found(payload)
        if not found.has_value:
            raise LookupError("no JSON value")
        return found.value

    def _found(self, payload: str | bytes) -> _Found:
        if isinstance(payload, str) and _BASE64_WORD.fullmatch(payload) is None:
            return _NOTHING  # its own text: nothing to decode
        key = id(payload)
        entry = self._cache.get(key)
        if entry is not None and entry[0] is payload:
            self._cache.move_to_end(key)
            return entry[1]
        decoded = decode(payload, limit=SEARCH_LIMIT)
        if not (decoded.steps or decoded.has_value):
            found = _NOTHING  # shown as it came: the raw search already covers it
        else:
            text = None if decoded.kind == "binary" else decoded.search_text
            found = _Found(text, decoded.value, decoded.has_value)
        # The value of a document takes a few times its text's size.
        cost = len(payload) + 3 * len(found.text or "")
        self._cache[key] = (payload, found, cost)
        self._used += cost
        while self._used > self._budget and self._cache:
            _, (_, _, freed) = self._cache.popitem(last=False)
            self._used -= freed
        return found

    @property
    def held(self) -> int:
        """Characters the cache holds (payloads and decoded text)."""
        return self._used

    def __len__(self) -> int:
        return len(self._cache)

    def clear(self) -> None:
        self._cache.clear()
        self._used = 0
