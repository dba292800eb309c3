"""The API reference page documents every name ``pushsdk`` exports."""

from __future__ import annotations

import pushsdk

from .examples import ROOT


def test_api_page_lists_every_exported_name() -> None:
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    missing = [name for name in pushsdk.__all__ if f"pushsdk.{name}\n" not in page]
    assert missing == [], f"add these to docs/api.md: {missing}"
