"""``--record FILE``: every message and connection event of a run, written as it happens.

A file that cannot be written (a full disk, a missing directory) is said in one
line, ``failure``, and the run ends on it rather than lose the recording quietly.
"""

from __future__ import annotations

import contextlib
from typing import IO

from ..recording import Entry, Header, RecordingWriter

__all__ = ["Recorder"]


class Recorder:
    """Writes one run's entries to ``path``; nothing at all if ``path`` is None."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._writer: RecordingWriter | None = None
        #: Why the recording stopped (a write failed), or "".
        self.failure = ""

    def open(self, header: Header) -> None:
        """Create the file and write the header.

        Raises:
            OSError: the file cannot be created or written; ``failure`` says it.
        """
        if self.path is None:
            return
        try:
            file: IO[str] = open(self.path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as exc:
            self.failure = self._cannot_write(exc)
            raise
        try:
            self._writer = RecordingWriter(file, header)
        except OSError as exc:  # e.g. a full disk: the header could not be flushed
            with contextlib.suppress(OSError):
                file.close()  # now, or the finalizer tries the flush again at exit
            self.failure = self._cannot_write(exc)
            raise

    def write(self, entry: Entry) -> None:
        """Record ``entry``; after a failed write, stop (``failure`` says why)."""
        writer = self._writer
        if writer is None:
            return
        try:
            writer.write(entry)
        except OSError as exc:
            self._writer = None
            self.failure = self._cannot_write(exc)
            with contextlib.suppress(OSError):
                writer.close()

    def system(self, when: float, event: str, text: str) -> None:
        """Record a connection event (open, close, error, reconnect) described by ``text``."""
        self.write(Entry(when, "system", event, None, text))

    def close(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            with contextlib.suppress(OSError):
                writer.close()

    def _cannot_write(self, exc: OSError) -> str:
        return f"cannot write {self.path}: {exc.strerror or exc}"
