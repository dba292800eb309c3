"""``_build_message``: the transports' fast constructor gives an ordinary Message."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle

import pytest

from pushsdk.message import Message, _build_message


def test_same_as_the_constructor() -> None:
    built = _build_message("d", "ping", "7", "http://h/", 1.5)
    made = Message("d", "ping", "7", "http://h/", 1.5)
    assert type(built) is Message
    assert built == made
    assert hash(built) == hash(made)
    assert repr(built) == repr(made)
    assert dataclasses.asdict(built) == dataclasses.asdict(made)


def test_still_frozen() -> None:
    built = _build_message("d", "message", None, "", 0.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.data = "x"  # type: ignore[misc]


def test_copies_and_pickles() -> None:
    built = _build_message(b"\x00", "message", None, "ws://h/", 2.0)
    assert pickle.loads(pickle.dumps(built)) == built
    assert copy.copy(built) == built
    assert dataclasses.replace(built, data=b"y").data == b"y"


def test_sets_every_field() -> None:
    """A field added to Message must be added to _build_message too."""
    names = [field.name for field in dataclasses.fields(Message)]
    assert list(inspect.signature(_build_message).parameters) == names
