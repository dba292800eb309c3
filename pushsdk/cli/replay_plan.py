"""What ``pushsdk replay`` sends, and when: pure logic, no sockets.

A recording's received messages (``"in"`` entries) are played in order. Each
waits as long after the one before as it did when recorded; the time a client
spent disconnected (from a ``close`` to the next ``open``) is left out. SSE
playback starts after the event a ``Last-Event-ID`` names, and writes the
original ``id:`` and ``event:`` fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..recording import Entry, Recording

__all__ = ["Plan", "Step", "make_plan", "sse_event"]


@dataclass(frozen=True, slots=True)
class Step:
    """One message to send, ``delay`` seconds (unscaled) after the previous one."""

    delay: float
    event: str
    id: str | None
    data: str | bytes


@dataclass(frozen=True)
class Plan:
    protocol: str
    steps: tuple[Step, ...]

    def resume_index(self, last_event_id: str) -> int:
        """Where to start for a client that last saw ``last_event_id`` (0: the start).

        Resumes after the event that set that id, as the recorded server would have;
        an id the recording does not hold starts from the beginning.
        """
        if not last_event_id:
            return 0
        previous: str | None = None
        for index, step in enumerate(self.steps):
            if step.id == last_event_id and previous != last_event_id:
                return index + 1
            previous = step.id
        return 0

    def schedule(
        self, start: int, speed: float | None, *, loop: bool = False
    ) -> Iterator[tuple[float, Step]]:
        """(seconds to wait, step) from ``start``; ``speed`` None: no waiting."""
        index = start
        while True:
            for step in self.steps[index:]:
                yield (0.0 if speed is None else step.delay / speed), step
            if not loop or not self.steps:
                return
            index = 0


def infer_protocol(recording: Recording) -> str | None:
    """``"ws"`` or ``"sse"`` from the header or the entries; None if they do not tell."""
    if recording.header.protocol is not None:
        return recording.header.protocol
    entries = recording.entries
    if any(e.direction == "in" and e.id for e in entries):
        return "sse"
    if any(e.direction == "out" or isinstance(e.data, bytes) for e in entries):
        return "ws"  # SSE has no messages out, and no binary
    return None


def make_plan(recording: Recording, protocol: str) -> Plan:
    steps: list[Step] = []
    previous: float | None = None
    for entry in recording.entries:
        if entry.direction == "system" and entry.event == "open":
            previous = entry.time  # the first message waits from its connection's open
        elif entry.direction == "in":
            delay = 0.0 if previous is None else max(entry.time - previous, 0.0)
            steps.append(Step(delay, entry.event, entry.id, entry.data))
            previous = entry.time
    return Plan(protocol, tuple(steps))


def _field(text: str) -> str:
    """A field value that cannot end its line early (hand-edited recordings)."""
    return text.replace("\r", " ").replace("\n", " ")


def sse_event(step: Step, current_id: str) -> tuple[bytes, str]:
    """The bytes of one event, and the client's last event ID after it."""
    lines: list[str] = []
    new_id = _field(step.id or "")
    if new_id != current_id:
        lines.append(f"id: {_field(new_id)}" if new_id else "id")
    if step.event != "message":
        lines.append(f"event: {_field(step.event)}")
    data = step.data if isinstance(step.data, str) else step.data.decode("utf-8", "replace")
    data = data.replace("\r\n", "\n").replace("\r", "\n")
    lines += [f"data: {line}" for line in data.split("\n")]
    return ("\n".join(lines) + "\n\n").encode("utf-8"), new_id


def summary(entries: list[Entry]) -> int:
    """The number of messages a recording will play."""
    return sum(1 for e in entries if e.direction == "in")
