"""The text on a connection tab: short enough to leave room for the other tabs."""

from __future__ import annotations

from urllib.parse import urlsplit

from .views.elided_label import elide_middle

__all__ = ["TITLE_CHARS", "tab_title"]

#: Characters of a tab title; longer host names are shortened in the middle.
TITLE_CHARS = 32


def tab_title(url: str) -> str:
    """A short tab title: host, port and the end of the path, at most TITLE_CHARS."""
    if not url:
        return "New tab"
    parts = urlsplit(url)
    path = parts.path.rstrip("/").rsplit("/", 1)[-1]
    title = f"{parts.netloc}/{path}" if path else parts.netloc or url
    return elide_middle(title, TITLE_CHARS)
