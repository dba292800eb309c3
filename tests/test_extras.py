"""Without the gui extra, the monitor and the demo server say how to install it."""

from __future__ import annotations

import subprocess
import sys

import pytest

#: Make the gui extra's packages unimportable, as in an environment without it.
_HIDE = "import sys; sys.modules.update(dict.fromkeys(['PySide6', 'aiohttp']))\n"


@pytest.mark.parametrize(
    ("program", "argv"),
    [
        ("import runpy; runpy.run_module('pushsdk_monitor', run_name='__main__')", []),
        ("import runpy; runpy.run_module('pushsdk_monitor.demo_server', run_name='__main__')", []),
    ],
    ids=["monitor", "demo-server"],
)
def test_a_missing_gui_extra_is_one_clear_line(program: str, argv: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _HIDE + program, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]  # one line
    assert 'pip install "pushsdk[gui]"' in result.stderr
    assert "Traceback" not in result.stderr
