"""Reconnect policy: which failures are transient, and Retry-After parsing."""

from __future__ import annotations

import email.utils
import ssl
import time

import pytest

from pushsdk import ConnectError, HandshakeError, ProtocolError
from pushsdk._retry import is_transient, retry_after
from pushsdk._wshandshake import HeadTooLarge


@pytest.mark.parametrize(
    ("status", "transient"),
    [(500, True), (502, True), (503, True), (408, True), (429, True),
     (400, False), (401, False), (403, False), (404, False), (204, False), (200, False)],
)  # fmt: skip
def test_handshake_status_decides(status: int, transient: bool) -> None:
    assert is_transient(HandshakeError("x", status=status)) is transient


def test_network_and_protocol_errors_are_transient() -> None:
    assert is_transient(ConnectError("refused"))
    assert is_transient(ProtocolError("bad frame", close_code=1002))


def test_certificate_failure_anywhere_in_the_cause_chain_is_permanent() -> None:
    cert = ssl.SSLCertVerificationError("certificate verify failed")
    middle = OSError("wrapped")
    middle.__cause__ = cert
    error = ConnectError("TLS failed")
    error.__cause__ = middle
    assert not is_transient(error)


def test_a_head_over_the_caps_is_permanent_whatever_the_status() -> None:
    error = HandshakeError("head too large", status=503)
    error.__cause__ = HeadTooLarge("more than 128 header lines")
    assert not is_transient(error)


def test_a_plain_text_server_behind_a_tls_url_is_permanent() -> None:
    wrong_version = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    wrong_version.reason = "WRONG_VERSION_NUMBER"  # as OpenSSL sets it
    error = ConnectError("TLS failure")
    error.__cause__ = wrong_version
    assert not is_transient(error)
    other = ssl.SSLError(1, "[SSL: DECRYPTION_FAILED] bad record")
    other.reason = "DECRYPTION_FAILED"
    error.__cause__ = other
    assert is_transient(error)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", 7.0), (" 120 ", 120.0), ("soon", None), ("-3", None), ("", None)],
)
def test_retry_after_seconds(value: str, expected: float | None) -> None:
    error = HandshakeError("busy", status=503, headers={"Retry-After": value})
    assert retry_after(error) == expected


def test_retry_after_http_date_and_header_case() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    delay = retry_after(HandshakeError("busy", status=429, headers={"retry-after": when}))
    assert delay is not None
    assert 25 <= delay <= 31


def test_retry_after_only_from_handshake_errors() -> None:
    assert retry_after(None) is None
    assert retry_after(ConnectError("x")) is None
    assert retry_after(HandshakeError("x", status=503)) is None
