"""The pure half of permessage-deflate: the offer and the answer's parsing (the codecs:
test_deflate_codec.py)."""

from __future__ import annotations

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


@pytest.mark.parametrize("value", ["gzip", "", True, 1])
def test_compression_option_is_checked(value: object) -> None:
    with pytest.raises(ValueError, match="compression"):
        WSClient("ws://127.0.0.1:9/", compression=value)  # type: ignore[arg-type]
