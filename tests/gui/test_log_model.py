"""The log model and the filter proxy, checked by Qt's own model tester."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from pushsdk_monitor.models.filter_proxy import FilterProxy, LogFilter
from pushsdk_monitor.models.log_model import (
    COL_DIRECTION,
    COL_PREVIEW,
    COL_SIZE,
    RECORD_ROLE,
    LogModel,
)
from pushsdk_monitor.models.records import make_record


def batch(start: int, count: int, event: str = "message") -> list:
    return [make_record(f"message {i}", event=event) for i in range(start, start + count)]


def test_model_tester_while_appending_past_capacity(qtmodeltester) -> None:
    model = LogModel(capacity=100)
    qtmodeltester.check(model, force_py=True)
    model.append(batch(0, 60))
    model.append(batch(60, 60))  # 20 evicted
    model.append(batch(120, 250))  # larger than capacity: only the last 100 kept
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 100
    assert model.appended == 370
    assert model.evicted == 270
    assert model.record(0).payload == "message 270"
    assert model.record(99).payload == "message 369"


def test_eviction_is_one_removal_and_one_insertion_per_batch(qtbot) -> None:
    model = LogModel(capacity=10)
    model.append(batch(0, 8))
    removed: list[tuple[int, int]] = []
    inserted: list[tuple[int, int]] = []
    model.rowsRemoved.connect(lambda _p, first, last: removed.append((first, last)))
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    model.append(batch(8, 5))
    assert removed == [(0, 2)]
    assert inserted == [(5, 9)]


def test_cells_and_roles() -> None:
    model = LogModel()
    model.append([make_record("héllo", event="greet", id="7"), make_record(b"\x00\x01")])
    row0 = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert row0[1:] == ["▼ in", "greet", "7", "6", "héllo"]
    assert model.data(model.index(1, COL_PREVIEW)) == "00 01  |..|"
    assert model.data(model.index(1, COL_DIRECTION)) == "▼ bin"

    assert model.data(model.index(0, COL_SIZE), Qt.ItemDataRole.TextAlignmentRole)
    assert model.data(model.index(0, COL_DIRECTION), Qt.ItemDataRole.ForegroundRole) is not None
    assert model.data(model.index(1, 0), RECORD_ROLE).payload == b"\x00\x01"
    assert model.headerData(5, Qt.Orientation.Horizontal) == "Preview"


def test_text_and_binary_frames_look_different() -> None:
    model = LogModel()
    model.append([make_record("hi"), make_record(b"hi")])
    fg = Qt.ItemDataRole.ForegroundRole
    assert model.data(model.index(0, COL_DIRECTION)) != model.data(model.index(1, COL_DIRECTION))
    assert model.data(model.index(0, COL_PREVIEW), fg) is None
    assert model.data(model.index(1, COL_PREVIEW), fg) is not None
    assert model.data(model.index(1, COL_PREVIEW)) == "68 69  |hi|"


def test_clear_counts_rows_as_cleared_not_evicted() -> None:
    model = LogModel(capacity=5)
    model.append(batch(0, 4))
    model.clear()
    assert (model.rowCount(), model.cleared, model.evicted, model.appended) == (0, 4, 0, 4)


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="capacity"):
        LogModel(capacity=0)


def test_model_tester_on_the_filter_proxy(qtmodeltester) -> None:
    model = LogModel(capacity=50)
    proxy = FilterProxy(model)
    model.append(batch(0, 30) + batch(30, 10, event="ping"))
    qtmodeltester.check(proxy, force_py=True)
    proxy.set_filter(LogFilter(hidden_events=frozenset({"ping"})))
    assert proxy.rowCount() == 30
    model.append(batch(40, 30, event="ping"))  # evicts 20 plain messages
    assert proxy.rowCount() == 10
    proxy.set_filter(LogFilter(text="message 6", exclude=True))
    qtmodeltester.check(proxy, force_py=True)
    assert proxy.rowCount() == 50 - 10  # 60..69 hidden
    assert all("message 6" not in r.payload for r in proxy.records())
    assert proxy.record(0).payload == "message 20"


def sized(size: int, tag: str = "") -> object:
    return make_record(tag + "x" * (size - len(tag)))


def test_the_log_keeps_at_most_max_bytes_of_payload(qtmodeltester) -> None:
    """Rows alone bound nothing when messages are big: 100,000 of 1 MiB is 100 GiB."""
    model = LogModel(capacity=100, max_bytes=1000)
    qtmodeltester.check(model, force_py=True)
    model.append([sized(300, f"{i}:") for i in range(3)])
    assert (model.rowCount(), model.payload_bytes, model.evicted) == (3, 900, 0)
    model.append([sized(300, "3:")])  # the oldest goes
    assert [str(r.payload)[:2] for r in model.records()] == ["1:", "2:", "3:"]
    assert (model.payload_bytes, model.evicted) == (900, 1)
    model.append([sized(400, f"{i}:") for i in range(4, 8)])  # the batch alone is too big
    assert [str(r.payload)[:2] for r in model.records()] == ["6:", "7:"]
    assert (model.payload_bytes, model.evicted, model.appended) == (800, 6, 8)
    model.append([sized(5000, "8:")])  # bigger than the budget: still shown, alone
    assert [str(r.payload)[:2] for r in model.records()] == ["8:"]
    assert model.payload_bytes == 5000
    model.clear()
    assert model.payload_bytes == 0
    with pytest.raises(ValueError, match="max_bytes"):
        LogModel(max_bytes=0)
