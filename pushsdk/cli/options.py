"""The command line of ``pushsdk [ws|sse] URL``: parsing and checking, nothing else.

Bad usage raises ``UsageError`` (exit status 2); every rule that depends on
the protocol (``-d`` is for SSE, ``--send`` for WebSocket, ...) is checked here,
so that the session never meets an option it cannot honour.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .. import __version__

__all__ = ["Options", "Send", "UsageError", "build_parser", "parse_options"]

#: An HTTP header name is a token (RFC 9110, 5.6.2).
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_SCHEMES = {"ws": "ws", "wss": "ws", "http": "sse", "https": "sse"}

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


class UsageError(Exception):
    """The command line is wrong; the message says how."""


@dataclass(frozen=True)
class Send:
    """A ``--send`` message: sent on every open, and every ``interval`` s if set."""

    text: str
    interval: float | None = None


@dataclass(frozen=True)
class Options:
    """Everything one ``pushsdk URL`` run was asked to do."""

    protocol: str  # "ws" or "sse"
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    body: bytes | None = None
    json: str | None = None  # a JSON body, sent as typed (validated)
    last_event_id: str | None = None
    event_key: str | None = None
    subprotocols: tuple[str, ...] = ()
    proxy: str | None = None
    insecure: bool = False
    cacert: str | None = None
    compression: bool | None = None
    read_timeout: float | None = None
    reconnect: bool | None = None  # None: the SDK's default for the request
    sends: tuple[Send, ...] = ()
    binary_stdin: bool = False
    jsonl: bool = False
    binary_format: str = "hex"
    events: frozenset[str] = frozenset()
    count: int | None = None
    timeout: float | None = None
    until: str | None = None
    record: str | None = None
    color: str = "auto"
    verbose: bool = False
    quiet: bool = False


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
    stop.add_argument("--timeout", metavar="S", type=_seconds, help="exit after S seconds")
    stop.add_argument("--until", metavar="TEXT", help="exit after the message equal to TEXT")
    return parser


def parse_options(argv: Sequence[str], parser: argparse.ArgumentParser) -> Options:
    """Parse ``argv`` (``ws``/``sse`` first forces the protocol).

    Raises:
        UsageError: the arguments make no sense together; SystemExit from argparse.
    """
    forced = argv[0] if argv and argv[0] in ("ws", "sse") else None
    args = parser.parse_args(argv[1:] if forced else argv)
    if getattr(args, "interval", None) is not None and not getattr(args, "interval_used", False):
        raise UsageError(
            "--interval applies to the --send options after it: --interval S --send MSG"
        )
    protocol, url = _protocol_and_url(args.url, forced)
    method = (args.request or "").upper()
    body: bytes | None = None
    if args.data is not None and args.json is not None:
        raise UsageError("give -d/--data or --json, not both")
    if args.data is not None:
        body = _read_data(args.data)
    if args.json is not None:
        try:
            json.loads(args.json)
        except ValueError as exc:
            raise UsageError(f"--json is not valid JSON: {exc}") from None
    has_body = args.data is not None or args.json is not None
    if not method:
        method = "POST" if has_body else "GET"
    if method and not _TOKEN.fullmatch(method):
        raise UsageError(f"-X: not an HTTP method: {args.request!r}")
    options = Options(
        protocol=protocol,
        url=url,
        headers=_headers(args.header),
        method=method,
        body=body,
        json=args.json,
        last_event_id=args.last_event_id,
        event_key=args.event_key,
        subprotocols=tuple(args.subprotocol),
        proxy=args.proxy,
        insecure=args.insecure,
        cacert=args.cacert,
        compression=None if args.compression is None else args.compression == "on",
        read_timeout=args.read_timeout,
        reconnect=args.reconnect,
        sends=tuple(getattr(args, "sends", None) or ()),
        binary_stdin=args.binary_stdin,
        jsonl=args.jsonl,
        binary_format=args.binary_format,
        events=frozenset(args.event),
        count=args.count,
        timeout=args.timeout,
        until=args.until,
        record=args.record,
        color=args.color,
        verbose=args.verbose,
        quiet=args.quiet,
    )
    _check_protocol_options(options, args)
    if options.cacert is not None and not os.path.isfile(options.cacert):
        raise UsageError(f"--cacert: no such file: {options.cacert}")
    if options.insecure and options.cacert is not None:
        raise UsageError("give --insecure or --cacert, not both")
    return options


def _protocol_and_url(url: str, forced: str | None) -> tuple[str, str]:
    url = url.strip()
    if "://" not in url:
        if forced is None:
            raise UsageError(
                f"URL needs a scheme: ws://, wss://, http:// or https:// (got {url!r}); "
                "or say 'pushsdk ws HOST/PATH' or 'pushsdk sse HOST/PATH'"
            )
        url = ("ws://" if forced == "ws" else "http://") + url
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    protocol = _SCHEMES.get(scheme)
    if protocol is None:
        raise UsageError(f"unsupported URL scheme {scheme!r}: use ws, wss, http or https")
    if forced == "ws" and protocol == "sse":  # pushsdk ws https://host/socket
        return "ws", ("wss" if scheme == "https" else "ws") + "://" + rest
    if forced == "sse" and protocol == "ws":
        raise UsageError(f"'pushsdk sse' needs an http:// or https:// URL, got {scheme}://")
    url = f"{scheme}://{rest}"
    try:
        host = urlsplit(url).hostname
    except ValueError:  # a malformed URL: the client's check says what is wrong
        host = "?"
    if not host:
        raise UsageError(f"URL has no host: {url!r}; e.g. {scheme}://localhost:8080/path")
    return protocol, url


def _headers(lines: Sequence[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon or not _TOKEN.fullmatch(name):
            raise UsageError(f"-H takes 'Name: value', got {name or line!r}")
        if "\r" in value or "\n" in value:
            raise UsageError(f"-H {name}: a header value cannot contain a line break")
        headers[name] = value.strip()
    return headers


def _read_data(data: str) -> bytes:
    if not data.startswith("@"):
        return data.encode()
    path = data[1:]
    try:
        if path == "-":
            return sys.stdin.buffer.read()
        with open(path, "rb") as file:
            return file.read()
    except OSError as exc:
        raise UsageError(f"-d @{path}: {exc.strerror or exc}") from None


def _check_protocol_options(options: Options, args: argparse.Namespace) -> None:
    if options.protocol == "ws":
        wrong = [
            ("-X", args.request is not None and options.method != "GET"),
            ("-d/--data", args.data is not None),
            ("--json", args.json is not None),
            ("--last-event-id", args.last_event_id is not None),
        ]
        where = "SSE (http:// or https:// URLs)"
    else:
        wrong = [
            ("--send", bool(options.sends)),
            ("--binary-stdin", options.binary_stdin),
            ("--event-key", args.event_key is not None),
            ("--subprotocol", bool(args.subprotocol)),
            ("--compression", args.compression is not None),
        ]
        where = "WebSocket (ws:// or wss:// URLs)"
    names = [name for name, used in wrong if used]
    if names:
        raise UsageError(f"{', '.join(names)}: only for {where}")
