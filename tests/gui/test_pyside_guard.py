"""Guard against PySide6 6.12.0's reference-count bug on CPython < 3.12.

That release drops a reference to ``None`` on every void Qt call (and to ``True``
on every signal emit); after a few thousand calls the interpreter aborts with
"Fatal Python error: bool_dealloc". pyproject excludes it; this test catches a
PySide6 with the same bug before the monitor crashes in front of a user.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

CALLS = 1000


def test_void_calls_keep_none_referenced() -> None:
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        obj.setObjectName("guard")
    after = sys.getrefcount(None)
    assert after >= before - CALLS // 10, f"references to None fell from {before} to {after}"


class _Emitter(QObject):
    fired = Signal(bool)


def test_signal_emits_keep_true_referenced() -> None:
    emitter = _Emitter()
    received: list[bool] = []
    emitter.fired.connect(received.append)
    before = sys.getrefcount(True)
    for _ in range(CALLS):
        emitter.fired.emit(True)
    received.clear()
    after = sys.getrefcount(True)
    assert after >= before - CALLS // 10, f"references to True fell from {before} to {after}"
