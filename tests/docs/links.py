"""The links of a Markdown file, for the README's and the packaging tests."""

from __future__ import annotations

import re
from pathlib import Path

#: ``[text](target)`` and ``![alt](target)``; a target has no spaces.
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^(`{3,}|~{3,})")


def links(path: Path) -> list[tuple[str, int]]:
    """Every link target outside code blocks, with its line number."""
    found = []
    fence = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        opening = _FENCE.match(line)
        if opening and (fence is None or line.startswith(fence)):
            fence = None if fence else opening.group(1)
            continue
        if fence is None:
            found += [(match.group(1), number) for match in _LINK.finditer(line)]
    return found


def relative_links(path: Path) -> list[tuple[str, int]]:
    """The links to files (no scheme, no bare anchor), with any anchor removed."""
    return [
        (target.split("#", 1)[0], number)
        for target, number in links(path)
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target) and not target.startswith("#")
    ]


def anchors(path: Path) -> set[str]:
    """GitHub-style anchors of a Markdown file's headings."""
    slugs = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            slug = re.sub(r"[^\w\- ]", "", title).replace(" ", "-")
            slugs.add(slug)
    return slugs
