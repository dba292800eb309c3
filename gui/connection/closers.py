"""Closing clients without blocking the GUI thread, and waiting for them at exit."""

from __future__ import annotations

import threading
import time

from .clients import PushClient

__all__ = ["CLOSE_TIMEOUT", "close_in_background", "wait_for_closers"]

#: Seconds a closing client gets before pushsdk cuts its socket.
CLOSE_TIMEOUT = 1.0

_closers: set[threading.Thread] = set()
_closers_lock = threading.Lock()


def wait_for_closers(timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for clients still closing; True if all ended."""
    deadline = time.monotonic() + timeout
    with _closers_lock:
        threads = list(_closers)
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0.0))
    return not any(t.is_alive() for t in threads)


def close_in_background(client: PushClient, code: int = 1000, reason: str = "") -> None:
    """Close ``client`` on a worker thread (a hung server must not freeze the window)."""

    def run() -> None:
        try:
            client.close(code, reason, timeout=CLOSE_TIMEOUT)
        except Exception:  # a failing close must not kill the worker
            pass
        finally:
            with _closers_lock:
                _closers.discard(thread)

    thread = threading.Thread(target=run, name="monitor-close", daemon=True)
    with _closers_lock:
        _closers.add(thread)
    thread.start()
