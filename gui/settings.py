"""What the monitor remembers between runs, kept in QSettings."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

__all__ = ["MonitorSettings"]

RECENT_URLS = 15


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
    """Recent URLs, composer history per URL, window geometry and column widths."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.qsettings = settings if settings is not None else QSettings("pushsdk", "monitor")

    def recent_urls(self) -> list[str]:
        return _strings(self.qsettings.value("recent_urls"))

    def add_recent_url(self, url: str) -> list[str]:
        urls = [url, *(u for u in self.recent_urls() if u != url)][:RECENT_URLS]
        self.qsettings.setValue("recent_urls", urls)
        return urls

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
