"""Export a tab's log: the rows the filter shows, or all, as JSON Lines or CSV."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from .connection.controller import TabController
from .formats.export import export_csv, export_jsonl
from .views.export_dialog import ask_export
from .views.status_panel import StatusPanel

__all__ = ["NOTE_MS", "export_log", "export_log_with_dialog"]

#: Milliseconds the note about a finished export stays.
NOTE_MS = 10_000


def export_log(
    controller: TabController, path: str | Path, *, csv: bool | None = None, all_rows: bool = False
) -> int:
    """Write the rows the filter shows (or ``all_rows``); return how many.

    ``csv``: the format; None picks CSV for a ``.csv`` name, else JSON Lines.
    """
    records = controller.model.records() if all_rows else controller.proxy.records()
    if csv is None:
        csv = str(path).lower().endswith(".csv")
    return export_csv(records, path) if csv else export_jsonl(records, path)


def export_log_with_dialog(parent: QWidget, controller: TabController, panel: StatusPanel) -> None:
    """Ask where, which format and which rows; export; say what was written in ``panel``."""
    shown, total = controller.proxy.rowCount(), controller.model.rowCount()
    choice = ask_export(parent, shown, total)
    if choice is None:
        return
    try:
        count = export_log(
            controller, choice.path, csv=choice.suffix == ".csv", all_rows=choice.all_rows
        )
    except OSError as exc:
        QMessageBox.warning(parent, "Export failed", str(exc))
        return
    which = "" if choice.all_rows or shown == total else " shown (filter on)"
    panel.show_note(f"Exported {count:,}{which} rows to {choice.path}", timeout_ms=NOTE_MS)
