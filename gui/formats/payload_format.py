"""Turning a payload into what the detail pane shows: text, pretty JSON, hex (no Qt)."""

from __future__ import annotations

import base64
import binascii
import json

__all__ = ["ENCODINGS", "encode_payload", "hex_dump", "pretty_json"]


def hex_dump(data: bytes, *, limit: int | None = None) -> str:
    """``offset  hex bytes  |ascii|`` lines, 16 bytes each, like ``hexdump -C``.

    Only the first ``limit`` bytes are dumped when ``limit`` is given.
    """
    shown = data if limit is None else data[:limit]
    lines = []
    for offset in range(0, len(shown), 16):
        chunk = shown[offset : offset + 16]
        hex_part = " ".join(f"{b:02x}" for b in chunk[:8])
        if len(chunk) > 8:
            hex_part += "  " + " ".join(f"{b:02x}" for b in chunk[8:])
        text = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
        lines.append(f"{offset:08x}  {hex_part:<49} |{text}|")
    return "\n".join(lines)


def pretty_json(text: str | bytes) -> str | None:
    """``text`` re-indented if it is a JSON object or array, else None."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return None
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return json.dumps(value, indent=2, ensure_ascii=False)


#: How the composer reads its text.
ENCODINGS = ("Text", "JSON", "Hex", "Base64")


def encode_payload(text: str, encoding: str) -> str | bytes:
    """The message to send for ``text`` read as ``encoding`` (one of ENCODINGS).

    Text and JSON are sent as text frames, Hex and Base64 as binary.

    Raises:
        ValueError: invalid JSON, hex or base64, with the reason.
    """
    if encoding == "Text":
        return text
    if encoding == "JSON":
        try:
            json.loads(text)
        except ValueError as exc:
            raise ValueError(f"invalid JSON: {exc}") from None
        return text
    if encoding == "Hex":
        digits = "".join(text.split())
        if digits[:2].lower() == "0x":
            digits = digits[2:]
        try:
            return bytes.fromhex(digits)
        except ValueError:
            raise ValueError("invalid hex: use pairs of 0-9 a-f, spaces allowed") from None
    if encoding == "Base64":
        try:
            return base64.b64decode("".join(text.split()), validate=True)
        except (ValueError, binascii.Error):
            raise ValueError("invalid base64") from None
    raise ValueError(f"unknown encoding {encoding!r}")
