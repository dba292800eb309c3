"""Binary documents (MessagePack, CBOR) read into JSON-shaped values.

Both formats carry more types than JSON (byte strings, integer keys, tags,
dates); :func:`to_json_value` maps them onto JSON's so that the detail pane can
show them as JSON and the JSON-path filter can query every format alike.
"""

from __future__ import annotations

import base64
import datetime
import io
import math
from typing import Any

import cbor2
import msgpack

__all__ = ["FORMATS", "parse_binary", "sniff_binary", "to_json_value"]

FORMATS = ("msgpack", "cbor")

#: Nesting deeper than this is refused (a hostile payload could recurse forever).
MAX_DEPTH = 200


def parse_binary(data: bytes, fmt: str) -> Any:
    """The one document ``data`` holds in ``fmt`` (one of FORMATS), as a JSON value.

    Trailing bytes after the document are an error: it is then not that format.

    Raises:
        ValueError: ``data`` is not one whole document of that format; says why.
    """
    return to_json_value(_parse(data, fmt))


def sniff_binary(data: bytes) -> tuple[str, Any] | None:
    """``(format, JSON value)`` if ``data`` is one MessagePack or CBOR map or array.

    Some bytes are both (``82 01 a1 61 62 02`` is a CBOR array and a MessagePack
    map): the reading whose maps all have string keys wins, MessagePack on a tie.
    """
    readings = []
    for fmt in FORMATS:
        try:
            value = _parse(data, fmt)
        except ValueError:
            continue
        if isinstance(value, (dict, list)):
            readings.append((not _string_keys(value), fmt, value))
    if not readings:
        return None
    _, fmt, value = min(readings, key=lambda reading: reading[0])
    try:
        return fmt, to_json_value(value)
    except ValueError:  # nested too deep to show
        return None


def _string_keys(value: Any, depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return all(isinstance(k, str) and _string_keys(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return all(_string_keys(item, depth + 1) for item in value)
    return True


def _parse(data: bytes, fmt: str) -> Any:
    if fmt == "msgpack":
        try:
            value = msgpack.unpackb(data, raw=False, strict_map_key=False, timestamp=3)
        except msgpack.ExtraData:
            raise ValueError("not MessagePack (extra bytes after the document)") from None
        except (ValueError, TypeError, msgpack.UnpackException) as exc:
            raise ValueError(f"not MessagePack ({exc})") from None
    elif fmt == "cbor":
        stream = io.BytesIO(data)
        try:
            value = cbor2.CBORDecoder(stream).decode()
        except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError) as exc:
            raise ValueError(f"not CBOR ({exc})") from None
        if stream.tell() != len(data):
            raise ValueError(f"not CBOR (extra bytes after the document at offset {stream.tell()})")
    else:
        raise ValueError(f"unknown format {fmt!r}: use one of {FORMATS}")
    return value


def to_json_value(value: Any, depth: int = 0) -> Any:
    """``value`` with only JSON types: bytes become base64 text, keys strings,
    dates ISO 8601, tags ``{"tag": n, "value": ...}``, anything else its repr."""
    if depth > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {_key(k): to_json_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json_value(item, depth + 1) for item in value]
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, cbor2.CBORTag):
        return {"tag": value.tag, "value": to_json_value(value.value, depth + 1)}
    if isinstance(value, msgpack.ExtType):
        return {"ext": value.code, "data": base64.b64encode(value.data).decode("ascii")}
    return repr(value)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, (bytes, bytearray)):
        try:
            return bytes(key).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(key).hex()
    if isinstance(key, bool) or key is None:
        return "true" if key is True else "false" if key is False else "null"
    return str(key)
