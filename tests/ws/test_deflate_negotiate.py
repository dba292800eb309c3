"""The pure half of permessage-deflate: the offer, the answer's parsing, the codecs."""

from __future__ import annotations

import tracemalloc
import zlib

import pytest

from pushsdk import WSClient
from pushsdk._ws.deflate import OFFER, ExtensionError, Negotiated, negotiate


def test_offer_leaves_windows_to_the_server() -> None:
    """client_max_window_bits without a value (BitMEX, Bybit, AWS API Gateway refuse
    one with a value: websockets issues 1046-1068); nothing about the server's window."""
    assert OFFER == "permessage-deflate; client_max_window_bits"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (None, None),
        ("", None),
        ("permessage-deflate", Negotiated()),
        ("Permessage-Deflate", Negotiated()),
        ("permessage-deflate; client_max_window_bits", Negotiated()),
        (
            "permessage-deflate;server_no_context_takeover ; client_no_context_takeover",
            Negotiated(server_no_context_takeover=True, client_no_context_takeover=True),
        ),
        (
            "permessage-deflate; server_max_window_bits=8; client_max_window_bits=15",
            Negotiated(server_max_window_bits=8),
        ),
        ('permessage-deflate; client_max_window_bits="10"', Negotiated(client_max_window_bits=10)),
        (
            "permessage-deflate; server_no_context_takeover; client_max_window_bits=15",
            Negotiated(server_no_context_takeover=True),
        ),
    ],
)
def test_valid_answers(answer: str | None, expected: Negotiated | None) -> None:
    assert negotiate(answer) == expected


def test_agreement_reads_as_a_header() -> None:
    agreed = negotiate("permessage-deflate; server_max_window_bits=10; server_no_context_takeover")
    assert (
        str(agreed) == "permessage-deflate; server_no_context_takeover; server_max_window_bits=10"
    )


@pytest.mark.parametrize(
    "answer",
    [
        "deflate-frame",
        "permessage-deflate; permessage-deflate",
        "permessage-deflate, x-foo",
        "permessage-deflate; server_max_window_bits=1O",
        "permessage-deflate; server_max_window_bits=",
        "permessage-deflate; client_max_window_bits=0x0a",
        'permessage-deflate; client_max_window_bits="1 0"',
        "permessage-deflate; CLIENT_NO_CONTEXT_TAKEOVER; client_no_context_takeover",
        "permessage-deflate=1",
        "permessage-deflate;",
        ",permessage-deflate",
    ],
)
def test_invalid_answers(answer: str) -> None:
    with pytest.raises(ExtensionError):
        negotiate(answer)


def test_an_answer_without_an_offer_is_refused() -> None:
    assert negotiate(None, offered=False) is None
    with pytest.raises(ExtensionError, match="no extension was offered"):
        negotiate("permessage-deflate", offered=False)


def test_inflater_never_outputs_more_than_asked() -> None:
    inflater = Negotiated().inflater()
    zobj = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = zobj.compress(bytes(10_000_000)) + zobj.flush(zlib.Z_SYNC_FLUSH)
    assert len(inflater.inflate(data[:-4], 1001)) == 1001


def test_idle_compressed_connection_holds_under_64_kib_of_zlib_state() -> None:
    """After a message each way, with context takeover both ways (the costly case)."""
    payload = b'{"e":"trade","s":"BTCUSDT","p":"43210.12","q":"0.001"}' * 20
    server = zlib.compressobj(6, zlib.DEFLATED, -15)
    message = (server.compress(payload) + server.flush(zlib.Z_SYNC_FLUSH))[:-4]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        agreed = Negotiated()
        inflater, deflater = agreed.inflater(), agreed.deflater()
        assert inflater.inflate(message, 1 << 20) + inflater.finish(1 << 20) == payload
        sent = deflater.compress(payload)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert zlib.decompressobj(-15).decompress(sent + b"\x00\x00\xff\xff") == payload
    assert held < 64 * 1024, f"{held / 1024:.1f} KiB"


@pytest.mark.parametrize("value", ["gzip", "", True, 1])
def test_compression_option_is_checked(value: object) -> None:
    with pytest.raises(ValueError, match="compression"):
        WSClient("ws://127.0.0.1:9/", compression=value)  # type: ignore[arg-type]
