"""The pieces of a WebSocket message being assembled, in memory bounded by its size."""

from __future__ import annotations

from typing import AnyStr, Generic

__all__ = ["GATHER", "SMALL_PART", "Parts"]

#: Message parts shorter than this are gathered and joined in batches (see ``Parts``).
SMALL_PART = 512
#: Most small parts gathered before they are joined into one.
GATHER = 256


class Parts(Generic[AnyStr]):
    """The pieces of a message being assembled, in memory proportional to its size.

    A server may split a message into millions of tiny or empty fragments: kept one
    list entry each, their bookkeeping would cost ~40 bytes per fragment whatever
    ``max_message_size`` says. Empty pieces are dropped and pieces under SMALL_PART
    are gathered, GATHER at most, and joined into one, so every entry kept holds at
    least GATHER (or SMALL_PART) bytes; large pieces are kept as they come (no copy).
    """

    __slots__ = ("_empty", "_gathered", "_gathered_size", "kept")

    def __init__(self, empty: AnyStr) -> None:
        self._empty: AnyStr = empty
        self.kept: list[AnyStr] = []
        self._gathered: list[AnyStr] = []
        self._gathered_size = 0

    def add(self, part: AnyStr) -> None:
        if len(part) >= SMALL_PART:
            if self._gathered:
                self._join_gathered()
            self.kept.append(part)
            return
        self._gathered.append(part)
        self._gathered_size += len(part)
        if len(self._gathered) >= GATHER or self._gathered_size >= SMALL_PART:
            self._join_gathered()

    def _join_gathered(self) -> None:
        gathered = self._gathered
        self.kept.append(gathered[0] if len(gathered) == 1 else self._empty.join(gathered))
        self._gathered = []
        self._gathered_size = 0

    def join(self) -> AnyStr:
        """The whole message."""
        if self._gathered:
            self._join_gathered()
        kept = self.kept
        return kept[0] if len(kept) == 1 else self._empty.join(kept)
