"""SSEClient's request arguments: their checks, and the body sent on each attempt."""

from __future__ import annotations

import re
from collections.abc import Callable
from json import dumps as json_dumps
from typing import Any

import requests

from ..errors import CallbackError

__all__ = ["check_request", "is_get", "request_body", "request_proxies", "verify_setting"]

#: An HTTP method is a token (RFC 9110, 5.6.2).
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def check_request(
    method: object, body: object, json: object, last_event_id: object, session: object
) -> None:
    """Raise a ValueError or TypeError naming the request argument that cannot be used."""
    if not isinstance(method, str) or not _TOKEN.fullmatch(method):
        raise ValueError(f"method must be an HTTP method name such as 'GET', got {method!r}")
    if body is not None and json is not None:
        raise ValueError("pass body or json, not both")
    if body is not None and not callable(body) and not isinstance(body, str | bytes):
        raise TypeError(f"body must be str, bytes or a function, got {type(body).__name__}")
    if json is not None and not callable(json):
        _check_json(json)
    if last_event_id is not None and (not isinstance(last_event_id, str) or "\0" in last_event_id):
        raise ValueError(f"last_event_id must be a str without NUL, got {last_event_id!r}")
    if session is not None and not isinstance(session, requests.Session):
        raise TypeError(f"session must be a requests.Session, got {type(session).__name__}")


def request_body(body: Any, json: Any) -> tuple[str | bytes | None, Any]:
    """The ``data`` and ``json`` of this attempt: a function given is called now.

    Raises:
        CallbackError: the function raised, or returned what cannot be sent.
    """
    if not callable(body) and not callable(json):
        return body, json
    function: Callable[[], Any] = body if callable(body) else json
    name = getattr(function, "__qualname__", repr(function))
    try:
        value = function()
        if callable(body):
            if not isinstance(value, str | bytes):
                raise TypeError(f"body must be str or bytes, got {type(value).__name__}")
            return value, None
        _check_json(value)
    except Exception as exc:
        error = CallbackError(f"request body function {name} failed: {type(exc).__name__}: {exc}")
        raise error from exc
    return None, value


def request_proxies(proxy: str | bool | None) -> Any:
    """requests' ``proxies=`` for our ``proxy=``.

    None lets requests read the environment (and a session's ``proxies``) itself, as
    ``_proxy.proxy_for`` does for WSClient; a None value turns a key off, even one the
    environment or the session would set.
    """
    if proxy is None:
        return None
    if proxy is False or proxy is True:
        return {"http": None, "https": None, "all": None}
    return {"http": proxy, "https": proxy}


def _check_json(value: object) -> None:
    """Raise unless requests can send ``value`` as JSON (it refuses NaN and infinities)."""
    try:
        json_dumps(value, allow_nan=False)
    except TypeError as exc:
        raise TypeError(f"json cannot be serialised: {exc}") from None
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"json cannot be serialised: {exc}") from None


def is_get(method: object) -> bool:
    return isinstance(method, str) and method.upper() == "GET"


def verify_setting(verify: bool | str, session: requests.Session) -> bool | str:
    """The ``verify`` in force: ours if set, else the session's.

    requests lets REQUESTS_CA_BUNDLE override ``session.verify``; a caller who set it
    on the session they handed us means it.
    """
    if verify is not True:
        return verify
    session_verify: bool | str | None = session.verify
    return True if session_verify is None else session_verify
