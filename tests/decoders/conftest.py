"""The decoders are pure Python; they need the gui extra's msgpack and cbor2, not Qt.

Runs without those libraries (the SDK-only suite on other Pythons) skip this
directory instead of failing to import it.
"""

from __future__ import annotations

import importlib.util

collect_ignore_glob = (
    [] if all(importlib.util.find_spec(name) for name in ("msgpack", "cbor2")) else ["test_*.py"]
)
