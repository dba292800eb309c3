"""The filter bar: text or regex, case, include/exclude, directions, event names."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QMenu, QToolButton, QWidget

from ..models.filter_proxy import LogFilter
from ..models.records import Direction
from .elided_label import ElidedLabel

__all__ = ["TOGGLE_STYLE", "FilterBar"]

#: Milliseconds of typing quiet before the filter is applied.
DEBOUNCE_MS = 150
#: Checkable buttons look pressed when on (a dark ring when focused too: the blue hides
#: Fusion's focus frame); a pop-up button keeps room for its arrow.
TOGGLE_STYLE = """
QToolButton { padding: 2px 6px; }
QToolButton:checked { background: #1971c2; color: white; border: 1px solid #1864ab;
                      border-radius: 3px; }
QToolButton:checked:hover { background: #1864ab; }
QToolButton:checked:focus { border: 2px solid #0b1f3a; padding: 1px 5px; }
QToolButton[popupMode="2"] { padding-right: 18px; }
"""


def _toggle(text: str, tip: str, checked: bool = False) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setCheckable(True)
    button.setChecked(checked)
    button.setAutoRaise(False)
    return button


class FilterBar(QWidget):
    """Edits a LogFilter; emits ``filter_changed`` (debounced for typing)."""

    filter_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text_edit = QLineEdit()
        self.text_edit.setPlaceholderText("Filter messages (text or regex)…")
        self.text_edit.setClearButtonEnabled(True)
        self.regex_error_label = ElidedLabel()
        self.regex_error_label.setStyleSheet("color: #b3261e")
        self.regex_error_label.setMinimumWidth(120)
        self.regex_error_label.hide()
        self.regex_button = _toggle(".*", "Regular expression")
        self.path_button = _toggle(
            "$.",
            'JSON path: filter on a field, e.g. $.type == "trade" or $.data[0].price > 100'
            " (works on decoded payloads too: gzip, MessagePack, CBOR, base64)",
        )
        self.case_button = _toggle("Aa", "Match case")
        self.exclude_button = _toggle("Exclude", "Hide matching rows instead of showing only them")
        self.direction_buttons = {
            Direction.IN: _toggle("▼ In", "Show received messages", True),
            Direction.OUT: _toggle("▲ Out", "Show sent messages", True),
            Direction.SYSTEM: _toggle("● System", "Show open / close / error / reconnect", True),
        }
        self.events_button = QToolButton()
        self.events_button.setText("Events")
        self.events_button.setToolTip("Event names to show")
        self.events_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.events_menu = QMenu(self.events_button)
        self.events_button.setMenu(self.events_menu)
        self.all_events_action = self.events_menu.addAction("Show all")
        self.all_events_action.triggered.connect(self.show_all_events)
        self.only_menu = self.events_menu.addMenu("Only")
        self.only_menu.setEnabled(False)
        self.events_menu.addSeparator()
        self._event_actions: dict[str, QAction] = {}

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply)
        self.text_edit.textChanged.connect(self._debounce.start)
        for button in (self.regex_button, self.case_button, self.exclude_button):
            button.toggled.connect(self.apply)
        self.path_button.toggled.connect(self._path_toggled)
        for button in self.direction_buttons.values():
            button.toggled.connect(self.apply)

        self.setStyleSheet(TOGGLE_STYLE)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.text_edit, 1)
        layout.addWidget(self.regex_error_label, 1)  # shares the width while an error shows
        for widget in (self.path_button, self.regex_button, self.case_button):
            layout.addWidget(widget)
        layout.addWidget(self.exclude_button)
        layout.addSpacing(8)
        for button in self.direction_buttons.values():
            layout.addWidget(button)
        layout.addWidget(self.events_button)
        self._spec = LogFilter()

    @property
    def spec(self) -> LogFilter:
        return self._spec

    def add_events(self, names: frozenset[str]) -> None:
        """Offer newly seen event names in the Events menu (shown by default)."""
        for name in sorted(names - self._event_actions.keys()):
            action = QAction(name, self.events_menu)
            action.setCheckable(True)
            action.setChecked(True)
            action.toggled.connect(self.apply)
            self._event_actions[name] = action
            self.events_menu.addAction(action)
            only = self.only_menu.addAction(name)
            only.triggered.connect(lambda _=False, n=name: self.show_only_event(n))
        self.only_menu.setEnabled(bool(self._event_actions))

    def show_only_event(self, name: str) -> None:
        """Show rows of event ``name`` alone (one filter change)."""
        self._set_events(lambda n: n == name)

    def show_all_events(self) -> None:
        self._set_events(lambda n: True)

    def _set_events(self, shown: Callable[[str], bool]) -> None:
        for name, action in self._event_actions.items():
            action.blockSignals(True)
            action.setChecked(shown(name))
            action.blockSignals(False)
        self.apply()

    @property
    def events(self) -> set[str]:
        """The event names offered (seen so far)."""
        return set(self._event_actions)

    def _path_toggled(self, on: bool) -> None:
        """JSON-path mode: the field takes an expression; regex and case do not apply."""
        self.regex_button.setEnabled(not on)
        self.case_button.setEnabled(not on)
        self.text_edit.setPlaceholderText(
            'JSON path, e.g. $.type == "trade"' if on else "Filter messages (text or regex)…"
        )
        self.apply()

    def _show_error(self, spec: LogFilter) -> None:
        if spec.json_path:
            error = spec.path_error
            tip = f"Invalid JSON path, filtering nothing: {error}" if error else ""
            note = f"Invalid JSON path: {error}" if error else ""
        else:
            error = spec.regex_error
            tip = f"Invalid regex, matching literally: {error}" if error else ""
            note = f"Invalid regex ({error}): matched as text" if error else ""
        self.text_edit.setStyleSheet("QLineEdit { background: #fff4e5; }" if error else "")
        self.text_edit.setToolTip(tip)
        self.regex_error_label.set_full_text(note)
        self.regex_error_label.setVisible(bool(error))

    def set_event_shown(self, name: str, shown: bool) -> None:
        self._event_actions[name].setChecked(shown)

    def apply(self) -> None:
        """Build the LogFilter now and emit it if it changed."""
        self._debounce.stop()
        spec = LogFilter(
            text=self.text_edit.text(),
            regex=self.regex_button.isChecked(),
            case_sensitive=self.case_button.isChecked(),
            exclude=self.exclude_button.isChecked(),
            json_path=self.path_button.isChecked(),
            directions=frozenset(d for d, b in self.direction_buttons.items() if b.isChecked()),
            hidden_events=frozenset(n for n, a in self._event_actions.items() if not a.isChecked()),
        )
        self._show_error(spec)
        hidden = len(spec.hidden_events)
        self.events_button.setText(f"Events ({hidden} hidden)" if hidden else "Events")
        if spec != self._spec:
            self._spec = spec
            self.filter_changed.emit(spec)
