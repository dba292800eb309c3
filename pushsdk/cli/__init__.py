"""``pushsdk``: the command line for WebSocket and SSE streams, with recording and replay.

``pushsdk [ws|sse] URL [options]`` connects and prints each message;
``pushsdk replay FILE.jsonl`` serves a recording back (see ``--help`` of each).
Built on the public pushsdk API; the only place in pushsdk that writes to
stdout and stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .console import Console
from .options import UsageError, parse_options
from .parser import build_parser
from .session import EXIT_INTERRUPTED, EXIT_USAGE, run

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] == "replay":
            from .replay import main as replay_main  # noqa: PLC0415 - only replay needs it

            return replay_main(args[1:])
        parser = build_parser()
        try:
            options = parse_options(args, parser)
            console = Console(
                jsonl=options.jsonl,
                binary_format=options.binary_format,
                color=options.color,
                verbose=options.verbose,
                quiet=options.quiet,
            )
            return run(options, console)
        except UsageError as exc:
            parser.print_usage(sys.stderr)
            sys.stderr.write(f"pushsdk: error: {exc}\n")
            return EXIT_USAGE
    except SystemExit as exc:  # argparse: --help, --version, bad usage
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
