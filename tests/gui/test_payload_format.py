"""Composer encodings, the hex dump and JSON pretty-printing (no Qt)."""

from __future__ import annotations

import pytest

from pushsdk_monitor.formats.payload_format import encode_payload, hex_dump, pretty_json


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        ("hello\nworld", "Text", "hello\nworld"),
        ("", "Text", ""),
        ('{"a": [1, 2]}', "JSON", '{"a": [1, 2]}'),
        ("42", "JSON", "42"),
        ("de ad be ef", "Hex", b"\xde\xad\xbe\xef"),
        ("0xDEAD\n00", "Hex", b"\xde\xad\x00"),
        ("aGVs\nbG8=", "Base64", b"hello"),
    ],
)
def test_encode_payload(text: str, encoding: str, expected: str | bytes) -> None:
    assert encode_payload(text, encoding) == expected


@pytest.mark.parametrize(
    ("text", "encoding", "message"),
    [
        ("{'a': 1}", "JSON", "invalid JSON"),
        ("{", "JSON", "invalid JSON"),
        ("abc", "Hex", "invalid hex"),
        ("zz", "Hex", "invalid hex"),
        ("aGVsbG8", "Base64", "invalid base64"),
        ("a$b=", "Base64", "invalid base64"),
        ("x", "Morse", "unknown encoding"),
    ],
)
def test_encode_payload_rejects(text: str, encoding: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        encode_payload(text, encoding)


def test_hex_dump_has_offset_hex_and_ascii_columns() -> None:
    data = bytes(range(0x41, 0x41 + 20)) + b"\x00\n"
    lines = hex_dump(data).splitlines()
    assert lines[0] == (
        "00000000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|"
    )
    assert lines[1] == "00000010  51 52 53 54 00 0a" + " " * 31 + "  |QRST..|"
    assert hex_dump(data, limit=16) == lines[0]
    assert hex_dump(b"") == ""


def test_pretty_json() -> None:
    assert pretty_json('{"a":1,"b":[true,null]}') == (
        '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}'
    )
    assert pretty_json(b'["\xc3\xa9"]') == '[\n  "é"\n]'
    assert pretty_json("Server time: 12:00") is None
    assert pretty_json("42") is None  # a bare scalar is shown as text
    assert pretty_json("{broken") is None
    assert pretty_json(b"\xff{") is None
