"""File > Open JSON Lines: an export read back into a read-only tab."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel

from pushsdk.recording import Header
from pushsdk_monitor.decoders import JsonlError
from pushsdk_monitor.formats.export import export_jsonl
from pushsdk_monitor.main_window import MainWindow
from pushsdk_monitor.models.records import Direction, make_record
from pushsdk_monitor.recording_tab import RecordingTab
from pushsdk_monitor.settings import MonitorSettings
from tests.gui.fakes import FakeFactory

RECORDS = [
    make_record("connected", direction=Direction.SYSTEM, event="open", timestamp=100.0),
    make_record('{"type": "trade", "px": 5}', event="trade", id="1", timestamp=100.5),
    make_record('{"type": "quote", "px": 6}', event="quote", id="2", timestamp=101.0),
    make_record(b"\x00\x01", direction=Direction.OUT, timestamp=101.5),
]


@pytest.fixture
def window(qtbot, settings: MonitorSettings, fake_factory: FakeFactory) -> Iterator[MainWindow]:
    window = MainWindow(settings, factory=fake_factory, capacity=1000)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


def test_an_export_opens_read_only_with_filters_and_detail(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "capture.jsonl"
    export_jsonl(RECORDS, path, Header("ws", "ws://x.test/feed"))
    tab = window.open_file(path)
    assert isinstance(tab, RecordingTab)
    assert window.current_tab() is tab
    assert window.tabs.tabText(window.tabs.currentIndex()) == "capture.jsonl"
    assert tab.controller.model.records() == RECORDS
    assert not tab.bar.isVisibleTo(tab) and not tab.composer.isVisibleTo(tab)
    panel = tab.status_panel
    assert not panel.badge.isVisibleTo(tab) and not panel.counters_label.isVisibleTo(tab)
    assert not panel.chart.isVisibleTo(tab) and not tab.pause_button.isVisibleTo(tab)
    assert tab.info_label.text() == (
        "Read-only: capture.jsonl  ·  4 rows  ·  recorded from ws://x.test/feed"
    )
    # The same filter bar (events seen in the file are offered) and detail pane.
    assert {a.text() for a in tab.filter_bar.events_menu.actions() if a.isCheckable()} == {
        "open",
        "trade",
        "quote",
        "message",
    }
    tab.filter_bar.path_button.click()
    tab.filter_bar.text_edit.setText("$.px > 5")
    tab.filter_bar.apply()
    assert tab.controller.proxy.rowCount() == 1
    tab.view.selectionModel().select(
        tab.controller.proxy.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert tab.detail.record == RECORDS[2]
    qtbot.waitUntil(lambda: tab.shown_label.text() == "1 of 4 shown", timeout=5000)
    # Nothing connects from here.
    assert not tab.connect_to("ws://x.test/feed")
    assert "this tab shows a file" in panel.note_label.full_text
    assert panel.note_label.isVisibleTo(tab)
    assert tab.export(tmp_path / "again.jsonl") == 1  # the filtered rows, as from a live tab


def test_an_sse_recording_offers_the_llm_view(qtbot, window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    chunks = [
        json.dumps(
            {
                "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": {"content": part}}],
            }
        )
        for part in ("Hi ", "there")
    ]
    records = [make_record(c, timestamp=1.0 + n) for n, c in enumerate([*chunks, "[DONE]"])]
    export_jsonl(records, path, Header("sse", "http://x.test/v1/chat/completions"))
    tab = window.open_file(path)
    assert tab.side_tabs.isTabVisible(1)
    assert not tab.filter_bar.direction_buttons[Direction.OUT].isVisibleTo(tab)
    qtbot.waitUntil(lambda: tab.llm_view.text_view.toPlainText() == "Hi there", timeout=5000)


def test_a_file_over_capacity_keeps_the_newest_rows_and_says_so(
    qtbot, settings: MonitorSettings, tmp_path: Path
) -> None:
    window = MainWindow(settings, capacity=2)
    qtbot.addWidget(window)
    path = tmp_path / "big.jsonl"
    export_jsonl(RECORDS, path)
    tab = window.open_file(path)
    assert tab.controller.model.records() == RECORDS[2:]
    assert "2 older rows left out (over the log capacity)" in tab.info_label.text()


def test_a_bad_file_names_the_line(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    export_jsonl(RECORDS, path)
    with open(path, "a", encoding="utf-8") as file:
        file.write("{oops\n")
    with pytest.raises(JsonlError, match=r"bad.jsonl, line 5: not JSON"):
        window.open_file(path)
    assert window.tabs.count() == 0
    with pytest.raises(OSError):
        window.open_file(tmp_path / "missing.jsonl")


def test_the_open_action_is_in_the_file_menu(window: MainWindow) -> None:
    assert window.open_action.shortcut().toString() == "Ctrl+O"
    file_menu = window.menuBar().actions()[0].menu()
    assert window.open_action in file_menu.actions()
