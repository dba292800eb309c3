"""Payload decoders: auto-detection, forced decoders, bounded decompression (no Qt)."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
import sys
import zlib

import cbor2
import msgpack
import pytest

from pushsdk_monitor.decoders import DECODERS, decode

DOC = {"type": "trade", "data": [{"price": 101.5, "side": "buy"}]}
JSON_BYTES = json.dumps(DOC).encode()


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("payload", "label"),
    [
        (JSON_BYTES.decode(), "JSON"),
        (JSON_BYTES, "JSON"),
        (gzip.compress(JSON_BYTES, mtime=0), "gzip → JSON"),
        (zlib.compress(JSON_BYTES), "zlib → JSON"),
        (raw_deflate(JSON_BYTES), "deflate → JSON"),
        (msgpack.packb(DOC), "MessagePack"),
        (cbor2.dumps(DOC), "CBOR"),
        (base64.b64encode(JSON_BYTES).decode(), "base64 → JSON"),
        (base64.urlsafe_b64encode(JSON_BYTES).rstrip(b"=").decode(), "base64 → JSON"),
        (base64.b64encode(gzip.compress(JSON_BYTES, mtime=0)).decode(), "base64 → gzip → JSON"),
        (gzip.compress(msgpack.packb(DOC), mtime=0), "gzip → MessagePack"),
        (raw_deflate(cbor2.dumps(DOC)), "deflate → CBOR"),
    ],
)
def test_auto_detects_the_document(payload: str | bytes, label: str) -> None:
    decoded = decode(payload)
    assert decoded.label == label
    assert decoded.has_value and decoded.value == DOC
    assert json.loads(decoded.text) == DOC


@pytest.mark.parametrize(
    ("payload", "kind", "text"),
    [
        ("hello world", "text", "hello world"),
        ("42", "text", "42"),  # a bare scalar is not worth calling JSON
        ("abcdefgh", "text", "abcdefgh"),  # valid base64, but of nothing recognisable
        ("aGVsbG8gd29ybGQ=", "text", "aGVsbG8gd29ybGQ="),  # base64 of plain text: kept
        ("", "text", ""),
        (b"caf\xc3\xa9", "text", "café"),
        (b"\x00\xff\xfe\x01", "binary", ""),
        (msgpack.packb(300), "binary", ""),  # a lone scalar: too weak a guess
        (b"\x1f\x8b\x08garbage", "binary", ""),  # gzip magic, broken stream
    ],
)
def test_auto_leaves_unrecognised_payloads_alone(
    payload: str | bytes, kind: str, text: str
) -> None:
    decoded = decode(payload)
    assert (decoded.steps, decoded.kind, decoded.text, decoded.error) == ((), kind, text, "")
    assert not decoded.has_value


def test_bytes_that_are_both_cbor_and_msgpack_read_as_the_string_keyed_one() -> None:
    ambiguous = cbor2.dumps([1, {"b": 2}])  # 82 01 a1 61 62 02: also a msgpack map
    assert msgpack.unpackb(ambiguous, strict_map_key=False) == {1: "a", 98: 2}
    assert (decode(ambiguous).kind, decode(ambiguous).value) == ("cbor", [1, {"b": 2}])
    assert decode(ambiguous, "msgpack").value == {"1": "a", "98": 2}  # the override wins


@pytest.mark.parametrize(
    ("payload", "decoder", "label", "value"),
    [
        (base64.b64encode(b"hello"), "base64", "base64 → text", None),
        (zlib.compress(b"plain"), "zlib", "zlib → text", None),
        (raw_deflate(b"\xff\x00"), "deflate", "deflate → binary", None),
        (msgpack.packb(7), "msgpack", "MessagePack", 7),
        (cbor2.dumps("x"), "cbor", "CBOR", "x"),
        (JSON_BYTES, "none", "text", None),
        (gzip.compress(JSON_BYTES, mtime=0), "none", "binary", None),
    ],
)
def test_a_forced_decoder_overrides_the_guess(
    payload: bytes, decoder: str, label: str, value: object
) -> None:
    decoded = decode(payload, decoder)
    assert decoded.label == label
    assert decoded.value == value


@pytest.mark.parametrize(
    ("payload", "decoder", "message"),
    [
        (b"abc", "gzip", "not gzip data"),
        (b"abc", "zlib", "not zlib data"),
        (b"\xff\xff", "deflate", "not deflate data"),
        (b"a$b", "base64", "not base64"),
        (b"\x92\x01", "msgpack", "not MessagePack"),
        (b"\x01\x02", "msgpack", "extra bytes"),
        (b"\x82\x01", "cbor", "not CBOR"),
        (b"\x01\x02", "cbor", "extra bytes after the document at offset 1"),
    ],
)
def test_a_forced_decoder_that_does_not_fit_says_why(
    payload: bytes, decoder: str, message: str
) -> None:
    decoded = decode(payload, decoder)
    assert message in decoded.error
    assert decoded.steps == ()
    assert decoded.data == payload  # shown as it came
    assert decoded.label.startswith(decoded.error)


def test_unknown_decoder_names_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown decoder 'lz4': use one of auto, none"):
        decode(b"", "lz4")
    assert set(DECODERS) >= {"auto", "gzip", "zlib", "deflate", "msgpack", "cbor", "base64"}


@pytest.mark.parametrize("method", ["gzip", "zlib", "deflate"])
def test_a_decompression_bomb_is_cut_at_the_limit(method: str) -> None:
    bomb = {
        "gzip": gzip.compress,
        "zlib": zlib.compress,
        "deflate": raw_deflate,
    }[method](b"{" + b" " * 10_000_000)
    assert len(bomb) < 20_000
    for decoder in ("auto", method):
        decoded = decode(bomb, decoder, limit=4096)
        assert decoded.truncated and len(decoded.data) == 4096
        assert decoded.label == f"{method} → text (truncated)"


def test_a_character_cut_by_the_limit_still_reads_as_text() -> None:
    decoded = decode(gzip.compress("é".encode() * 100), limit=5)
    assert (decoded.kind, decoded.text, decoded.truncated) == ("text", "éé", True)


def test_exactly_the_limit_is_not_truncated() -> None:
    decoded = decode(gzip.compress(b"x" * 64), limit=64)
    assert not decoded.truncated and decoded.text == "x" * 64


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ({b"k": b"\x00\x01"}, {"k": "AAE="}),  # bytes: base64; byte keys: text
        ({1: [True, None]}, {"1": [True, None]}),
        ({"f": float("nan")}, {"f": "nan"}),
    ],
)
def test_binary_documents_are_shown_as_json(value: object, shown: object) -> None:
    decoded = decode(msgpack.packb(value, use_bin_type=True))
    assert decoded.value == shown


def test_cbor_tags_and_dates_become_json() -> None:
    import datetime

    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    payload = cbor2.dumps({"at": moment, "t": cbor2.CBORTag(4000, [1])})
    assert decode(payload).value == {
        "at": "2026-01-02T03:04:05+00:00",
        "t": {"tag": 4000, "value": [1]},
    }


def test_hostile_documents_are_refused_not_crashed_on() -> None:
    deep = b"\x91" * 100_000 + b"\xc0"  # 100,000 nested msgpack arrays
    assert decode(deep).kind == "binary"
    huge = b"\x9b" + b"\xff" * 8  # a CBOR array claiming 2**64 - 1 items
    assert decode(huge).kind == "binary"
    assert "not CBOR" in decode(huge, "cbor").error


def test_decoders_import_without_qt() -> None:
    code = (
        "import sys, pushsdk_monitor.decoders; "
        "sys.exit(any(name.startswith('PySide6') for name in sys.modules))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
