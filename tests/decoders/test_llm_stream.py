"""The LLM stream assembler, fed the event sequences each API documents (no Qt)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pushsdk_monitor.decoders import LlmAssembler, LlmState, ToolCall
from tests.decoders.llm_streams import ANTHROPIC, OPENAI_CHAT, RESPONSES


def feed(events: list[tuple[str, Any]], step: float = 0.1) -> tuple[LlmAssembler, list[LlmState]]:
    """Feed ``(event name, body)`` pairs 0.1 s apart; return the states after each."""
    assembler = LlmAssembler()
    states = []
    for number, (_event, body) in enumerate(events):  # the body names its type itself
        data = body if isinstance(body, str) else json.dumps(body)
        assembler.feed(data, 1000.0 + number * step)
        states.append(assembler.state)
    return assembler, states


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        (
            OPENAI_CHAT,
            LlmState(
                text="Hello",
                tool_calls=(
                    ToolCall(0, "call_a", "get_weather", '{"city": "Oslo"}'),
                    ToolCall(1, "call_b", "get_time", "{}"),
                ),
                tokens=12,
                tokens_exact=True,
                tokens_per_second=12 / 0.5,
                time_to_first_token=0.1,
                done=True,
                api="openai-chat",
                model="gpt-4o",
                finish_reason="tool_calls",
                events=10,
            ),
        ),
        (
            RESPONSES,
            LlmState(
                text="Hi there",
                tool_calls=(ToolCall(1, "call_x", "lookup", '{"q": "x"}'),),
                tokens=7,
                tokens_exact=True,
                tokens_per_second=7 / 0.4,
                time_to_first_token=0.2,
                done=True,
                api="openai-responses",
                model="gpt-4.1",
                finish_reason="completed",
                events=9,
            ),
        ),
        (
            ANTHROPIC,
            LlmState(
                text="Okay, checking.",
                tool_calls=(ToolCall(1, "toolu_1", "get_weather", '{"location": "Paris"}'),),
                tokens=89,
                tokens_exact=True,
                tokens_per_second=89 / 0.6,
                time_to_first_token=0.3,
                done=True,
                api="anthropic",
                model="claude-sonnet-4-5",
                finish_reason="tool_use",
                events=13,
            ),
        ),
    ],
    ids=["openai-chat", "openai-responses", "anthropic"],
)
def test_whole_streams_assemble(events: list[tuple[str, Any]], expected: LlmState) -> None:
    _, states = feed(events)
    final = states[-1]
    assert final.tokens_per_second == pytest.approx(expected.tokens_per_second)
    assert final.time_to_first_token == pytest.approx(expected.time_to_first_token)
    rounded = {"tokens_per_second": 0.0, "time_to_first_token": None}
    assert final.__class__(**{**_fields(final), **rounded}) == expected.__class__(
        **{**_fields(expected), **rounded}
    )


def _fields(state: LlmState) -> dict[str, Any]:
    return {name: getattr(state, name) for name in LlmState.__slots__}


def test_running_text_grows_with_each_delta_and_counts_deltas_until_usage() -> None:
    _, states = feed(OPENAI_CHAT)
    assert [s.text for s in states[:3]] == ["", "Hel", "Hello"]
    assert [(s.tokens, s.tokens_exact) for s in states[1:4]] == [(1, False), (2, False), (2, False)]
    assert states[4].tool_calls == (ToolCall(0, "call_a", "get_weather", '{"city":'),)
    assert states[1].tokens_per_second == 0.0  # one delta: no interval yet
    assert states[2].tokens_per_second == pytest.approx(2 / 0.1)
    assert not any(s.done for s in states[:-1])


def test_time_to_first_token_counts_from_the_request() -> None:
    assembler = LlmAssembler(started=990.0)
    assembler.feed(json.dumps(OPENAI_CHAT[1][1]), 1000.5)
    assert assembler.state.time_to_first_token == pytest.approx(10.5)


def test_several_choices_are_kept_apart() -> None:
    events = [
        (
            "message",
            {
                "object": "chat.completion.chunk",
                "choices": [
                    {"index": 0, "delta": {"content": "A"}},
                    {"index": 1, "delta": {"content": "B"}},
                ],
            },
        ),
        (
            "message",
            {
                "object": "chat.completion.chunk",
                "choices": [{"index": 1, "delta": {"content": "b"}}],
            },
        ),
    ]
    _, states = feed(events)
    assert states[-1].text == "[choice 0]\nA\n\n[choice 1]\nBb"


@pytest.mark.parametrize(
    ("events", "error"),
    [
        (
            [("message", {"error": {"message": "Rate limit", "type": "requests"}})],
            "requests: Rate limit",
        ),
        (
            [
                (
                    "error",
                    {
                        "type": "error",
                        "error": {"type": "overloaded_error", "message": "Overloaded"},
                    },
                )
            ],
            "overloaded_error: Overloaded",
        ),
        (
            [RESPONSES[0], ("error", {"type": "error", "code": "server_error", "message": "boom"})],
            "server_error: boom",
        ),
        (
            [
                (
                    "response.failed",
                    {
                        "type": "response.failed",
                        "response": {
                            "status": "failed",
                            "error": {"code": "server_error", "message": "x"},
                        },
                    },
                )
            ],
            "server_error: x",
        ),
    ],
)
def test_errors_the_stream_reports_are_shown(events: list[tuple[str, Any]], error: str) -> None:
    _, states = feed(events)
    assert states[-1].error == error


def test_other_events_are_counted_and_ignored() -> None:
    assembler, states = feed(
        [
            ("message", "Server time: 12:00:00"),
            ("message", "[1, 2]"),
            ("ping", {"n": 1}),
            ("message", "[DONE]"),
        ]
    )
    assert (states[-1].events, states[-1].ignored, states[-1].done) == (4, 3, True)
    assert states[-1].text == "" and states[-1].api == ""
    assert assembler.feed("{not json", 0.0) is False


def test_malformed_fields_do_not_crash() -> None:
    _, states = feed(
        [
            (
                "message",
                {
                    "choices": [
                        None,
                        {
                            "index": "x",
                            "delta": {
                                "content": 5,
                                "tool_calls": [None, {"index": True, "function": "f"}],
                            },
                        },
                    ]
                },
            ),
            ("content_block_delta", {"type": "content_block_delta", "delta": None}),
            ("response.output_item.added", {"type": "response.output_item.added", "item": 3}),
        ]
    )
    assert states[-1].text == "" and states[-1].tool_calls == (ToolCall(0, "", "", ""),)
