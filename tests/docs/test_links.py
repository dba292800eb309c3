"""Every link in the README and the top-level Markdown files resolves inside the repository.

(The pages under docs/ are checked by the docs build, which fails on a broken link.)
"""

from __future__ import annotations

import re

import pytest

from .examples import ROOT, SOURCES, code_blocks
from .links import anchors, links, relative_links

FILES = ["README.md", "CHANGELOG.md", "BENCHMARKS.md"]


@pytest.mark.parametrize("name", FILES)
def test_relative_links_resolve_inside_the_repository(name: str) -> None:
    path = ROOT / name
    broken = []
    for target, number in relative_links(path):
        resolved = (path.parent / target).resolve()
        if not resolved.is_relative_to(ROOT) or not resolved.exists():
            broken.append(f"{name}:{number}: {target}")
    assert broken == []


@pytest.mark.parametrize("name", FILES)
def test_anchors_name_a_heading(name: str) -> None:
    path = ROOT / name
    broken = []
    for target, number in links(path):
        page, _, anchor = target.partition("#")
        if not anchor or re.match(r"^[a-z]+:", target):
            continue
        linked = (path.parent / page) if page else path
        if linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{name}:{number}: {target}")
    assert broken == []


def test_readme_points_only_inside_the_repository() -> None:
    absolute = [t for t, _ in links(ROOT / "README.md") if re.match(r"^[a-z]+:", t)]
    assert absolute == []


def test_no_page_sends_readers_to_spec_md() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for pattern in ("*.md", "docs/**/*.md", "pushsdk/*.py")
        for path in ROOT.glob(pattern)
        if "SPEC.md" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_shell_examples_name_scripts_that_exist() -> None:
    missing = [
        f"{block.name}: {word}"
        for path in SOURCES
        for block in code_blocks(path)
        if block.language in ("sh", "bash", "console")
        for word in block.code.split()
        if word.startswith("scripts/") and not (ROOT / word).is_file()
    ]
    assert missing == []
