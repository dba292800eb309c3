"""Optional compiled build: ``PUSHSDK_COMPILE=1`` compiles the sans-I/O protocol
modules with mypyc (as black and mypy ship) and adds ``_mask.c``, the frame masker
in C (as websockets and picows have); without it the package is pure Python.

    pip install mypy setuptools
    PUSHSDK_COMPILE=1 pip install --no-build-isolation .

Everything else (name, dependencies, packages) is in pyproject.toml. The compiled
and the pure modules are the same source and pass the same tests (scripts/test-compiled).
"""

from __future__ import annotations

import os

from setuptools import Extension, setup

#: The per-message code: frame parsing, building and writing, the SSE line parser.
COMPILED = [
    "pushsdk/_ws/frames.py",
    "pushsdk/_ws/assemble.py",
    "pushsdk/_ws/encode.py",
    "pushsdk/_ws/writer.py",
    "pushsdk/_ws/flusher.py",
    "pushsdk/_sse/parser.py",
    "pushsdk/_sse/runs.py",
    "pushsdk/_sse/chunked.py",
    "pushsdk/_net/tls.py",
]

if os.environ.get("PUSHSDK_COMPILE") == "1":
    from mypyc.build import mypycify

    masker = Extension("pushsdk._ws._mask", ["pushsdk/_ws/_mask.c"])
    setup(ext_modules=[*mypycify(COMPILED, opt_level="3", group_name="pushsdk"), masker])
else:
    setup()
