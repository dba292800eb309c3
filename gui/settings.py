"""What the monitor remembers between runs, kept in QSettings."""

from __future__ import annotations

import json

from PySide6.QtCore import QByteArray, QSettings

from .connection.clients import ConnectOptions
from .formats.headers import is_secret_header
from .models.log_model import DEFAULT_CAPACITY

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
    """Recent URLs with their options, composer history per URL, geometry, capacity.

    Secret header values (see ``is_secret_header``) are remembered for this run only.
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

    def remember_connection(self, url: str, options: ConnectOptions) -> list[str]:
        """Put ``url`` first in the recent URLs with its options; return the recent URLs."""
        urls = self.add_recent_url(url)
        public = {k: v for k, v in options.headers.items() if not is_secret_header(k)}
        self._secrets[url] = {k: v for k, v in options.headers.items() if is_secret_header(k)}
        saved = {
            "method": options.method,
            "headers": public,
            "body": options.body,
            "event_key": options.event_key,
            "reconnect": options.reconnect,
        }
        self.qsettings.beginGroup("recent_options")
        self.qsettings.setValue(_key(url), json.dumps(saved))
        self.qsettings.endGroup()
        return urls

    def connect_options(self, url: str) -> ConnectOptions | None:
        """The options ``url`` was last connected with, or None."""
        self.qsettings.beginGroup("recent_options")
        try:
            raw = self.qsettings.value(_key(url))
        finally:
            self.qsettings.endGroup()
        try:
            saved = json.loads(raw) if isinstance(raw, str) else None
        except ValueError:
            saved = None
        if not isinstance(saved, dict):
            return None
        headers = saved.get("headers")
        headers = {str(k): str(v) for k, v in headers.items()} if isinstance(headers, dict) else {}
        reconnect = saved.get("reconnect")
        return ConnectOptions(
            headers={**headers, **self._secrets.get(url, {})},
            reconnect=reconnect if isinstance(reconnect, bool) else None,
            event_key=str(saved.get("event_key") or ""),
            method=str(saved.get("method") or "GET"),
            body=str(saved.get("body") or ""),
        )

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


def _key(url: str) -> str:
    """A QSettings key for a URL (slashes would make nested groups)."""
    return url.encode("utf-8").hex()
