"""Asking where to export the log: the file name, the format and which rows.

The format follows the file type chosen in the dialog (or an extension typed
explicitly); a name without one gets it. When the filter hides rows, the
dialog offers the shown rows or every row, and says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

__all__ = ["ExportChoice", "ask_export", "export_filters", "parse_choice"]

#: Export formats by file extension.
FORMATS = {".jsonl": "JSON Lines", ".csv": "CSV"}


@dataclass(frozen=True)
class ExportChoice:
    """Where and how to export: ``suffix`` is ".jsonl" or ".csv"."""

    path: Path
    suffix: str
    all_rows: bool


def export_filters(shown: int, total: int) -> list[str]:
    """The dialog's file types; with rows hidden, each comes as shown rows and as all rows."""
    if shown == total:
        return [f"{name} (*{suffix})" for suffix, name in FORMATS.items()]
    return [
        *(f"{name}, the {shown:,} shown rows (*{suffix})" for suffix, name in FORMATS.items()),
        *(f"{name}, all {total:,} rows (*{suffix})" for suffix, name in FORMATS.items()),
    ]


def parse_choice(path: str, selected_filter: str) -> ExportChoice:
    """The choice a dialog answer means.

    The format is the typed extension when it is one of FORMATS, else the chosen
    file type's (whose extension is then added to the name).
    """
    file = Path(path)
    chosen = next((s for s in FORMATS if f"(*{s})" in selected_filter), ".jsonl")
    suffix = file.suffix.lower()
    if suffix not in FORMATS:
        file, suffix = file.with_name(file.name + chosen), chosen
    return ExportChoice(file, suffix, all_rows=", all " in selected_filter)


def ask_export(parent: QWidget, shown: int, total: int, folder: str = "") -> ExportChoice | None:
    """Show the save dialog; None if cancelled."""
    filters = export_filters(shown, total)
    title = "Export log" if shown == total else f"Export log ({shown:,} of {total:,} rows shown)"
    start = str(Path(folder, "messages")) if folder else "messages"
    path, selected = QFileDialog.getSaveFileName(parent, title, start, ";;".join(filters))
    if not path:
        return None
    return parse_choice(path, selected)
