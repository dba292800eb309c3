"""When to reconnect: which failures are worth another attempt, and after how long.

The rules (one place, so that both clients follow them alike):

- A failure is retried unless retrying cannot help (``is_transient``).
- Delays grow with consecutive failures (``Backoff``), and the growth resets only
  after a connection stayed open for ``Backoff.reset_after``.
- A delay the server sets (SSE ``retry:``, HTTP ``Retry-After``) is clamped to
  ``[MIN_SERVER_DELAY, Backoff.maximum]``: no value a server sends can crash the
  client, park it for years or make it hammer the server. ``retry:`` replaces the
  base delay, which still grows; ``Retry-After`` is a floor under the grown delay,
  and its jitter is added on top, so that clients never come back earlier than asked.
- A client that has never been open gives up its first connection after
  ``first_connect_timeout`` seconds, with the last error.
"""

from __future__ import annotations

import email.utils
import math
import random
import ssl
import time
from collections.abc import Callable

from ._sse.check import UNFOLLOWABLE
from ._ws.handshake import HeadTooLarge
from .backoff import Backoff
from .errors import HandshakeError, ProxyError, PushError

_RETRY_STATUSES = frozenset({408, 429})
#: The shortest delay a server can ask for: ``retry: 0`` must not become a busy loop.
MIN_SERVER_DELAY = 0.1
#: Causes of a failure that every attempt would meet again.
_SAME_EVERY_TIME = (ssl.SSLCertVerificationError, HeadTooLarge, *UNFOLLOWABLE)
#: Fatal TLS errors other than certificate failures: retrying cannot fix them.
_FATAL_SSL_REASONS = frozenset({"WRONG_VERSION_NUMBER"})


def is_transient(error: PushError) -> bool:
    """Whether reconnecting after ``error`` can help (the reconnect rules).

    Besides 4xx answers, a server that sends the same thing on every attempt is not
    retried: a certificate that fails verification, a plain-text server behind a
    wss:// URL (TLS WRONG_VERSION_NUMBER), a handshake response head over the caps,
    a proxy that refused the tunnel with a 4xx (407: credentials), an SSE redirect to
    a URL that cannot be fetched (ws://, ftp://).
    """
    cause: BaseException | None = error.__cause__
    while cause is not None:
        if isinstance(cause, _SAME_EVERY_TIME):
            return False
        if isinstance(cause, ssl.SSLError) and cause.reason in _FATAL_SSL_REASONS:
            return False
        cause = cause.__cause__
    if isinstance(error, HandshakeError):
        return error.status >= 500 or error.status in _RETRY_STATUSES
    if isinstance(error, ProxyError) and error.status is not None:
        return error.status >= 500 or error.status in _RETRY_STATUSES
    return True


def retry_after(error: PushError | None) -> float | None:
    """The delay a 429/503 response asks for in ``Retry-After``, if any (unclamped)."""
    if not isinstance(error, HandshakeError):
        return None
    value = next((v for k, v in error.headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # "²".isdigit() is True, too
        return float(value)  # float() takes any length; a huge value is inf, clamped later
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(when.timestamp() - time.time(), 0.0)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def clamp_server_delay(seconds: float, maximum: float) -> float:
    """A server-set delay within ``[MIN_SERVER_DELAY, maximum]`` (NaN counts as the floor)."""
    if math.isnan(seconds):
        return MIN_SERVER_DELAY
    return min(max(seconds, MIN_SERVER_DELAY), max(maximum, MIN_SERVER_DELAY))


class ReconnectSchedule:
    """Counts failures and decides, after each connection or attempt, when to retry.

    Pure logic with an injectable clock and random source, so that the rules are
    tested without waiting.
    """

    __slots__ = (
        "_clock",
        "_opened_at",
        "_rng",
        "_started",
        "attempt",
        "backoff",
        "ever_opened",
        "failures",
        "first_connect_timeout",
        "gave_up_because",
    )

    def __init__(
        self,
        backoff: Backoff | None,
        *,
        first_connect_timeout: float | None,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.backoff = backoff
        self.first_connect_timeout = first_connect_timeout
        self._clock = clock
        self._rng = rng
        self._started = clock()
        self._opened_at: float | None = None
        self.ever_opened = False
        #: Consecutive attempts without a lasting connection (drives the growth).
        self.failures = 0
        #: Attempts since the last open, as reported to ``on_reconnect``.
        self.attempt = 0
        #: Why the last ``next_delay`` returned None, for the log.
        self.gave_up_because = ""

    def opened(self) -> None:
        """A connection opened: the attempt count restarts."""
        self.ever_opened = True
        self.attempt = 0
        self._opened_at = self._clock()

    def next_delay(self, error: PushError | None, server_retry: float | None) -> float | None:
        """The delay before the next attempt, or None to give up.

        Args:
            error: what ended the last connection or attempt (None: a clean end).
            server_retry: the SSE ``retry:`` delay in seconds, if the server set one.
        """
        backoff = self.backoff
        if backoff is None:
            self.gave_up_because = "reconnect is off"
            return None
        opened_at, self._opened_at = self._opened_at, None
        if opened_at is not None and self._clock() - opened_at >= backoff.reset_after:
            self.failures = 0
        self.failures += 1
        self.attempt += 1
        if backoff.max_attempts is not None and self.attempt > backoff.max_attempts:
            self.gave_up_because = f"max_attempts={backoff.max_attempts} spent"
            return None
        base = None if server_retry is None else clamp_server_delay(server_retry, backoff.maximum)
        delay = backoff.delay(self.failures, initial=base, rng=self._rng)
        asked = retry_after(error)
        if asked is not None:
            floor = clamp_server_delay(asked, backoff.maximum)
            if delay < floor:
                spread = floor * backoff.jitter * (self._rng or random).random()
                delay = min(floor + spread, max(backoff.maximum, floor))
        budget = self.first_connect_timeout
        if (
            not self.ever_opened
            and budget is not None
            and error is not None
            and self._clock() - self._started + delay > budget
        ):
            self.gave_up_because = f"no connection within first_connect_timeout={budget} s"
            return None
        return delay
