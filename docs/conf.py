"""Sphinx configuration: the pushsdk documentation, built from Markdown (MyST) pages
and the package's docstrings. ``scripts/docs`` builds it with warnings as errors."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pushsdk  # noqa: E402

project = "pushsdk"
author = "the pushsdk authors"
copyright = "the pushsdk authors"
release = pushsdk.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "**/_build"]

# Markdown: "#" anchors on headings, so that [text](page.md#heading) is checked.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist"]

# Every reference must resolve: a broken one is a warning, and the build treats
# warnings as errors. There is no network while building, so references to the
# standard library and to requests (no intersphinx inventories) are not links.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(?!pushsdk\b).*"),
    # TypeVars in signatures (F, DataT, DataT_co): not documented objects
    (r"py:class", r"pushsdk(\.\w+)*\.([A-Z]|\w*T(_co|_contra)?)"),
]

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
autodoc_default_options = {"members": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True

html_theme = "furo"
html_title = f"pushsdk {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
html_copy_source = False
python_maximum_signature_line_length = 88
