"""The argparse parser of ``pushsdk [ws|sse] URL``: the options, their help and types.

Only the syntax lives here (what each option is called, takes and says in
``--help``); what the options mean together is checked in ``options``.
"""

from __future__ import annotations

import argparse
import inspect
from typing import Any

from .. import __version__
from ..ws import WSClient
from .options import Send

__all__ = ["EXAMPLES", "build_parser"]

#: How long the clients retry a first connection by default (said in --help).
_FIRST_CONNECT_BUDGET: float = (
    inspect.signature(WSClient).parameters["first_connect_timeout"].default
)

EXAMPLES = """\
examples:
  pushsdk wss://stream.example.com/ws                    print each message
  pushsdk ws://localhost:8765/ws --send '{"op": "subscribe", "channel": "trades"}'
                                                         subscribe on every (re)connect
  pushsdk ws://host/ws --interval 30 --send ping         send "ping" every 30 s
  pushsdk https://host/events --jsonl | jq .data         SSE, one JSON object per message
  pushsdk https://api.example.com/v1/chat -H "Authorization: Bearer $TOKEN" \\
      --json '{"prompt": "Hi", "stream": true}' --until '[DONE]'
                                                         an LLM-style POST stream
  pushsdk http://host/stream --record trades.jsonl      record, then serve it back with:
  pushsdk replay trades.jsonl --port 8766

exit status: 0 clean end (or --count/--until/--timeout reached), 1 fatal error,
2 bad usage, 130 interrupted (Ctrl+C).
"""


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a non-negative number of seconds: {text!r}")
    return value


def _interval(text: str) -> float:
    value = _seconds(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds: {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


class _IntervalAction(argparse.Action):
    """``--interval S`` applies to the ``--send`` options that follow it."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        namespace.interval = values
        namespace.interval_used = False


class _SendAction(argparse.Action):
    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        interval = getattr(namespace, "interval", None)
        namespace.sends = [*(getattr(namespace, "sends", None) or []), Send(str(values), interval)]
        if interval is not None:
            namespace.interval_used = True


def build_parser(prog: str = "pushsdk") -> argparse.ArgumentParser:
    """The parser of the connect command (``replay`` has its own)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        usage="%(prog)s [ws|sse] URL [options]\n       %(prog)s replay FILE.jsonl [options]",
        description=(
            "Connect to a WebSocket (ws://, wss://) or Server-Sent Events (http://, https://) "
            "endpoint and print each message on its own line as it arrives. Reconnects after "
            "drops (SSE resumes with Last-Event-ID), re-sending --send messages on every open. "
            "'pushsdk replay --help' serves a recording back."
        ),
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("url", metavar="URL", help="ws://, wss://, http:// or https:// URL")
    parser.add_argument("--version", action="version", version=f"pushsdk {__version__}")

    out = parser.add_argument_group("output")
    out.add_argument(
        "--jsonl",
        action="store_true",
        help="one JSON object per message (time, direction, event, id, data), for jq",
    )
    out.add_argument(
        "--binary-format",
        choices=("hex", "base64"),
        default="hex",
        help="how binary messages are printed as text (default: hex)",
    )
    out.add_argument("--record", metavar="FILE", help="record every message and event (JSONL)")
    out.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colours on a terminal (auto, the default; NO_COLOR is honoured)",
    )
    out.add_argument(
        "-v", "--verbose", action="store_true", help="status lines on stderr even without a TTY"
    )
    out.add_argument("-q", "--quiet", action="store_true", help="no status lines, errors only")

    send = parser.add_argument_group("sending (WebSocket)")
    send.add_argument(
        "--send",
        metavar="MSG",
        dest="sends",
        action=_SendAction,
        help="send MSG on every open (repeatable), so a subscription survives reconnects",
    )
    send.add_argument(
        "--interval",
        metavar="S",
        type=_interval,
        action=_IntervalAction,
        help="the --send options after it are also re-sent every S seconds while open",
    )
    send.add_argument(
        "--binary-stdin",
        action="store_true",
        help="send stdin as raw binary messages (one per read) instead of a text line each",
    )

    request = parser.add_argument_group("request")
    request.add_argument(
        "-H",
        "--header",
        metavar="'NAME: VALUE'",
        action="append",
        default=[],
        help="a request header (repeatable)",
    )
    request.add_argument("-X", "--request", metavar="METHOD", help="HTTP method (SSE)")
    request.add_argument(
        "-d", "--data", metavar="DATA", help="request body (SSE; @FILE reads a file, @- stdin)"
    )
    request.add_argument("--json", metavar="JSON", help="JSON request body (SSE), implies POST")
    request.add_argument("--last-event-id", metavar="ID", help="Last-Event-ID to start from (SSE)")
    request.add_argument(
        "--event-key", metavar="KEY", help="JSON key naming the event of a message (WebSocket)"
    )
    request.add_argument(
        "--subprotocol",
        metavar="NAME",
        action="append",
        default=[],
        help="WebSocket subprotocol to offer (repeatable)",
    )
    request.add_argument(
        "--proxy",
        metavar="URL",
        help="proxy URL: http://, https://, socks5://, socks5h://, socks4:// (default: "
        "the *_PROXY environment)",
    )
    request.add_argument(
        "-k", "--insecure", action="store_true", help="do not verify the TLS certificate"
    )
    request.add_argument("--cacert", metavar="FILE", help="CA bundle to verify the server with")
    request.add_argument(
        "--compression",
        choices=("on", "off"),
        help="permessage-deflate (WebSocket), when this pushsdk version supports it",
    )
    request.add_argument(
        "--connect-timeout",
        metavar="S",
        type=_interval,
        help="seconds one connection attempt may take: TCP, TLS, proxy and handshake (default: 10)",
    )
    request.add_argument(
        "--read-timeout",
        metavar="S",
        type=_seconds,
        help="seconds of silence before the connection counts as dead (WebSocket: ping first)",
    )
    reconnect = request.add_mutually_exclusive_group()
    reconnect.add_argument(
        "--no-reconnect",
        dest="reconnect",
        action="store_false",
        default=None,
        help="never reconnect: a drop or a close ends the run",
    )
    reconnect.add_argument(
        "--reconnect",
        dest="reconnect",
        action="store_true",
        help="reconnect even a non-GET (POST) stream, re-sending its body",
    )

    stop = parser.add_argument_group("filters and stopping")
    stop.add_argument(
        "--event", metavar="NAME", action="append", default=[], help="only these events"
    )
    stop.add_argument(
        "--count", metavar="N", type=_positive_int, help="exit after N messages (0 status)"
    )
    stop.add_argument(
        "--timeout",
        metavar="S",
        type=_seconds,
        help="exit after S seconds; until then, keep trying to connect (without it: give up "
        f"after {_FIRST_CONNECT_BUDGET:g} s without a connection)",
    )
    stop.add_argument("--until", metavar="TEXT", help="exit after the message equal to TEXT")
    return parser
