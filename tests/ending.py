"""Waiting for a client to end in tests that check how it ended by other means, and
saying what still runs when one did not."""

from __future__ import annotations

import sys
import threading
import traceback
from typing import Any

from pushsdk import Client, PushError, ReadyState

WAIT = 5.0


def ended(client: Client, timeout: float = WAIT) -> bool:
    """``client.join(timeout)``, but True too when it ended with an error (join raises it)."""
    try:
        return client.join(timeout)
    except PushError:
        return True


def run_to_end(client: Client[Any], timeout: float = WAIT) -> list[PushError]:
    """Start ``client`` and wait until it ends for good; return what it reported to on_error."""
    errors: list[PushError] = []
    client.on_error = lambda _c, error: errors.append(error)
    client.start()
    finished = ended(client, timeout)
    if not finished:
        client.close()
    assert finished, f"client did not end within {timeout} s: {errors!r}"
    assert client.ready_state is ReadyState.CLOSED
    return errors


def thread_stacks() -> str:
    """Every thread's stack: the message for a test that finds a thread still running."""
    frames = sys._current_frames()
    return "\n".join(
        f"--- {thread.name}\n" + "".join(traceback.format_stack(frames[thread.ident]))
        for thread in threading.enumerate()
        if thread.ident in frames
    )
