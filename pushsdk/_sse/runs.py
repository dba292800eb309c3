"""Runs of events of one shape, taken apart in bulk: the event-stream parser's fast path.

Streams repeat one shape, e.g. ``id: 7`` / ``data: {...}`` / blank line. When every
line of a run starts with the ``name: `` of its place in that shape (a ``data``, at
most one ``id`` and one non-empty ``event``), the spec's steps give exactly these
events, found here with C-level list and str operations instead of a Python step per
line. Pure functions over complete lines (no LF in them); the parser keeps the state.
"""

from __future__ import annotations

from itertools import repeat

#: A dispatched event: (data, event type, last event ID at dispatch).
Event = tuple[str, str, str]

#: The fields of a regular run, as its lines start.
_REGULAR_PREFIXES = ("data: ", "id: ", "event: ")
#: Events a regular run is first checked over; a shorter run ends the bulk path for
#: the rest of the read, so that a stream of mixed shapes costs no more than before.
FIRST_WINDOW = 8


def take_run(
    lines: list[str], start: int, events: list[Event], last_id: str
) -> tuple[int, int, str]:
    """Dispatch at once the events from ``start`` on that share the first one's shape.

    ``last_id`` is the last event ID so far. The run is checked in windows that double
    while all rows match, so the work stays in proportion to the events found.
    Returns where the run ends, how many events it held and the last event ID after it.
    """
    shape = _shape(lines, start)
    if shape is None:
        return start, 0, last_id
    period = len(shape) + 1
    available = (len(lines) - start) // period
    stop = start
    window = FIRST_WINDOW
    while available:
        rows = min(window, available)
        taken, last_id = _take_rows(lines, stop, shape, rows, events, last_id=last_id)
        stop += taken * period
        if taken < rows:
            break
        available -= rows
        window *= 2
    return stop, (stop - start) // period, last_id


def _take_rows(
    lines: list[str], start: int, shape: list[str], rows: int, events: list[Event], *, last_id: str
) -> tuple[int, str]:
    """Dispatch the first of ``rows`` events of ``shape`` from ``start`` that match it;
    return how many, and the last event ID after them."""
    period = len(shape) + 1
    blanks = lines[start + period - 1 : start + rows * period : period]
    if any(blanks):
        rows = list(map(bool, blanks)).index(True)
    values: dict[str, list[str]] = {}
    for offset, prefix in enumerate(shape):
        column = lines[start + offset : start + rows * period : period]
        found = _values(column, prefix)
        if len(found) != rows + 1:  # the run ends before the first line without it
            rows = list(map(str.startswith, column, repeat(prefix))).index(False)
            found = _values(column[:rows], prefix)
        values[prefix] = found
    data = values["data: "][1 : rows + 1]
    ids = values.get("id: ", [""])[1 : rows + 1]
    types = values.get("event: ", [""])[1 : rows + 1]
    if ids and "\0" in "".join(ids):  # such an id is ignored: the slow path says how
        rows = next(i for i, value in enumerate(ids) if "\0" in value)
    if types and not all(types[:rows]):  # an empty type means "message"
        rows = types.index("")
    if not rows:
        return 0, last_id
    if ids:
        last_id = ids[rows - 1]
    events.extend(
        zip(
            data[:rows],
            types[:rows] if types else repeat("message", rows),
            ids[:rows] if ids else repeat(last_id, rows),
            strict=True,
        )
    )
    return rows, last_id


def _shape(lines: list[str], start: int) -> list[str] | None:
    """The field prefixes of the event at ``start``, if a regular run can start there."""
    try:
        blank = lines.index("", start)
    except ValueError:
        return None
    shape: list[str] = []
    for line in lines[start:blank]:
        prefix = next((p for p in _REGULAR_PREFIXES if line.startswith(p)), None)
        if prefix is None or prefix in shape:
            return None
        shape.append(prefix)
    return shape if "data: " in shape else None


def after_blank(lines: list[str], start: int) -> int:
    """The index after the first blank line from ``start`` (the next event's start)."""
    try:
        return lines.index("", start) + 1
    except ValueError:
        return len(lines)


def _values(lines: list[str], prefix: str) -> list[str]:
    """``""`` then what follows ``prefix`` in each line, if every line starts with it.

    Lines hold no LF, so the split yields one value per line, unless a line lacks the
    prefix: it then merges into the value before it, and the list comes out short.
    """
    return ("\n" + "\n".join(lines)).split("\n" + prefix)
