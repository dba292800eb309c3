"""The compiled build of pushsdk (setup.py's mypyc modules) for the "pushsdk-compiled" runs.

Built once per bench run into ``build/bench-compiled`` (``pip install --target``, from a
copy of the sources, so that the checkout's own ``build/`` and egg-info, which the
packaging test uses, are left alone), and put first on the runner's ``sys.path``. The
runner refuses to measure if the modules it loads there are not compiled, so the row can
never be the pure build under another name.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LIBRARY = "pushsdk-compiled"
ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "build" / "bench-compiled"
#: A module setup.py compiles, checked in the runner.
PROBE = "pushsdk._ws.frames"
#: What the build reads: the project files and the two packages' sources.
SOURCES = ("pyproject.toml", "setup.py", "README.md", "LICENSE", "MANIFEST.in", "pushsdk", "gui")


def build() -> str | None:
    """Build the compiled package; return why not, or None when it is ready."""
    with tempfile.TemporaryDirectory() as work:
        for name in SOURCES:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, Path(work) / name, ignore=shutil.ignore_patterns(
                    "__pycache__", "*.so"))  # fmt: skip
            else:
                shutil.copy2(source, work)
        done = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--no-build-isolation", "--no-deps", "--upgrade", "--target", str(TARGET), work],
            env={**os.environ, "PUSHSDK_COMPILE": "1"},
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
    if done.returncode:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"the mypyc build failed: {tail}"
    return None


def use() -> None:
    """In a runner: import pushsdk from the compiled build, or raise ImportError."""
    sys.path.insert(0, str(TARGET))
    module = importlib.import_module(PROBE)
    if not isinstance(module.__loader__, importlib.machinery.ExtensionFileLoader):
        raise ImportError(f"{PROBE} is not compiled in {TARGET} ({module.__file__})")
