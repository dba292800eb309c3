"""``python -m build`` gives a wheel and an sdist with the right contents and metadata.

The wheel holds the two packages, their ``py.typed``, the demo server and the
LICENSE, and nothing else at the top level (no stray ``gui``). The sdist holds
everything the test suite needs (it is not half a suite) and every file the
README links to. The classifiers list exactly the versions ``noxfile.py`` tests.
"""

from __future__ import annotations

import ast
import email.parser
import fcntl
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.docs.links import relative_links

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel and sdist, built once per run, even when xdist workers share the tests
    (two builds at once in one tree trip over each other's build/ and egg-info)."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # this run's directory, common to its workers
    out = shared / "dist"
    with open(shared / "dist.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "built").exists():
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "build",
                    "--sdist",
                    "--wheel",
                    "--outdir",
                    str(out),
                    str(ROOT),
                ],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
            (out / "built").touch()
    return out


def _wheel(dist: Path) -> zipfile.ZipFile:
    (path,) = dist.glob("pushsdk-*.whl")
    return zipfile.ZipFile(path)


def _sdist_names(dist: Path) -> set[str]:
    (path,) = dist.glob("pushsdk-*.tar.gz")
    with tarfile.open(path) as archive:
        names = archive.getnames()
    prefix = names[0].split("/", 1)[0] + "/"
    return {name[len(prefix) :] for name in names if name.startswith(prefix)}


def _metadata(wheel: zipfile.ZipFile) -> email.message.Message:
    name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    return email.parser.Parser().parsestr(wheel.read(name).decode())


def test_wheel_contents(dist: Path) -> None:
    names = set(_wheel(dist).namelist())
    for required in (
        "pushsdk/__init__.py",
        "pushsdk/py.typed",
        "pushsdk_monitor/py.typed",
        "pushsdk_monitor/demo_server.py",
        "pushsdk_monitor/__main__.py",
    ):
        assert required in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    monitor = {
        "pushsdk_monitor/" + path.relative_to(ROOT / "gui").as_posix()
        for path in (ROOT / "gui").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert monitor - names == set(), "a gui/ subpackage is missing from pyproject's packages"
    top_level = {name.split("/", 1)[0] for name in names}
    assert {t for t in top_level if not t.endswith(".dist-info")} == {"pushsdk", "pushsdk_monitor"}


def test_wheel_metadata_declares_the_tested_versions(dist: Path) -> None:
    metadata = _metadata(_wheel(dist))
    assert metadata["License-Expression"] == "MIT"
    assert metadata["License-File"] == "LICENSE"
    tested = _tested_versions()
    classified = sorted(
        c.rsplit(" :: ", 1)[1]
        for c in metadata.get_all("Classifier", [])
        if c.startswith("Programming Language :: Python :: 3.")
    )
    assert classified == tested
    assert metadata["Requires-Python"] == f">={tested[0]}"
    assert metadata["Keywords"]
    assert "Typing :: Typed" in metadata.get_all("Classifier", [])


def test_sdist_has_the_whole_test_suite_and_what_the_readme_links(dist: Path) -> None:
    names = _sdist_names(dist)
    for required in ("LICENSE", "README.md", "CHANGELOG.md", "BENCHMARKS.md", "noxfile.py"):
        assert required in names
    suite = {
        path.relative_to(ROOT).as_posix()
        for folder in ("tests", "scripts", "docs")
        for path in (ROOT / folder).rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and "_build" not in path.parts
        and path.suffix not in (".pyc",)
    }
    assert suite - names == set()
    linked = {target for target, _ in relative_links(ROOT / "README.md")}
    missing = {t for t in linked if t.rstrip("/") not in names and not _is_dir(names, t)}
    assert missing == set()


def _is_dir(names: set[str], target: str) -> bool:
    prefix = target.rstrip("/") + "/"
    return any(name.startswith(prefix) for name in names)


def _tested_versions() -> list[str]:
    """``PYTHONS`` from noxfile.py, read without importing nox."""
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PYTHONS":
            return sorted(ast.literal_eval(node.value), key=lambda v: tuple(map(int, v.split("."))))
    raise AssertionError("noxfile.py has no PYTHONS")
