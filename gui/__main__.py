"""``pushsdk-monitor [URL ...] [--demo] [--screenshot PATH [--after SECONDS]]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]

#: The distributions of the ``gui`` extra, by top-level module.
_GUI_EXTRA = {"PySide6", "shiboken6", "aiohttp"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pushsdk-monitor",
        description="Watch live WebSocket and Server-Sent Events streams.",
    )
    parser.add_argument(
        "urls",
        nargs="*",
        metavar="URL",
        help="open a tab connected to each URL (ws/wss/http/https)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start the bundled demo server and open a WebSocket and an SSE tab on it",
    )
    parser.add_argument("--screenshot", metavar="PATH", help="save a PNG of the window and exit")
    parser.add_argument(
        "--after",
        metavar="SECONDS",
        type=float,
        default=3.0,
        help="seconds of live traffic before --screenshot (default 3)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the monitor; return the process exit code."""
    args = _parser().parse_args(argv)
    if args.after < 0:
        _parser().error("--after must not be negative")
    try:
        from .app import run  # noqa: PLC0415 - here, so a missing extra gets one clear line
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in _GUI_EXTRA:
            raise
        missing = exc.name
        sys.stderr.write(
            f"pushsdk-monitor needs the gui extra ({missing} is missing): "
            'pip install "pushsdk[gui]"\n'
        )
        return 1
    return run(args.urls, demo=args.demo, screenshot=args.screenshot, after=args.after)


if __name__ == "__main__":
    sys.exit(main())
