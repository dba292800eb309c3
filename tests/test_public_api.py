"""The public surface: exported names, py.typed, Message, errors, and no Qt in the SDK."""

from __future__ import annotations

import ast
import copy
import dataclasses
import importlib.resources
import pickle
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

import pushsdk
from pushsdk import HandshakeError, Message, ProtocolError, PushError, Remedy


def test_exported_members_are_exactly_all() -> None:
    public = {name for name in dir(pushsdk) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(pushsdk, name)).__name__ == "module"}
    assert public - modules == set(pushsdk.__all__)
    for name in set(pushsdk.__all__) - {"AnyClient"}:
        assert getattr(pushsdk, name).__module__.startswith("pushsdk")
    assert pushsdk.AnyClient == pushsdk.WSClient | pushsdk.SSEClient


def test_spec_names_are_exported() -> None:
    spec_names = {
        "WSClient", "SSEClient", "Message", "Backoff", "ReadyState", "PushError",
        "ConnectError", "HandshakeError", "ProtocolError", "ConnectionClosed",
        "SendBufferFull", "CallbackError",
    }  # fmt: skip
    assert spec_names <= set(pushsdk.__all__)


def test_packages_ship_py_typed() -> None:
    assert importlib.resources.files("pushsdk").joinpath("py.typed").is_file()
    assert importlib.resources.files("pushsdk_monitor").joinpath("py.typed").is_file()


@pytest.mark.parametrize(
    "client",
    [pushsdk.WSClient("ws://127.0.0.1:1/"), pushsdk.SSEClient("http://127.0.0.1:1/")],
    ids=["ws", "sse"],
)
def test_clients_still_take_attributes_of_the_program_and_weak_references(
    client: pushsdk.AnyClient,
) -> None:
    """Slots keep an idle client small; a program may still hang its own state on one."""
    client.tag = "feed-1"  # type: ignore[union-attr]
    assert vars(client)["tag"] == "feed-1"
    assert weakref.ref(client)() is client
    client.url = "changed"  # a slot, as before an instance attribute
    assert client.url == "changed"


def test_message_is_frozen_with_slots_and_parses_json() -> None:
    message = Message('{"a": [1, 2]}', event="update", origin="ws://x/")
    assert message.json() == {"a": [1, 2]}
    assert not hasattr(message, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.data = "other"  # type: ignore[misc]
    with pytest.raises(ValueError):
        Message("not json").json()


def test_errors_form_one_tree() -> None:
    for name in ("ConnectError", "HandshakeError", "ProtocolError", "ConnectionClosed",
                 "SendBufferFull", "CallbackError"):  # fmt: skip
        assert issubclass(getattr(pushsdk, name), PushError)
    error = HandshakeError("nope", status=401, headers={"X": "1"}, body=b"denied")
    assert (error.status, dict(error.headers), error.body) == (401, {"X": "1"}, b"denied")
    assert ProtocolError("bad", close_code=1002).close_code == 1002
    advised = HandshakeError(
        "sse", status=200, advice=", use SSEClient", remedy=Remedy("open-as-sse", url="http://x/")
    )
    assert str(advised) == "sse, use SSEClient" and advised.remedy is not None
    assert (advised.advice, advised.remedy.url) == (", use SSEClient", "http://x/")
    assert (PushError("plain").advice, PushError("plain").remedy) == ("", None)


@pytest.mark.parametrize(
    "error",
    [
        pushsdk.HandshakeError("no", status=401, headers={"X": "1"}, body=b"denied"),
        pushsdk.HandshakeError(
            "sse", status=200, advice=", use SSEClient", remedy=Remedy("open-as-sse", "http://x/")
        ),
        pushsdk.ProxyError("refused", proxy="http://proxy:3128", status=407),
        pushsdk.ProtocolError("bad frame", close_code=1002),
        pushsdk.ConnectError("untrusted", advice="; pass verify=", remedy=Remedy("trust-issuer")),
        pushsdk.CallbackError("on_message raised"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_errors_survive_pickle_and_copy(error: PushError) -> None:
    """Errors cross process pools and log queues: every attribute comes back."""
    for again in (pickle.loads(pickle.dumps(error)), copy.copy(error)):
        assert type(again) is type(error)
        assert str(again) == str(error) and again.args == error.args
        assert vars(again) == vars(error)


def test_sdk_never_imports_qt() -> None:
    code = (
        "import sys, pushsdk, pushsdk.ws, pushsdk.sse\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'PyQt6', 'PyQt5')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_no_top_level_gui_module_is_installed() -> None:
    code = "import importlib.util, sys; sys.exit(importlib.util.find_spec('gui') is not None)"
    result = subprocess.run([sys.executable, "-I", "-c", code], cwd="/", timeout=60, check=False)
    assert result.returncode == 0


def test_the_monitor_uses_only_the_public_sdk() -> None:
    """gui/ imports pushsdk's public names and its public modules, never a private one."""
    public_modules = {"pushsdk", "pushsdk.recording", "pushsdk.errors", "pushsdk.message"}
    found = []
    for path in sorted((Path(__file__).parent.parent / "gui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            found += [
                f"{path.name}: {name}"
                for name in names
                if name.split(".")[0] == "pushsdk" and name not in public_modules
            ]
    assert found == []
