"""Reconnect policy: which failures are transient, and Retry-After parsing."""

from __future__ import annotations

import email.utils
import ssl
import time

import pytest

from pushsdk import ConnectError, HandshakeError, ProtocolError
from pushsdk._retry import is_transient, retry_after


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
