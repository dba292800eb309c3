"""Find the code examples in the README and the docs, and what each one needs.

A fenced ``python`` block is an example. An HTML comment on the line before it
(invisible on GitHub and in the built site) can say more::

    <!-- example: synopsis -->           only parsed and checked against the API, not run
    <!-- example: stand-in=chat -->      uses a stand-in for an outside service (see STAND_INS)
    <!-- example: requires=v0.2 -->      runs once the installed pushsdk has the feature
    <!-- example: peer=websockets -->    another library's code: runs if that library is installed

Every other example runs, as a script, against the bundled demo server: the
documented address ``127.0.0.1:8080`` is replaced by the test server's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: The files whose examples are tested: the README and every page of the site.
SOURCES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

#: The address the docs tell readers to run the demo server on.
DEMO_ADDRESS = "127.0.0.1:8080"

#: Outside services the docs name, and the stand-in that replaces each in the tests.
STAND_INS = {
    "chat": "https://api.example.com",  # an OpenAI-compatible chat completions API
    "echo": "echo.example.com",  # a WebSocket server that echoes (ws:// and wss://)
}

_FENCE = re.compile(r"^(`{3,}|~{3,})\s*\{?([\w-]*)\}?\s*$")
_MARKER = re.compile(r"^<!--\s*example:\s*(.*?)\s*-->$")


@dataclass
class Example:
    """One fenced code block and the options of its marker."""

    path: Path
    line: int
    language: str
    code: str
    options: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def synopsis(self) -> bool:
        return "synopsis" in self.options


def parse_marker(text: str) -> dict[str, str]:
    """``"stand-in=chat requires=v0.2"`` -> ``{"stand-in": "chat", "requires": "v0.2"}``."""
    options = {}
    for word in text.split():
        key, _, value = word.partition("=")
        options[key] = value
    return options


def code_blocks(path: Path) -> list[Example]:
    """Every fenced code block of a Markdown file, with the marker before it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Example] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence, language = opening.groups()
        start = index
        body: list[str] = []
        index += 1
        while index < len(lines) and not lines[index].startswith(fence):
            body.append(lines[index])
            index += 1
        index += 1
        previous = start - 1
        while previous >= 0 and not lines[previous].strip():
            previous -= 1
        marker = _MARKER.match(lines[previous].strip()) if previous >= 0 else None
        options = parse_marker(marker.group(1)) if marker else {}
        blocks.append(Example(path, start + 1, language, "\n".join(body) + "\n", options))
    return blocks


def python_examples() -> list[Example]:
    return [
        block
        for path in SOURCES
        for block in code_blocks(path)
        if block.language in ("python", "py")
    ]


def markers_without_block() -> list[str]:
    """Markers that are not right before a code block (a typo would disable a test)."""
    problems = []
    for path in SOURCES:
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if _MARKER.match(line.strip()):
                following = next((t for t in lines[number:] if t.strip()), "")
                if not _FENCE.match(following):
                    problems.append(f"{path.relative_to(ROOT)}:{number}")
    return problems
