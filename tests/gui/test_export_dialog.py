"""Export: the format the dialog's file type says, its extension added, which rows said."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from pushsdk_monitor import log_export
from pushsdk_monitor.settings import MonitorSettings
from pushsdk_monitor.tab import ConnectionTab
from pushsdk_monitor.views.export_dialog import export_filters, parse_choice
from tests.gui.fakes import FakeClient, FakeFactory

URL = "ws://fake.test/feed"
WAIT_MS = 5000


@pytest.fixture
def tab(qtbot, settings: MonitorSettings, fake_factory: FakeFactory) -> Iterator[ConnectionTab]:
    widget = ConnectionTab(settings, factory=fake_factory, capacity=1000)
    qtbot.addWidget(widget)
    widget.show()
    assert widget.connect_to(URL)
    client = fake_factory.last

    def action(c: FakeClient) -> None:
        for payload in ('{"n": 1}', "beat", "two"):
            c.message(payload)

    client.do(action)
    qtbot.waitUntil(lambda: widget.controller.model.rowCount() == 4, timeout=WAIT_MS)
    yield widget
    widget.shutdown()


def answer_save_dialog(path: Path, file_type: str) -> list[str]:
    """When the save dialog shows: pick ``file_type``, type ``path``, press Save.

    Returns the dialog's file types (filled in once it has shown).
    """
    seen: list[str] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(10, answer)
            return
        seen.extend(dialog.nameFilters())
        dialog.selectNameFilter(file_type)
        dialog.selectFile(str(path))
        dialog.accept()

    QTimer.singleShot(0, answer)
    return seen


def test_csv_chosen_and_no_extension_writes_csv(qtbot, tab, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(log_export, "NOTE_MS", 100)
    answer_save_dialog(tmp_path / "log", "CSV (*.csv)")
    tab.export_dialog()
    assert not (tmp_path / "log").exists()
    with open(tmp_path / "log.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert [r["data"] for r in rows] == ["connected", '{"n": 1}', "beat", "two"]
    note = tab.status_panel.note_label
    assert note.full_text == f"Exported 4 rows to {tmp_path / 'log.csv'}"
    qtbot.waitUntil(note.isHidden, timeout=WAIT_MS)  # the note goes away


def test_with_a_filter_the_dialog_offers_shown_or_all_rows(qtbot, tab, tmp_path) -> None:
    tab.filter_bar.text_edit.setText("beat")
    tab.filter_bar.exclude_button.setChecked(True)  # 3 of 4 shown
    filters = answer_save_dialog(tmp_path / "shown", "JSON Lines, the 3 shown rows (*.jsonl)")
    tab.export_dialog()
    assert filters == [
        "JSON Lines, the 3 shown rows (*.jsonl)",
        "CSV, the 3 shown rows (*.csv)",
        "JSON Lines, all 4 rows (*.jsonl)",
        "CSV, all 4 rows (*.csv)",
    ]
    lines = (tmp_path / "shown.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(x)["data"] for x in lines] == ["connected", '{"n": 1}', "two"]
    assert "3 shown (filter on) rows" in tab.status_panel.note_label.full_text

    answer_save_dialog(tmp_path / "all", "CSV, all 4 rows (*.csv)")
    tab.export_dialog()
    with open(tmp_path / "all.csv", newline="", encoding="utf-8") as file:
        assert len(list(csv.DictReader(file))) == 4


@pytest.mark.parametrize(
    ("path", "file_type", "expected", "suffix", "all_rows"),
    [
        ("/d/log", "CSV (*.csv)", "/d/log.csv", ".csv", False),
        ("/d/log", "JSON Lines (*.jsonl)", "/d/log.jsonl", ".jsonl", False),
        ("/d/log.CSV", "JSON Lines (*.jsonl)", "/d/log.CSV", ".csv", False),  # typed wins
        ("/d/log.txt", "CSV (*.csv)", "/d/log.txt.csv", ".csv", False),
        ("/d/log", "CSV, all 9 rows (*.csv)", "/d/log.csv", ".csv", True),
        ("/d/log", "", "/d/log.jsonl", ".jsonl", False),
    ],
)
def test_parse_choice(
    path: str, file_type: str, expected: str, suffix: str, all_rows: bool
) -> None:
    choice = parse_choice(path, file_type)
    assert (choice.path, choice.suffix, choice.all_rows) == (Path(expected), suffix, all_rows)


def test_export_filters_without_a_filter() -> None:
    assert export_filters(5, 5) == ["JSON Lines (*.jsonl)", "CSV (*.csv)"]
