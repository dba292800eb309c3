"""Reconnect policy: which failures are transient, and Retry-After parsing."""

from __future__ import annotations

import email.utils
import random
import ssl
import time

import pytest

from pushsdk import Backoff, ConnectError, HandshakeError, ProtocolError
from pushsdk._retry import MIN_SERVER_DELAY, ReconnectSchedule, is_transient, retry_after
from pushsdk._ws.handshake import HeadTooLarge


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


# -- hostile server values (issue: no value a server sends may crash, stall or hammer) --


@pytest.mark.parametrize(
    "value",
    ["\xb2", "١٢", "9" * 5000, "99999999999", "Fri, 31 Dec 9999 23:59:59 GMT", "nan", "1e9", "-0"],
)
def test_retry_after_never_raises_and_is_clamped_by_the_schedule(value: str) -> None:
    error = HandshakeError("busy", status=503, headers={"Retry-After": value})
    asked = retry_after(error)  # must not raise
    schedule = ReconnectSchedule(
        Backoff(initial=0.5, maximum=30.0, jitter=0.5), first_connect_timeout=None
    )
    delay = schedule.next_delay(error, None)
    assert delay is not None
    assert MIN_SERVER_DELAY / 2 <= delay <= 30.0
    if value in ("\xb2", "١٢"):
        assert asked is None  # only ASCII digits count


@pytest.mark.parametrize("server_retry", [0.0, 1e-9, 1e12, float("inf"), float("nan")])
def test_sse_retry_is_clamped_to_floor_and_maximum(server_retry: float) -> None:
    backoff = Backoff(initial=0.5, maximum=30.0, jitter=0.0)
    schedule = ReconnectSchedule(backoff, first_connect_timeout=None)
    delay = schedule.next_delay(None, server_retry)
    assert delay is not None
    assert MIN_SERVER_DELAY <= delay <= 30.0


def test_a_zero_server_delay_still_grows_with_consecutive_failures() -> None:
    backoff = Backoff(initial=0.5, maximum=30.0, jitter=0.0)
    schedule = ReconnectSchedule(backoff, first_connect_timeout=None)
    delays = [schedule.next_delay(None, 0.0) for _ in range(6)]
    assert delays == [0.1, 0.2, 0.4, 0.8, 1.6, 3.2]
    error = HandshakeError("busy", status=503, headers={"Retry-After": "0"})
    schedule = ReconnectSchedule(backoff, first_connect_timeout=None)
    assert [schedule.next_delay(error, None) for _ in range(4)] == [0.5, 1.0, 2.0, 4.0]


def test_retry_after_is_a_floor_with_jitter_added_on_top() -> None:
    backoff = Backoff(initial=0.5, maximum=30.0, jitter=0.5)
    error = HandshakeError("busy", status=429, headers={"Retry-After": "10"})
    rng = random.Random(3)
    delays = []
    for _ in range(200):
        schedule = ReconnectSchedule(backoff, first_connect_timeout=None, rng=rng)
        delay = schedule.next_delay(error, None)
        assert delay is not None
        delays.append(delay)
    assert all(10.0 <= d <= 15.0 for d in delays)
    assert max(delays) - min(delays) > 2.0  # spread, so clients do not return in lockstep


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_first_connect_timeout_gives_up_before_a_wait_that_would_overrun_it() -> None:
    clock = FakeClock()
    backoff = Backoff(initial=1.0, maximum=8.0, jitter=0.0)
    schedule = ReconnectSchedule(backoff, first_connect_timeout=10.0, clock=clock)
    refused = ConnectError("refused")
    waited = []
    while (delay := schedule.next_delay(refused, None)) is not None:
        waited.append(delay)
        clock.now += delay
    assert waited == [1.0, 2.0, 4.0]  # 7 s; the next 8 s wait would end past 10 s
    assert "first_connect_timeout" in schedule.gave_up_because


def test_after_an_open_the_budget_no_longer_applies_and_growth_resets() -> None:
    clock = FakeClock()
    backoff = Backoff(initial=1.0, maximum=4.0, jitter=0.0, reset_after=60.0)
    schedule = ReconnectSchedule(backoff, first_connect_timeout=1.0, clock=clock)
    schedule.opened()
    clock.now = 100.0
    drop = ConnectError("dropped")
    assert [schedule.next_delay(drop, None) for _ in range(4)] == [1.0, 2.0, 4.0, 4.0]
    schedule.opened()
    clock.now += 61.0
    assert schedule.next_delay(drop, None) == 1.0
    assert schedule.attempt == 1


def test_max_attempts_and_reconnect_off() -> None:
    schedule = ReconnectSchedule(Backoff(max_attempts=2), first_connect_timeout=None)
    results = [schedule.next_delay(None, None) is not None for _ in range(3)]
    assert results == [True, True, False]
    assert "max_attempts" in schedule.gave_up_because
    assert ReconnectSchedule(None, first_connect_timeout=None).next_delay(None, None) is None


def test_wrong_tls_version_is_permanent() -> None:
    wrong = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    wrong.reason = "WRONG_VERSION_NUMBER"  # type: ignore[misc]
    error = ConnectError("TLS failed")
    error.__cause__ = wrong
    assert not is_transient(error)
