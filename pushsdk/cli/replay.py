"""``pushsdk replay FILE.jsonl``: serve a recording back on 127.0.0.1.

A WebSocket recording is served as a WebSocket endpoint, an SSE recording as an
event stream with the original ids and event names that honours
``Last-Event-ID``; both on every path, with the original timing scaled by
``--speed``. The server is aiohttp (the ``replay`` extra), imported only here.
"""

from __future__ import annotations

import argparse
import ssl
import sys
from collections.abc import Sequence

from ..recording import RecordingError, read_recording
from .replay_plan import infer_protocol, make_plan, summary

__all__ = ["main"]

EXAMPLES = """\
examples:
  pushsdk wss://feed.example.com/ws --record feed.jsonl --timeout 60
  pushsdk replay feed.jsonl --port 8766             then connect to ws://127.0.0.1:8766/
  pushsdk replay feed.jsonl --speed 10 --loop       ten times faster, forever
  pushsdk replay events.jsonl --as-fast-as-possible
  pushsdk replay feed.jsonl --cert server.pem --key server-key.pem   wss:// or https://

The first line on stdout is the URL to connect to. A WebSocket client gets the
whole recording on each connection, then a close (1000); a client that
reconnects gets it again, so use `pushsdk --no-reconnect URL` for one pass. An
SSE client resumes after its Last-Event-ID and gets 204 No Content (stop
reconnecting) once it has everything, so `pushsdk URL` ends after one pass.
"""

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pushsdk replay",
        description="Serve a recording (pushsdk --record, or the monitor's JSON Lines "
        "export) back on 127.0.0.1, as the WebSocket or SSE endpoint it came from.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE.jsonl")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port (8765)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    timing = parser.add_mutually_exclusive_group()
    timing.add_argument("--speed", type=_speed, default=1.0, help="2 plays twice as fast (1)")
    timing.add_argument("--as-fast-as-possible", action="store_true", help="send without any delay")
    parser.add_argument("--loop", action="store_true", help="start again after the end")
    parser.add_argument(
        "--cert",
        metavar="FILE",
        help="serve over TLS (wss://, https://) with this PEM certificate chain",
    )
    parser.add_argument(
        "--key", metavar="FILE", help="the PEM private key of --cert (if not in that file)"
    )
    parser.add_argument(
        "--protocol",
        choices=("ws", "sse"),
        help="serve as this protocol (for a recording whose header does not say)",
    )
    return parser


def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be within 0-65535, got {args.port}")
    try:
        recording = read_recording(args.file)
    except (OSError, RecordingError) as exc:
        _error(str(exc) if isinstance(exc, RecordingError) else f"{args.file}: {exc.strerror}")
        return EXIT_ERROR
    if args.key and not args.cert:
        parser.error("--key needs --cert")
    try:
        tls = _tls_context(args.cert, args.key)
    except (OSError, ssl.SSLError) as exc:
        _error(f"cannot use --cert {args.cert}: {getattr(exc, 'strerror', None) or exc}")
        return EXIT_ERROR
    protocol = args.protocol or infer_protocol(recording)
    if protocol is None:
        _error(f"{args.file} does not say whether it is WebSocket or SSE: pass --protocol ws|sse")
        return EXIT_ERROR
    try:
        from .replay_server import serve  # noqa: PLC0415 - aiohttp is an extra
    except ImportError:
        _error('replay needs aiohttp: pip install "pushsdk[replay]"')
        return EXIT_ERROR
    plan = make_plan(recording, protocol)
    speed = None if args.as_fast_as_possible else args.speed
    try:
        serve(
            plan,
            host=args.host,
            port=args.port,
            speed=speed,
            loop=args.loop,
            tls=tls,
            announce=lambda url: _announce(url, summary(recording.entries), protocol, args.loop),
        )
    except OSError as exc:
        _error(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return 0


def _tls_context(cert: str | None, key: str | None) -> ssl.SSLContext | None:
    """A server context for ``--cert``/``--key``; None: serve plain.

    Raises:
        OSError: a file cannot be read.
        ssl.SSLError: not a PEM certificate, or a key that does not match.
    """
    if cert is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def _announce(url: str, count: int, protocol: str, loop: bool) -> None:
    sys.stdout.write(url + "\n")
    sys.stdout.flush()
    kind = "a WebSocket" if protocol == "ws" else "an SSE"
    sys.stderr.write(f"* replaying {count} messages as {kind} endpoint on {url}\n")
    if protocol == "ws" and not loop:
        # A WebSocket close cannot say "do not come back": every close is retried.
        sys.stderr.write(f"* for one pass: pushsdk --no-reconnect {url}\n")
    sys.stderr.flush()


def _error(text: str) -> None:
    sys.stderr.write(f"pushsdk replay: {text}\n")
