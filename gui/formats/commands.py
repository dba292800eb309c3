"""A row as a shell command that repeats its request: curl for SSE, websocat for
WebSocket (no Qt). Header values are copied as they are: the user asked for a
command that works, and the clipboard is theirs."""

from __future__ import annotations

from shlex import quote

from ..connection.clients import ConnectOptions, Transport, transport_for_url

__all__ = ["command_for"]


def command_for(url: str, options: ConnectOptions, payload: str | bytes | None = None) -> str:
    """The command that makes ``url``'s request with ``options`` (and sends ``payload``).

    Raises:
        ValueError: ``url`` is not a ws/wss/http/https URL.
    """
    if transport_for_url(url) is Transport.SSE:
        return _curl(url, options)
    return _websocat(url, options, payload)


def _tls(options: ConnectOptions, *, curl: bool) -> list[str]:
    args = []
    if not options.verify:
        args.append("-k")
    if curl:
        if options.ca_file:
            args += ["--cacert", options.ca_file]
        if options.client_cert:
            args += ["--cert", options.client_cert]
        if options.client_key:
            args += ["--key", options.client_key]
    return args


def _curl(url: str, options: ConnectOptions) -> str:
    args = ["curl", "-N", "-H", "Accept: text/event-stream"]
    for name, value in options.headers.items():
        args += ["-H", f"{name}: {value}"]
    if options.method.upper() != "GET" or options.body:
        args += ["-X", options.method.upper()]
    if options.body:
        args += ["--data-raw", options.body]
    args += _tls(options, curl=True)
    if options.proxy:
        args += ["-x", options.proxy]
    return " ".join(quote(a) for a in [*args, url])


def _websocat(url: str, options: ConnectOptions, payload: str | bytes | None) -> str:
    args = ["websocat"]
    for name, value in options.headers.items():
        args += ["-H", f"{name}: {value}"]
    for protocol in options.subprotocols:
        args += ["--protocol", protocol]
    args += _tls(options, curl=False)
    if isinstance(payload, bytes):
        args.append("--binary")
    command = " ".join(quote(a) for a in [*args, url])
    if payload is None:
        return command
    if isinstance(payload, bytes):
        return f"echo {quote(payload.hex())} | xxd -r -p | {command}"
    return f"printf '%s\\n' {quote(payload)} | {command}"
