"""Starting threads that leave asynchronous signals (Ctrl+C...) to the main thread.

CPython runs signal handlers in the main thread only, but the kernel hands a
process-wide signal such as Ctrl+C's SIGINT to any thread that does not block it.
When it picks a client's thread, the main thread is not woken: blocked in ``join()``,
``wait_open()`` or ``for message in client``, it sees Ctrl+C only when that wait
ends, which may be never. A thread started here blocks those signals from its first
instruction (a thread inherits its creator's signal mask), so the kernel delivers
them to a thread that handles them.
"""

from __future__ import annotations

import signal
import threading

__all__ = ["start_without_signals"]

#: The signals a program handles asynchronously (terminal, termination, timers, user).
ASYNC_SIGNALS = frozenset(
    getattr(signal, name)
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGALRM", "SIGUSR1", "SIGUSR2")
    if hasattr(signal, name)
)


def start_without_signals(thread: threading.Thread) -> None:
    """Start ``thread`` with ASYNC_SIGNALS blocked in it (POSIX; elsewhere just start it).

    The calling thread's mask is changed only while the thread starts: a signal that
    arrives meanwhile waits, and is delivered once the mask is restored.
    """
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no per-thread masks
        thread.start()
        return
    # The mask as it is, read apart: blocking returns the old mask only if no handler
    # raises (``pthread_sigmask`` runs pending handlers, e.g. Ctrl+C's, before it
    # returns), and a KeyboardInterrupt there must not leave the signals blocked.
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, ())
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, ASYNC_SIGNALS)
        thread.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
