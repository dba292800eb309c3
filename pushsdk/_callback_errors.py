"""What a client says when a user's callback raises, beyond reporting it to on_error."""

from __future__ import annotations

import logging

__all__ = ["migration_hint", "tell_unlogged"]


def migration_hint(exc: Exception) -> str:
    """A pointer for code written for websocket-client, whose on_message gets a str."""
    if isinstance(exc, AttributeError | TypeError) and "'Message'" in str(exc):
        return " (callbacks get a pushsdk.Message: its text or bytes are message.data)"
    return ""


def tell_unlogged(logger: logging.Logger, name: str, exc: Exception, hint: str) -> bool:
    """Show a failing callback on stderr if the program set up no logging; return whether.

    A library logs through a NullHandler, so a program that never configured logging
    would otherwise learn of a broken callback only from ``last_error``. The client
    does this once: further failures go to its logger only.
    """
    if _logging_configured(logger):
        return False
    record = logger.makeRecord(
        logger.name,
        logging.ERROR,
        __file__,
        0,
        "pushsdk: callback %s raised %r%s (reported to on_error; further callback "
        "errors go to the %r logger only: configure logging to see them)",
        (name, exc, hint, logger.name),
        (type(exc), exc, exc.__traceback__),
    )
    handler = logging.lastResort
    if handler is not None:
        handler.handle(record)
    return True


def _logging_configured(logger: logging.Logger) -> bool:
    """Whether a record from ``logger`` reaches any handler but a NullHandler."""
    current: logging.Logger | None = logger
    while current is not None:
        if any(not isinstance(h, logging.NullHandler) for h in current.handlers):
            return True
        if not current.propagate:
            return False
        current = current.parent
    return False
