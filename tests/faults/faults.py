"""What the fault proxy does to each connection: a ``Fault``, and seeded plans of them."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = ["Action", "Cut", "Direction", "Fault", "Plan", "periodic_cuts", "seeded_cuts"]

Action = Literal["fin", "rst", "stall", "drip"]
Cut = Literal["fin", "rst"]
#: "down" is upstream -> client (what a push server sends), "up" is client -> upstream.
Direction = Literal["down", "up"]


@dataclass(frozen=True)
class Fault:
    """A fault to apply to one connection.

    Attributes:
        action: "fin" or "rst" cut both directions; "stall" forwards nothing more
            (the sockets stay open); "drip" forwards ``drip_bytes`` every
            ``drip_interval`` seconds in ``direction`` from then on.
        after_bytes: act once exactly this many bytes went through in ``direction``
            on this connection (a cut then truncates whatever was in flight).
        after_seconds: act this long after the connection was accepted.
            With neither trigger, act at once.
        direction: the direction ``after_bytes`` counts and ``drip`` slows.
    """

    action: Action
    after_bytes: int | None = None
    after_seconds: float | None = None
    direction: Direction = "down"
    drip_bytes: int = 1
    drip_interval: float = 0.01


#: Called with the connection's index (0, 1, ...) when it is accepted; returns its fault.
Plan = Callable[[int], "Fault | None"]


def seeded_cuts(
    seed: int,
    min_bytes: int,
    max_bytes: int,
    actions: Sequence[Action] = ("fin", "rst"),
    direction: Direction = "down",
) -> Plan:
    """A plan giving each connection an ``actions`` fault after a random byte count.

    The same seed gives the same sequence of (action, byte count) per connection index.
    """
    rng = random.Random(seed)
    drawn: list[Fault] = []

    def plan(index: int) -> Fault:
        while len(drawn) <= index:
            after = rng.randint(min_bytes, max_bytes)
            drawn.append(Fault(rng.choice(actions), after_bytes=after, direction=direction))
        return drawn[index]

    return plan


def periodic_cuts(seconds: float, seed: int = 0, actions: Sequence[Cut] = ("fin", "rst")) -> Plan:
    """A plan cutting each connection ``seconds`` after it was accepted (FIN or RST, seeded)."""
    rng = random.Random(seed)
    drawn: list[Fault] = []

    def plan(index: int) -> Fault:
        while len(drawn) <= index:
            drawn.append(Fault(rng.choice(actions), after_seconds=seconds))
        return drawn[index]

    return plan
