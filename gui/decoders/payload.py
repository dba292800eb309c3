"""What a payload holds: compressed, base64-wrapped, MessagePack, CBOR or JSON.

:func:`decode` peels layers (base64, gzip, zlib, raw deflate) and reads what is
left as JSON, MessagePack, CBOR or text. ``"auto"`` guesses from magic numbers
and from what parses; any other name forces that decoder, for payloads the
guess gets wrong. Decoding is bounded: output past ``limit`` bytes is cut and
the result says so.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

from .inflate import COMPRESSIONS, inflate, looks_gzip, looks_zlib
from .structured import FORMATS, parse_binary, sniff_binary

__all__ = ["AUTO", "DECODERS", "DEFAULT_LIMIT", "NONE", "Decoded", "decode"]

AUTO = "auto"
NONE = "none"
#: Every name :func:`decode` takes: auto, none, then each layer and format.
DECODERS = (AUTO, NONE, "base64", *COMPRESSIONS, *FORMATS)
#: Bytes of decompressed output kept per layer.
DEFAULT_LIMIT = 4 * 1024 * 1024
#: Layers peeled at most (base64 of gzip of ... stops here).
MAX_LAYERS = 4

_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+={0,2}")
_NO_VALUE: Any = object()


@dataclass(frozen=True, slots=True)
class Decoded:
    """The outcome of :func:`decode`.

    Attributes:
        steps: the decoders applied, outermost first (empty: shown as it came).
        kind: what the innermost data is: ``"json"``, ``"msgpack"``, ``"cbor"``,
            ``"text"`` or ``"binary"``.
        plain: the text itself; for JSON the decoded JSON text; "" for MessagePack,
            CBOR and binary (shown as a hex dump from ``data``). :attr:`text` is
            what to show, :attr:`search_text` what to search.
        data: the innermost bytes (the payload's UTF-8 for text payloads).
        value: the document as JSON values; only meaningful when ``has_value``.
        truncated: a decompression stopped at the limit: data and text are cut.
        error: why a forced decoder failed ("" when it did not).
    """

    steps: tuple[str, ...]
    kind: str
    plain: str
    data: bytes
    value: Any = field(default=None)
    has_value: bool = False
    truncated: bool = False
    error: str = ""

    @property
    def text(self) -> str:
        """What to show: documents as indented JSON (made on each call), else ``plain``."""
        if self.has_value:
            return json.dumps(self.value, indent=2, ensure_ascii=False)
        return self.plain

    @property
    def search_text(self) -> str:
        """What a text filter searches: cheaper than :attr:`text` (no indenting)."""
        if self.has_value and not self.plain:
            return json.dumps(self.value, ensure_ascii=False)
        return self.plain

    @property
    def label(self) -> str:
        """A short description, e.g. ``"gzip → JSON (truncated)"``."""
        names = [*self.steps, _KIND_LABELS[self.kind]]
        text = " → ".join(names)
        if self.truncated:
            text += " (truncated)"
        if self.error:
            text = f"{self.error}; shown as {text}"
        return text


_KIND_LABELS = {
    "json": "JSON",
    "msgpack": "MessagePack",
    "cbor": "CBOR",
    "text": "text",
    "binary": "binary",
}


def decode(payload: str | bytes, decoder: str = AUTO, *, limit: int = DEFAULT_LIMIT) -> Decoded:
    """Decode ``payload`` with ``decoder`` (one of DECODERS).

    Never raises for bad data: a forced decoder that does not fit returns the
    payload as it came, with ``error`` saying why.

    Raises:
        ValueError: an unknown decoder name.
    """
    if decoder not in DECODERS:
        raise ValueError(f"unknown decoder {decoder!r}: use one of {', '.join(DECODERS)}")
    if decoder == NONE:
        return _leaf(payload, (), truncated=False)
    if decoder == AUTO:
        return _auto(payload, (), False, limit) or _leaf(payload, (), truncated=False)
    data = payload if isinstance(payload, bytes) else payload.encode("utf-8")
    try:
        if decoder in FORMATS:
            value = parse_binary(data, decoder)
            return _document(value, decoder, data, (), truncated=False)
        inner, truncated = _peel(data, decoder, limit)
    except ValueError as exc:
        return _failure(payload, str(exc))
    steps = (decoder,)
    return _auto(inner, steps, truncated, limit) or _leaf(inner, steps, truncated)


def _peel(data: bytes, layer: str, limit: int) -> tuple[bytes, bool]:
    """Remove one layer; return the inner bytes and whether they were cut."""
    if layer == "base64":
        return _unbase64(data), False
    result = inflate(data, layer, limit)
    return result.data, result.truncated


def _unbase64(data: bytes) -> bytes:
    compact = b"".join(data.split())
    if b"-" in compact or b"_" in compact:
        compact = compact.replace(b"-", b"+").replace(b"_", b"/")
    compact += b"=" * (-len(compact) % 4)
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64 (use A-Z a-z 0-9 + / or - _, with = padding)") from None


def _auto(
    payload: str | bytes, steps: tuple[str, ...], truncated: bool, limit: int
) -> Decoded | None:
    """The decoded payload if something in it was recognised, else None."""
    if isinstance(payload, str):
        text: str | None = payload
        data = payload.encode("utf-8")
    else:
        data = payload
        text = _utf8(data, truncated)
    if text is not None:
        value = _json(text)
        if value is not _NO_VALUE and (steps or isinstance(value, (dict, list))):
            return _document(value, "json", data, steps, truncated=truncated, plain=text)
        if len(steps) < MAX_LAYERS and not truncated and _looks_base64(text):
            try:
                unwrapped = _unbase64(data)
            except ValueError:
                unwrapped = b""
            inner = _auto(unwrapped, (*steps, "base64"), False, limit) if unwrapped else None
            # Base64 alone proves little (many words are valid base64): only a
            # document or a further recognised layer inside makes it a decoding.
            if inner is not None and (inner.has_value or len(inner.steps) > len(steps) + 1):
                return inner
        return _leaf(text, steps, truncated) if steps else None
    if len(steps) < MAX_LAYERS and not truncated:
        for layer, sniff in (("gzip", looks_gzip), ("zlib", looks_zlib)):
            if sniff(data):
                try:
                    result = inflate(data, layer, limit)
                except ValueError:
                    continue
                inner_steps = (*steps, layer)
                return _auto(result.data, inner_steps, result.truncated, limit) or _leaf(
                    result.data, inner_steps, result.truncated
                )
        sniffed = sniff_binary(data)
        if sniffed is not None:
            return _document(sniffed[1], sniffed[0], data, steps, truncated=truncated)
        deflated = _raw_deflate(data, steps, limit)
        if deflated is not None:
            return deflated
    return _leaf(data, steps, truncated) if steps else None


def _raw_deflate(data: bytes, steps: tuple[str, ...], limit: int) -> Decoded | None:
    """Raw deflate has no header: accept it only if the stream ends exactly and
    what comes out is recognised or is text (random bytes rarely do both)."""
    try:
        result = inflate(data, "deflate", limit)
    except ValueError:
        return None
    if not (result.complete or result.truncated) or not result.data:
        return None
    inner_steps = (*steps, "deflate")
    inner = _auto(result.data, inner_steps, result.truncated, limit)
    if inner is not None and inner.kind != "binary":
        return inner
    return None


def _utf8(data: bytes, truncated: bool) -> str | None:
    """``data`` as UTF-8, allowing a character cut in half at a truncation."""
    for cut in range(4 if truncated else 1):
        try:
            return data[: len(data) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return None


def _json(text: str) -> Any:
    stripped = text.strip()
    if not stripped or stripped[0] not in '{["-0123456789tfn':
        return _NO_VALUE
    try:
        return json.loads(stripped)
    except ValueError:
        return _NO_VALUE


def _looks_base64(text: str) -> bool:
    compact = "".join(text.split())
    return len(compact) >= 8 and _BASE64.fullmatch(compact) is not None


def _document(
    value: Any, kind: str, data: bytes, steps: tuple[str, ...], *, truncated: bool, plain: str = ""
) -> Decoded:
    return Decoded(steps, kind, plain, data, value, has_value=True, truncated=truncated)


def _leaf(payload: str | bytes, steps: tuple[str, ...], truncated: bool) -> Decoded:
    """Plain text, or binary shown as hex, after ``steps``."""
    if isinstance(payload, str):
        return Decoded(steps, "text", payload, payload.encode("utf-8"), truncated=truncated)
    text = _utf8(payload, truncated)
    if text is not None:
        return Decoded(steps, "text", text, payload, truncated=truncated)
    return Decoded(steps, "binary", "", payload, truncated=truncated)


def _failure(payload: str | bytes, error: str) -> Decoded:
    leaf = _leaf(payload, (), truncated=False)
    return Decoded((), leaf.kind, leaf.plain, leaf.data, error=error)
