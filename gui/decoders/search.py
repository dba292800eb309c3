"""What the filter searches besides the raw payload: decoded text and JSON values.

A text filter over 100,000 rows must not re-inflate every binary message on each
keystroke, so decodings are cached (by payload object, bounded in bytes), and
payloads that are their own text (plain text, JSON text) are never decoded.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from typing import Any

from .payload import Decoded, decode

__all__ = ["SEARCH_LIMIT", "SearchDecoder"]

#: Bytes of decompressed output searched per message.
SEARCH_LIMIT = 256 * 1024
#: A text payload is worth a base64 decoding only if it is one base64 word.
_BASE64_WORD = re.compile(r"[A-Za-z0-9+/_-]{8,}={0,2}")
_MISSING: Any = object()


class SearchDecoder:
    """Decoded text and values of payloads, cached up to ``budget`` characters."""

    def __init__(self, budget: int = 32 * 1024 * 1024) -> None:
        self._budget = budget
        self._used = 0
        # id(payload) -> (payload kept alive so the id is not reused, decoding, its cost)
        self._cache: OrderedDict[int, tuple[str | bytes, Decoded | None, int]] = OrderedDict()

    def text(self, payload: str | bytes) -> str | None:
        """The decoded text where decoding shows more than the payload itself, else None."""
        decoded = self._decoded(payload)
        if decoded is None or decoded.kind == "binary":
            return None
        return decoded.text

    def value(self, payload: str | bytes) -> Any:
        """The payload's JSON value (decoded if need be); raises LookupError if none."""
        if isinstance(payload, str):
            stripped = payload.lstrip()
            if stripped[:1] in ("{", "["):
                try:
                    return json.loads(payload)
                except ValueError:
                    pass
        decoded = self._decoded(payload)
        if decoded is None or not decoded.has_value:
            raise LookupError("no JSON value")
        return decoded.value

    def _decoded(self, payload: str | bytes) -> Decoded | None:
        if isinstance(payload, str) and _BASE64_WORD.fullmatch(payload) is None:
            return None  # its own text: nothing to decode
        key = id(payload)
        entry = self._cache.get(key)
        if entry is not None and entry[0] is payload:
            self._cache.move_to_end(key)
            return entry[1]
        result = decode(payload, limit=SEARCH_LIMIT)
        # Shown as it came: the raw search already covers it.
        decoded = result if result.steps or result.has_value else None
        cost = len(payload) + (len(decoded.text) if decoded is not None else 0)
        self._cache[key] = (payload, decoded, cost)
        self._used += cost
        while self._used > self._budget and self._cache:
            _, (_, _, freed) = self._cache.popitem(last=False)
            self._used -= freed
        return decoded

    @property
    def held(self) -> int:
        """Characters the cache holds (payloads and decoded text)."""
        return self._used

    def __len__(self) -> int:
        return len(self._cache)

    def clear(self) -> None:
        self._cache.clear()
        self._used = 0
