"""Every code example in the README and the docs runs, or at least matches the API.

See ``examples.py`` for the markers that say what an example needs.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pushsdk

from .apicheck import api_problems
from .examples import ROOT, Example, markers_without_block, python_examples
from .standins import serve

#: The longest an example may run.
EXAMPLE_TIMEOUT = 60.0

EXAMPLES = python_examples()


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:2] if part.isdigit())


#: Features an example can require; each is detected, so the example turns on by itself.
#: PUSHSDK_EXAMPLES_ASSUME=v0.2 runs those examples before the version says so.
FEATURES = {
    "v0.2": lambda: (
        _version(pushsdk.__version__) >= (0, 2)
        or "first_connect_timeout" in inspect.signature(pushsdk.WSClient).parameters
    ),
}
ASSUMED = set(filter(None, os.environ.get("PUSHSDK_EXAMPLES_ASSUME", "").split(",")))


def _skip_unless_available(example: Example) -> None:
    feature = example.options.get("requires")
    if feature is not None:
        if feature not in FEATURES:
            pytest.fail(f"{example.name}: unknown feature {feature!r}")
        if feature not in ASSUMED and not FEATURES[feature]():
            pytest.skip(f"needs {feature} (installed pushsdk {pushsdk.__version__})")
    peer = example.options.get("peer")
    if peer is not None and importlib.util.find_spec(peer) is None:
        pytest.skip(f"{peer} is not installed")


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_example_matches_the_api(example: Example) -> None:
    _skip_unless_available(example)
    assert api_problems(example.code) == []


RUNNABLE = [e for e in EXAMPLES if not e.synopsis]


@pytest.mark.parametrize("example", RUNNABLE, ids=[e.name for e in RUNNABLE])
def test_example_runs(example: Example, tmp_path: Path) -> None:
    _skip_unless_available(example)
    script = tmp_path / "example.py"
    with serve(example, tmp_path) as code:
        script.write_text(code, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [sys.executable, str(script)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=EXAMPLE_TIMEOUT,
            check=False,
        )
    assert result.returncode == 0, (
        f"{example.name} failed:\n{code}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )


def test_the_docs_have_examples_in_every_guide() -> None:
    pages = {e.path.relative_to(ROOT).as_posix() for e in RUNNABLE}
    for page in ("README.md", "docs/getting-started.md", "docs/websocket.md", "docs/sse.md"):
        assert page in pages


def test_every_marker_is_on_a_code_block() -> None:
    assert markers_without_block() == []


def _docstring_examples() -> list[tuple[str, str]]:
    """(where, code) of each ``::`` literal block in the public API's docstrings."""
    found = []
    for name in pushsdk.__all__:
        obj = getattr(pushsdk, name)
        members = [(name, obj)]
        if inspect.isclass(obj):
            members += [(f"{name}.{attr}", value) for attr, value in vars(obj).items()]
        for where, member in members:
            doc = inspect.getdoc(member) or ""
            lines = doc.splitlines()
            for index, line in enumerate(lines):
                if not line.rstrip().endswith("::"):
                    continue
                block = []
                for following in lines[index + 1 :]:
                    if following.strip() and not following.startswith(" "):
                        break
                    block.append(following)
                code = inspect.cleandoc("\n".join(block))
                if code:
                    found.append((f"{where}:{index + 1}", code))
    return found


DOCSTRING_EXAMPLES = _docstring_examples()


@pytest.mark.parametrize(
    "code", [c for _, c in DOCSTRING_EXAMPLES], ids=[w for w, _ in DOCSTRING_EXAMPLES]
)
def test_docstring_example_matches_the_api(code: str) -> None:
    """The examples help() shows parse and name only what pushsdk has."""
    assert api_problems(code) == []


def test_the_clients_docstrings_have_examples() -> None:
    where = {w.split(":")[0] for w, _ in DOCSTRING_EXAMPLES}
    assert {"WSClient", "SSEClient"} <= where
