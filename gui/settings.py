"""What the monitor remembers between runs, kept in QSettings."""

from __future__ import annotations

import dataclasses
import json

from PySide6.QtCore import QByteArray, QSettings

from .connection.clients import ConnectOptions
from .formats.headers import is_secret_header
from .models.log_model import DEFAULT_CAPACITY
from .sessions.serialize import (
    TabState,
    options_from_dict,
    options_to_dict,
    tab_from_dict,
    tab_to_dict,
)

__all__ = ["MonitorSettings"]

RECENT_URLS = 15
#: The log capacity a user may choose, in rows.
MIN_CAPACITY, MAX_CAPACITY = 1_000, 5_000_000


def _strings(value: object) -> list[str]:
    """QSettings returns a str for a one-item list and None for an empty one."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


class MonitorSettings:
    """Recent URLs with their options, composer history per URL, geometry, capacity,
    the open tabs and named requests.

    Secret header values (see ``is_secret_header``) are remembered for this run only,
    unless the user ticks File > Keep secrets on disk (``keep_secrets``).
    """

    def __init__(self, settings: QSettings | None = None) -> None:
        self.qsettings = settings if settings is not None else QSettings("pushsdk", "monitor")
        self._secrets: dict[str, dict[str, str]] = {}

    def recent_urls(self) -> list[str]:
        return _strings(self.qsettings.value("recent_urls"))

    def add_recent_url(self, url: str) -> list[str]:
        urls = [url, *(u for u in self.recent_urls() if u != url)][:RECENT_URLS]
        self.qsettings.setValue("recent_urls", urls)
        return urls

    @property
    def keep_secrets(self) -> bool:
        """Whether secret header values are written to disk (the user's choice; off)."""
        return self.qsettings.value("secrets/keep") in (True, "true")

    def set_keep_secrets(self, keep: bool) -> None:
        self.qsettings.setValue("secrets/keep", keep)

    def remember_connection(self, url: str, options: ConnectOptions) -> list[str]:
        """Put ``url`` first in the recent URLs with its options; return the recent URLs."""
        urls = self.add_recent_url(url)
        self._secrets[url] = {k: v for k, v in options.headers.items() if is_secret_header(k)}
        saved = options_to_dict(options, keep_secrets=self.keep_secrets)
        self.qsettings.beginGroup("recent_options")
        self.qsettings.setValue(_key(url), json.dumps(saved))
        self.qsettings.endGroup()
        return urls

    def connect_options(self, url: str) -> ConnectOptions | None:
        """The options ``url`` was last connected with, or None."""
        self.qsettings.beginGroup("recent_options")
        try:
            saved = _json(self.qsettings.value(_key(url)))
        finally:
            self.qsettings.endGroup()
        if not isinstance(saved, dict):
            return None
        options = options_from_dict(saved)
        headers = {**options.headers, **self._secrets.get(url, {})}
        return dataclasses.replace(options, headers=headers)

    # -- the session: open tabs, and named requests -------------------------------------

    def save_tabs(self, tabs: list[TabState]) -> None:
        keep = self.keep_secrets
        self.qsettings.setValue(
            "session/tabs", json.dumps([tab_to_dict(t, keep_secrets=keep) for t in tabs])
        )

    def saved_tabs(self) -> list[TabState]:
        """The tabs open when the monitor last closed (oldest first)."""
        data = _json(self.qsettings.value("session/tabs"))
        tabs = [tab_from_dict(item) for item in data] if isinstance(data, list) else []
        return [t for t in tabs if t is not None]

    def saved_requests(self) -> dict[str, tuple[str, ConnectOptions]]:
        """Named requests: name -> (URL, options), in the order they were saved."""
        data = _json(self.qsettings.value("session/requests"))
        if not isinstance(data, dict):
            return {}
        requests: dict[str, tuple[str, ConnectOptions]] = {}
        for name, item in data.items():
            tab = tab_from_dict(item)
            if tab is not None:
                headers = {**tab.options.headers, **self._secrets.get(f"request:{name}", {})}
                requests[str(name)] = (tab.url, dataclasses.replace(tab.options, headers=headers))
        return requests

    def save_request(self, name: str, url: str, options: ConnectOptions) -> None:
        data = _json(self.qsettings.value("session/requests"))
        saved = data if isinstance(data, dict) else {}
        secrets = {k: v for k, v in options.headers.items() if is_secret_header(k)}
        self._secrets[f"request:{name}"] = secrets  # for this run, whatever is on disk
        saved[name] = tab_to_dict(TabState(url, options), keep_secrets=self.keep_secrets)
        self.qsettings.setValue("session/requests", json.dumps(saved))

    def delete_request(self, name: str) -> None:
        data = _json(self.qsettings.value("session/requests"))
        if isinstance(data, dict) and data.pop(name, None) is not None:
            self.qsettings.setValue("session/requests", json.dumps(data))

    def capacity(self) -> int:
        """Rows a new tab keeps (DEFAULT_CAPACITY unless the user chose otherwise)."""
        value = self.qsettings.value("log/capacity")
        try:
            capacity = int(str(value)) if value is not None else DEFAULT_CAPACITY
        except ValueError:
            capacity = DEFAULT_CAPACITY
        return min(max(capacity, MIN_CAPACITY), MAX_CAPACITY)

    def set_capacity(self, rows: int) -> None:
        self.qsettings.setValue("log/capacity", min(max(rows, MIN_CAPACITY), MAX_CAPACITY))

    def composer_history(self, url: str) -> list[str]:
        self.qsettings.beginGroup("composer_history")
        try:
            return _strings(self.qsettings.value(_key(url)))
        finally:
            self.qsettings.endGroup()

    def set_composer_history(self, url: str, texts: list[str]) -> None:
        self.qsettings.beginGroup("composer_history")
        self.qsettings.setValue(_key(url), list(texts))
        self.qsettings.endGroup()

    def bytes_value(self, key: str) -> QByteArray | None:
        value = self.qsettings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_bytes_value(self, key: str, value: QByteArray) -> None:
        self.qsettings.setValue(key, value)

    def sync(self) -> None:
        self.qsettings.sync()


def _json(raw: object) -> object:
    """A JSON value kept as a string; None when missing or damaged."""
    if not isinstance(raw, str):
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _key(url: str) -> str:
    """A QSettings key for a URL (slashes would make nested groups)."""
    return url.encode("utf-8").hex()
