"""``python -m pushsdk``: the ``pushsdk`` command line."""

from .cli import main

raise SystemExit(main())
