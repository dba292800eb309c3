"""Check an example's use of the pushsdk API without running it.

Every keyword argument passed to a client, ``Backoff`` or ``Message``, and every
attribute and method keyword used on a variable named ``client``, must exist: a
renamed argument then breaks a test, not a reader. Runs on synopses too.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from typing import Any

import pushsdk

#: Constructors whose keyword arguments are checked.
CONSTRUCTORS: dict[str, Callable[..., Any]] = {
    "WSClient": pushsdk.WSClient,
    "SSEClient": pushsdk.SSEClient,
    "Backoff": pushsdk.Backoff,
    "Message": pushsdk.Message,
}
#: Instances standing for "client" in the examples (never started).
_CLIENTS = (pushsdk.WSClient("ws://example.invalid/"), pushsdk.SSEClient("http://example.invalid/"))


def _accepts(function: Callable[..., Any], keyword: str) -> bool:
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):  # pragma: no cover - a builtin without a signature
        return True
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return True
    return keyword in parameters


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.attr if node.value.id == "pushsdk" else None
    return None


def api_problems(code: str) -> list[str]:
    """What in ``code`` does not exist in the pushsdk API (empty when all is well)."""
    problems: list[str] = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call):
            keywords = [k.arg for k in node.keywords if k.arg is not None]
            constructor = CONSTRUCTORS.get(_name(node.func) or "")
            if constructor is not None:
                problems += [
                    f"line {node.lineno}: {constructor.__name__}() has no argument {k!r}"
                    for k in keywords
                    if not _accepts(constructor, k)
                ]
            elif _is_client(getattr(node.func, "value", None)):
                attribute = node.func.attr  # type: ignore[attr-defined]
                methods = [getattr(c, attribute) for c in _CLIENTS if hasattr(c, attribute)]
                problems += [
                    f"line {node.lineno}: client.{attribute}() has no argument {k!r}"
                    for k in keywords
                    if methods and not any(_accepts(m, k) for m in methods)
                ]
        if (
            isinstance(node, ast.Attribute)
            and _is_client(node.value)
            and not any(hasattr(c, node.attr) for c in _CLIENTS)
        ):
            problems.append(f"line {node.lineno}: clients have no attribute {node.attr!r}")
    return problems


def _is_client(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Name) and node.id == "client"
