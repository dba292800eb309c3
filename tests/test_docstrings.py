"""help() is enough: every public name, method and argument has its documentation.

The clients' docstrings give every callback with its exact signature and every
constructor argument; a new argument without documentation fails here.
"""

from __future__ import annotations

import dataclasses
import inspect

import pytest

import pushsdk

CLIENTS = [pushsdk.WSClient, pushsdk.SSEClient]
CALLBACK_SIGNATURES = [
    "on_open(client)",
    "on_message(client, message)",
    "on_close(client, code, reason)",
    "on_error(client, error)",
    "on_reconnect(client, attempt, delay)",
]


def _public_members(cls: type) -> list[str]:
    return [
        name
        for name, _ in inspect.getmembers(cls)
        if not name.startswith("_")
        and any(name in vars(base) for base in cls.__mro__ if base.__module__.startswith("pushsdk"))
    ]


@pytest.mark.parametrize("name", pushsdk.__all__)
def test_every_public_name_has_a_docstring(name: str) -> None:
    obj = getattr(pushsdk, name)
    assert inspect.getdoc(obj), f"pushsdk.{name} has no docstring"
    if inspect.isclass(obj):
        doc = inspect.getdoc(obj) or ""
        fields = (
            {f.name for f in dataclasses.fields(obj)} if dataclasses.is_dataclass(obj) else set()
        )
        undocumented = [
            m
            for m in _public_members(obj)
            if (f"{m}:" not in doc if m in fields else not inspect.getdoc(getattr(obj, m)))
        ]
        assert undocumented == [], f"{name}: {undocumented}"


@pytest.mark.parametrize("cls", [*CLIENTS, pushsdk.Backoff], ids=lambda c: c.__name__)
def test_every_constructor_argument_is_documented(cls: type) -> None:
    doc = inspect.getdoc(cls) or ""
    parameters = inspect.signature(cls).parameters
    missing = [name for name in parameters if f"    {name}: " not in doc and f"{name}:" not in doc]
    assert missing == []


@pytest.mark.parametrize("cls", CLIENTS, ids=lambda c: c.__name__)
def test_callbacks_are_documented_with_their_signatures(cls: type) -> None:
    doc = " ".join((inspect.getdoc(cls) or "").split())
    for signature in CALLBACK_SIGNATURES:
        assert signature in doc
    for topic in ("event_key" if cls is pushsdk.WSClient else "event:", "last_error", "headers"):
        assert topic in doc
    assert "reconnect" in doc and "Ends for good" in doc


@pytest.mark.parametrize("cls", CLIENTS, ids=lambda c: c.__name__)
def test_waiting_methods_say_what_they_raise(cls: type) -> None:
    for name in ("wait_open", "join", "messages"):
        assert "PushError" in (inspect.getdoc(getattr(cls, name)) or ""), name
