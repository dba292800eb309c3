"""Waiting for a client to end in tests that check how it ended by other means."""

from __future__ import annotations

from pushsdk import Client, PushError

WAIT = 5.0


def ended(client: Client, timeout: float = WAIT) -> bool:
    """``client.join(timeout)``, but True too when it ended with an error (join raises it)."""
    try:
        return client.join(timeout)
    except PushError:
        return True
