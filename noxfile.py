"""Run the SDK test suite on every supported CPython this machine has.

``nox`` (or ``scripts/test-pythons``) runs ``tests/`` without the GUI suite (and
without the packaging test, which builds the dists once in ``scripts/test``), each
interpreter in its own virtualenv under ``.nox/``. Interpreters are looked up on
``PATH`` and in pyenv's versions directory; a missing one is skipped with a
message, not an error (unless ``PUSHSDK_ALL_PYTHONS=1``, as in CI). The GUI suite,
the linters and the docs run once, on the default interpreter, in ``scripts/test``.

    nox                      # every version found
    nox -s "sdk-3.13"        # one of them
    nox -s sdk -- -k backoff # extra arguments go to pytest
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nox

#: The versions the package declares and tests (the classifiers list the same).
PYTHONS = ["3.10", "3.11", "3.12", "3.13"]

nox.options.default_venv_backend = "venv"
# A missing interpreter is skipped, unless PUSHSDK_ALL_PYTHONS=1 (CI) makes it an error.
nox.options.error_on_missing_interpreters = os.environ.get("PUSHSDK_ALL_PYTHONS") == "1"
nox.options.reuse_existing_virtualenvs = True


def _pyenv_bin_dirs() -> list[str]:
    """The ``bin`` directories of the interpreters pyenv installed, newest first."""
    root = os.environ.get("PYENV_ROOT")
    if not root and shutil.which("pyenv"):
        result = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False)
        root = result.stdout.strip()
    versions = Path(root or Path.home() / ".pyenv") / "versions"
    if not versions.is_dir():
        return []
    return [str(path / "bin") for path in sorted(versions.iterdir(), reverse=True)]


# nox finds "python3.X" on PATH: put pyenv's interpreters there, after the user's own.
os.environ["PATH"] = os.pathsep.join([os.environ.get("PATH", ""), *_pyenv_bin_dirs()])


@nox.session(name="sdk", python=PYTHONS)
def sdk(session: nox.Session) -> None:
    """The SDK tests (tests/ without tests/gui) on one interpreter."""
    session.install("--disable-pip-version-check", "-q", ".[dev]")
    session.run(
        "python",
        "-m",
        "pytest",
        "tests",
        "--ignore=tests/gui",
        "--ignore=tests/test_packaging.py",  # builds the dists: once, in scripts/test
        "-n",  # in parallel, as in scripts/test (the GUI's serial tests are not here)
        "3",
        # No Qt here: without PySide6, pytest-qt must not load (and its ini key is unknown).
        "-p",
        "no:pytest-qt",
        "-W",
        "ignore::pytest.PytestConfigWarning",
        "-q",
        *session.posargs,
        env={"PYTHONDONTWRITEBYTECODE": "1"},
    )
