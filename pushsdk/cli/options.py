"""What one ``pushsdk [ws|sse] URL`` run is asked to do: ``Options``, checked.

``parse_options`` turns the parsed arguments (``parser``) into ``Options``. Bad
usage raises ``UsageError`` (exit status 2); every rule that depends on
the protocol (``-d`` is for SSE, ``--send`` for WebSocket, ...) is checked here,
so that the session never meets an option it cannot honour.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import ssl
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from .urls import protocol_and_url

__all__ = ["Options", "Send", "UsageError", "parse_options"]

#: An HTTP header name is a token (RFC 9110, 5.6.2).
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


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
    connect_timeout: float | None = None
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
    try:
        protocol, url = protocol_and_url(args.url, forced)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
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
        connect_timeout=args.connect_timeout,
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
    if options.cacert is not None:
        _check_cacert(options.cacert)
    if options.insecure and options.cacert is not None:
        raise UsageError("give --insecure or --cacert, not both")
    return options


def _headers(lines: Sequence[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon:  # not the line itself: "Authorization Bearer s3cret" holds a secret
            words = line.split(maxsplit=1)
            got = f"{words[0]!r}... without a colon" if words else "an empty one"
            raise UsageError(f"-H takes 'Name: value', got {got}")
        if not _TOKEN.fullmatch(name):
            raise UsageError(f"-H takes 'Name: value', got the name {name!r}")
        if "\r" in value or "\n" in value:
            raise UsageError(f"-H {name}: a header value cannot contain a line break")
        headers[name] = value.strip()
    return headers


def _check_cacert(path: str) -> None:
    """Refuse a file that holds no CA certificate: every attempt would fail on it."""
    if not os.path.isfile(path):
        raise UsageError(f"--cacert: no such file: {path}")
    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, OSError) as exc:
        raise UsageError(
            f"--cacert {path}: not a CA bundle ({getattr(exc, 'reason', None) or exc}); "
            "give the PEM file of the CA that issued the server's certificate"
        ) from None


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
