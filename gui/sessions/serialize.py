"""ConnectOptions and tab states to and from JSON-ready dicts (no Qt).

Secret header values (``is_secret_header``) are left out unless the user asked
to keep them; what is read back is checked field by field, so a hand-edited or
older settings file gives defaults, never a crash.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ..connection.clients import ConnectOptions
from ..formats.headers import is_secret_header

__all__ = ["TabState", "options_from_dict", "options_to_dict", "tab_from_dict", "tab_to_dict"]

_DEFAULTS = ConnectOptions()


def options_to_dict(options: ConnectOptions, *, keep_secrets: bool) -> dict[str, Any]:
    """The fields that differ from the defaults; secret header values only if ``keep_secrets``."""
    data: dict[str, Any] = {}
    for item in dataclasses.fields(ConnectOptions):
        value = getattr(options, item.name)
        if value != getattr(_DEFAULTS, item.name):
            data[item.name] = list(value) if isinstance(value, tuple) else value
    if "headers" in data:
        data["headers"] = {
            k: v for k, v in options.headers.items() if keep_secrets or not is_secret_header(k)
        }
    return data


def options_from_dict(data: object) -> ConnectOptions:
    """ConnectOptions from ``options_to_dict``'s output; bad or unknown fields are ignored."""
    if not isinstance(data, dict):
        return ConnectOptions()
    values: dict[str, Any] = {}
    for item in dataclasses.fields(ConnectOptions):
        if item.name not in data:
            continue
        value, default = data[item.name], getattr(_DEFAULTS, item.name)
        if isinstance(default, dict) and isinstance(value, dict):
            values[item.name] = {str(k): str(v) for k, v in value.items()}
        elif isinstance(default, tuple) and isinstance(value, list):
            values[item.name] = tuple(str(v) for v in value)
        elif isinstance(value, bool) and (isinstance(default, bool) or item.name == "reconnect"):
            values[item.name] = value  # reconnect: None (the default) or a bool
        elif isinstance(default, int | float) and not isinstance(default, bool):
            if isinstance(value, int | float) and not isinstance(value, bool):
                values[item.name] = type(default)(value)
        elif isinstance(default, str) and isinstance(value, str):
            values[item.name] = value
    options = ConnectOptions(**values)
    try:
        options.check()
    except ValueError:  # e.g. a CA file since deleted: keep the rest, drop the files
        options = dataclasses.replace(options, ca_file="", client_cert="", client_key="")
    return options


@dataclass(frozen=True)
class TabState:
    """One tab as it is restored: the request, the composer's history, whether it was live."""

    url: str
    options: ConnectOptions = field(default_factory=ConnectOptions)
    history: tuple[str, ...] = ()
    connected: bool = False


def tab_to_dict(tab: TabState, *, keep_secrets: bool) -> dict[str, Any]:
    return {
        "url": tab.url,
        "options": options_to_dict(tab.options, keep_secrets=keep_secrets),
        "history": list(tab.history),
        "connected": tab.connected,
    }


def tab_from_dict(data: object) -> TabState | None:
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return None
    history = data.get("history")
    return TabState(
        url=data["url"],
        options=options_from_dict(data.get("options")),
        history=tuple(str(t) for t in history) if isinstance(history, list) else (),
        connected=data.get("connected") is True,
    )
