"""Everything the command writes: messages to stdout, status and errors to stderr.

stdout carries only data: the message text (binary as hex or base64), or one JSON
object per message with ``--jsonl``; it is written as UTF-8 whatever the locale,
and flushed whenever no more messages are waiting, so that ``| jq`` sees each one
at once. On a terminal, messages of a named event get a coloured prefix, and
stderr gets status lines (connecting, open, reconnecting, closed); without a
terminal, stderr says only what went wrong: each failure the run retries after
(why, and when the next try is), and the one line of a fatal error. Text a
server chose (close reasons, error bodies, event names) reaches stderr and labels
without control characters, so it cannot drive the terminal; message data on
stdout is written as it came, as cat and curl do.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from typing import BinaryIO

from ..message import Message
from ..recording import Entry, entry_to_dict

__all__ = ["Console", "format_data", "printable"]

_RESET = "\033[0m"
COLORS = {
    "dim": "\033[2m",
    "red": "\033[31m",
    "green": "\033[32m",
    "yellow": "\033[33m",
    "cyan": "\033[36m",
}


#: C0 and C1 control characters but tab: a server's text must not drive the terminal.
_CONTROLS = {c: "\ufffd" for c in (*range(0x20), *range(0x7F, 0xA0)) if c != 0x09}


def printable(text: str) -> str:
    """``text`` with control characters (escape sequences, bells, ...) replaced."""
    return text.translate(_CONTROLS)


def format_data(data: str | bytes, binary_format: str) -> str:
    """A message's data as one printable text: itself, or binary as hex or base64."""
    if isinstance(data, str):
        return data
    if binary_format == "base64":
        return base64.b64encode(data).decode("ascii")
    return data.hex()


def _is_tty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def _use_color(setting: str, tty: bool) -> bool:
    if setting != "auto":
        return setting == "always"
    return tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


class Console:
    """Writes messages, status lines and error lines for one run."""

    def __init__(
        self,
        *,
        jsonl: bool = False,
        binary_format: str = "hex",
        color: str = "auto",
        verbose: bool = False,
        quiet: bool = False,
        stdout: BinaryIO | None = None,
        stderr: BinaryIO | None = None,
    ) -> None:
        self._out = stdout or sys.stdout.buffer
        self._err = stderr or sys.stderr.buffer
        out_tty = _is_tty(sys.stdout) if stdout is None else False
        err_tty = _is_tty(sys.stderr) if stderr is None else False
        self.jsonl = jsonl
        self.binary_format = binary_format
        self._out_color = _use_color(color, out_tty) and not jsonl
        self._err_color = _use_color(color, err_tty)
        self._label_events = out_tty and not jsonl
        self.show_status = not quiet and (verbose or err_tty)
        self.quiet = quiet
        self._pending = False

    # -- stdout ------------------------------------------------------------------

    def message(self, message: Message[str | bytes]) -> None:
        """Write one received message (not yet flushed: see ``flush``)."""
        if self.jsonl:
            entry = Entry(message.received_at, "in", message.event, message.id, message.data)
            line = json.dumps(entry_to_dict(entry), ensure_ascii=False)
        else:
            line = format_data(message.data, self.binary_format)
            if self._label_events and message.event != "message":
                label = printable(message.event)
                line = f"{self._paint(self._out_color, 'cyan', label)} {line}"
        self._out.write(line.encode("utf-8", "replace") + b"\n")
        self._pending = True

    def flush(self) -> None:
        if self._pending:
            self._pending = False
            self._out.flush()

    # -- stderr ------------------------------------------------------------------

    def status(self, text: str, color: str = "dim") -> None:
        """A status line (shown on a terminal, or with --verbose)."""
        if self.show_status:
            self._write_err(self._paint(self._err_color, color, f"* {printable(text)}"))

    def problem(self, text: str) -> None:
        """A failure the run goes on after (a retry): shown unless --quiet, terminal or not."""
        if not self.quiet:
            self._write_err(self._paint(self._err_color, "red", f"* {printable(text)}"))

    def error(self, text: str) -> None:
        """The one line of a fatal error (always shown)."""
        self.flush()
        line = printable(" ".join(text.split()))  # one line, whatever the text held
        self._write_err(self._paint(self._err_color, "red", f"pushsdk: {line}"))

    def _write_err(self, line: str) -> None:
        self.flush()  # data first: the status line after the messages it follows
        try:
            self._err.write(line.encode("utf-8", "replace") + b"\n")
            self._err.flush()
        except OSError:  # stderr is gone (2>&1 | head): there is no one left to tell
            pass

    @staticmethod
    def _paint(enabled: bool, color: str, text: str) -> str:
        return f"{COLORS[color]}{text}{_RESET}" if enabled else text
