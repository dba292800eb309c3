"""The compiled build (setup.py, ``PUSHSDK_COMPILE=1``) is what a run says it tests.

``scripts/test-compiled`` runs the SDK suite on a mypyc build with
``PUSHSDK_EXPECT_COMPILED=1``: there every module setup.py lists must load from an
extension, or that run would quietly test the pure code twice. Everywhere else they
must load from source: a stale in-place build would shadow every edit to them.
"""

from __future__ import annotations

import ast
import importlib
import importlib.machinery
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def compiled_modules() -> list[str]:
    """The module names of setup.py's COMPILED list."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "COMPILED":
            paths = ast.literal_eval(node.value)
            return [path.removesuffix(".py").replace("/", ".") for path in paths]
    raise AssertionError("setup.py has no COMPILED list")


def test_setup_lists_existing_typed_modules() -> None:
    modules = compiled_modules()
    assert modules, "setup.py compiles nothing"
    for name in modules:
        assert (ROOT / (name.replace(".", "/") + ".py")).is_file(), name


@pytest.mark.parametrize("name", compiled_modules())
def test_the_module_comes_from_the_build_this_run_tests(name: str) -> None:
    module = importlib.import_module(name)
    compiled = isinstance(module.__loader__, importlib.machinery.ExtensionFileLoader)
    if os.environ.get("PUSHSDK_EXPECT_COMPILED") == "1":
        assert compiled, f"{name} is pure Python in the compiled run: {module.__file__}"
    else:
        assert not compiled, (
            f"{name} loads from {module.__file__}, a compiled build that shadows its source:"
            " delete the .so files (git clean -X pushsdk) or unset PYTHONPATH"
        )


def test_frames_are_masked_by_the_build_this_run_tests() -> None:
    from pushsdk._ws import encode

    if os.environ.get("PUSHSDK_EXPECT_COMPILED") == "1":
        assert encode._c_frame is not None, "the compiled run masks frames in pure Python"
    else:
        assert encode._c_frame is None, (
            "a compiled _mask extension shadows the pure masker: delete the .so files"
        )
