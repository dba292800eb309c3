"""Records and the buffer SDK threads hand them over in (no Qt)."""

from __future__ import annotations

import threading
import time

import pytest

from pushsdk_monitor.models.records import PREVIEW_CHARS, Direction, RecordBuffer, make_record


@pytest.mark.parametrize(
    ("payload", "size", "preview"),
    [
        ("hello", 5, "hello"),
        ("héllo", 6, "héllo"),
        ("a\nb\tc\r", 6, "a⏎b c "),
        ("x" * 500, 500, "x" * PREVIEW_CHARS),
        (b"\x00\xff", 2, "00 ff  |..|"),
        (b"hi\x00", 3, "68 69 00  |hi.|"),
        (b"A" * 100, 100, " ".join(["41"] * (PREVIEW_CHARS // 5)) + " …  |" + "A" * 40 + "|"),
    ],
)
def test_make_record_formats_cells_once(payload: str | bytes, size: int, preview: str) -> None:
    record = make_record(payload)
    assert (record.size, record.preview, record.payload) == (size, preview, payload)
    assert record.direction is Direction.IN
    assert record.is_binary is isinstance(payload, bytes)


def test_time_text_is_local_time_with_milliseconds() -> None:
    when = time.mktime((2026, 1, 2, 3, 4, 5, 0, 0, -1)) + 0.0789
    record = make_record("x", timestamp=when, event="ping", id="42", direction=Direction.OUT)
    assert record.time_text == "03:04:05.078"
    assert (record.event, record.id, record.direction) == ("ping", "42", Direction.OUT)
    assert make_record("x").id == ""


def test_buffer_accounts_for_every_record_across_threads() -> None:
    buffer = RecordBuffer(limit=1000)
    record = make_record("x")
    drained = 0

    def producer() -> None:
        for _ in range(5000):
            buffer.push(record)

    threads = [threading.Thread(target=producer) for _ in range(4)]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        drained += len(buffer.drain())
    for thread in threads:
        thread.join()
    drained += len(buffer.drain())
    assert buffer.pushed == 20_000
    assert drained + buffer.dropped == 20_000


def test_buffer_drops_oldest_beyond_limit() -> None:
    buffer = RecordBuffer(limit=3)
    for i in range(5):
        buffer.push(make_record(str(i)))
    assert buffer.dropped == 2
    assert [r.payload for r in buffer.drain()] == ["2", "3", "4"]
    assert buffer.drain() == []
    with pytest.raises(ValueError, match="limit"):
        RecordBuffer(0)


def test_buffer_drops_oldest_beyond_max_bytes() -> None:
    buffer = RecordBuffer(limit=100, max_bytes=10)
    for text in ("aaaa", "bbbb", "cccc", "dd"):
        buffer.push(make_record(text))
    assert buffer.dropped == 1
    assert [r.payload for r in buffer.drain()] == ["bbbb", "cccc", "dd"]
    buffer.push(make_record("e" * 50))  # bigger than the budget: kept, alone
    buffer.push(make_record("f" * 50))
    assert [r.payload for r in buffer.drain()] == ["f" * 50]
    assert buffer.dropped == 2
    assert buffer.lost_received == (2, 54)  # the counters still count them as received
