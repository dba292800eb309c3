"""``pushsdk-monitor [URL ...] [-H 'Name: value'] [-X METHOD] [-d DATA] [--event-key KEY]``.

The request options apply to every URL given, as with curl and websocat.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .connection.clients import ConnectOptions  # no Qt behind these two
from .formats.headers import parse_header

__all__ = ["main", "request_from_args", "with_scheme"]

#: The distributions of the ``gui`` extra, by top-level module.
_GUI_EXTRA = {"PySide6", "shiboken6", "aiohttp"}


def _parser() -> argparse.ArgumentParser:
    from pushsdk import __version__  # noqa: PLC0415 - the SDK is light; Qt is not imported

    parser = argparse.ArgumentParser(
        prog="pushsdk-monitor",
        description="Watch live WebSocket and Server-Sent Events streams.",
    )
    parser.add_argument(
        "urls",
        nargs="*",
        metavar="URL",
        help="open a tab connected to each URL (ws/wss/http/https; no scheme: ws://)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="a request header (repeat for more)",
    )
    parser.add_argument(
        "-X", "--method", help="HTTP method of an SSE request (default GET, POST with -d)"
    )
    parser.add_argument(
        "-d",
        "--data",
        help="SSE: the request body; WebSocket: a message sent on every open (subscribe)",
    )
    parser.add_argument(
        "--event-key", default="", help='WebSocket: JSON key naming the event, e.g. "type"'
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


def with_scheme(url: str) -> str:
    """``host:port/path`` becomes ``ws://host:port/path``; a URL with a scheme is kept."""
    return url if "://" in url else f"ws://{url}"


def request_from_args(args: argparse.Namespace) -> tuple[list[str], ConnectOptions]:
    """The URLs and the ConnectOptions the command line asks for.

    Raises:
        ValueError: a malformed header or method.
    """
    headers = dict(parse_header(line) for line in args.header)
    data = args.data
    method = (args.method or ("POST" if data is not None else "GET")).upper()
    if not method.isalpha():
        raise ValueError(f"method must be a word such as GET or POST, got {args.method!r}")
    urls = [with_scheme(url) for url in args.urls]
    websocket = [u for u in urls if u.lower().startswith(("ws://", "wss://"))]
    if data is not None and websocket and len(websocket) != len(urls):
        raise ValueError("-d means a body for SSE and a message for WebSocket: not both at once")
    on_open: tuple[str, ...] = (data,) if data is not None and websocket else ()
    body = data if data is not None and not websocket else ""
    options = ConnectOptions(
        headers=headers, method=method, body=body, event_key=args.event_key, on_open=on_open
    )
    return urls, options


def main(argv: Sequence[str] | None = None) -> int:
    """Run the monitor; return the process exit code."""
    parser = _parser()
    args = parser.parse_intermixed_args(argv)  # options between URLs too, as curl takes them
    if args.after < 0:
        parser.error("--after must not be negative")
    try:
        urls, options = request_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))
    for given, url in zip(args.urls, urls, strict=True):
        if given != url:
            sys.stderr.write(f"pushsdk-monitor: no scheme in {given!r}, using {url}\n")
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
    return run(urls, demo=args.demo, screenshot=args.screenshot, after=args.after, options=options)


if __name__ == "__main__":
    sys.exit(main())
