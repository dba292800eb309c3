"""Turning the command line's options into a WSClient or SSEClient.

Only the public constructors are used. Where the SDK's options are still growing
(compression, ``proxy=``/``verify=`` on both clients, the per-method reconnect
default of SSE), the signature is inspected once, so that this module works with
the SDK before and after those changes.
"""

from __future__ import annotations

import inspect
import ssl
import warnings
from typing import Any

import requests
from urllib3.exceptions import InsecureRequestWarning

from ..sse import SSEClient
from ..ws import WSClient
from .options import Options

__all__ = ["build_client"]


def _parameters(cls: type) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(cls).parameters)


def build_client(options: Options, callbacks: dict[str, Any]) -> WSClient | SSEClient:
    """A client for ``options`` with ``callbacks`` (on_open, on_close, ...) attached.

    Raises:
        ValueError, TypeError: an option the SDK refuses (a bad URL, proxy, ...).
    """
    if options.protocol == "ws":
        return WSClient(options.url, **callbacks, **ws_arguments(options))
    return SSEClient(options.url, **callbacks, **sse_arguments(options))


def _connect_arguments(options: Options, params: dict[str, inspect.Parameter]) -> dict[str, Any]:
    """How long the first connection is retried: until ``--timeout`` if given."""
    if options.timeout is not None and "first_connect_timeout" in params:
        return {"first_connect_timeout": None}  # the run's deadline bounds it
    return {}


def ws_arguments(options: Options) -> dict[str, Any]:
    params = _parameters(WSClient)
    kwargs: dict[str, Any] = {
        "headers": dict(options.headers),
        **_connect_arguments(options, params),
    }
    if options.connect_timeout is not None:
        kwargs["open_timeout"] = options.connect_timeout
    if options.reconnect is False:
        kwargs["reconnect"] = False
    if options.subprotocols:
        kwargs["subprotocols"] = list(options.subprotocols)
    if options.event_key is not None:
        kwargs["event_key"] = options.event_key
    if options.proxy is not None:
        kwargs["proxy"] = options.proxy
    if options.read_timeout is not None:
        # No ping answered within read_timeout after read_timeout of silence: dead.
        kwargs["ping_interval"] = options.read_timeout
        kwargs["ping_timeout"] = options.read_timeout
    if options.compression is not None and "compression" in params:
        kwargs["compression"] = "deflate" if options.compression else None
    if options.insecure or options.cacert is not None:
        if "verify" in params:
            kwargs["verify"] = False if options.insecure else options.cacert
        elif options.insecure:
            kwargs["sslopt"] = {"cert_reqs": ssl.CERT_NONE, "check_hostname": False}
        else:
            kwargs["sslopt"] = {"ca_certs": options.cacert}
    return kwargs


def sse_arguments(options: Options) -> dict[str, Any]:
    params = _parameters(SSEClient)
    kwargs: dict[str, Any] = {
        "headers": dict(options.headers),
        "method": options.method,
        **_connect_arguments(options, params),
    }
    if options.connect_timeout is not None:
        kwargs["connect_timeout"] = options.connect_timeout
    if options.reconnect is not None:
        kwargs["reconnect"] = options.reconnect
    elif options.method != "GET" and params["reconnect"].default is True:
        # An SDK from before the per-method default: apply its rule here (SPEC v0.2:
        # a non-GET request is never re-sent unless asked to).
        kwargs["reconnect"] = False
    if options.body is not None:
        kwargs["body"] = options.body
    if options.json is not None:  # as typed, so that even `--json null` is a body
        kwargs["body"] = options.json.encode()
        if not any(name.lower() == "content-type" for name in options.headers):
            kwargs["headers"]["Content-Type"] = "application/json"
    if options.last_event_id is not None:
        kwargs["last_event_id"] = options.last_event_id
    if options.read_timeout is not None:
        kwargs["read_timeout"] = options.read_timeout
    if options.insecure:
        kwargs["verify"] = False
        # Asked for with -k: urllib3's warning on every request would only repeat it,
        # in lines that look like a traceback.
        warnings.simplefilter("ignore", InsecureRequestWarning)
    elif options.cacert is not None:
        kwargs["verify"] = options.cacert
    if options.proxy is not None:
        if "proxy" in params:
            kwargs["proxy"] = options.proxy
        else:
            session = requests.Session()
            session.proxies = {"http": options.proxy, "https": options.proxy}
            kwargs["session"] = session
    return kwargs
