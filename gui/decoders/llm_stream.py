"""Assembling LLM streams (SSE) into running text, tool calls and token rates.

Feed the events of one stream in order; :attr:`LlmAssembler.state` is the answer
so far. Three shapes are understood, told apart per event by their JSON:

- OpenAI chat completions: ``choices[].delta.content``, ``delta.tool_calls``
  (arguments merged by ``index``), ``usage`` when the request asked for it, and
  ``data: [DONE]``;
- the OpenAI Responses API: ``response.output_text.delta``,
  ``response.output_item.added`` for function calls, then
  ``response.function_call_arguments.delta`` merged by output index, and
  ``response.completed`` with the usage;
- Anthropic messages: ``content_block_start`` / ``content_block_delta``
  (``text_delta``, ``input_json_delta``) by block index, ``message_delta`` with
  the usage, ``message_stop``.

Tokens are the stream's own count once it gives one (``usage``), else the number
of content deltas (about one token each for OpenAI, several for Anthropic):
``tokens_exact`` tells which. The rate runs from the first to the latest delta.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LlmAssembler", "LlmState", "ToolCall"]

DONE = "[DONE]"


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool (function) call with its arguments so far (JSON text, maybe partial)."""

    index: int
    id: str
    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class LlmState:
    """The stream so far.

    Attributes:
        text: the assistant's text (several choices are headed ``[choice N]``).
        tool_calls: in index order.
        tokens: output tokens (exact when ``tokens_exact``, else counted deltas).
        tokens_per_second: tokens over the time from the first to the latest delta
            (0.0 until two deltas are apart).
        done: the stream said it ended (``[DONE]``, ``message_stop``, ...).
        closed: the connection closed; before ``done``, the answer was cut off.
        api: "openai-chat", "openai-responses", "anthropic" or "" (nothing seen yet).
        model: the model the stream names, "" if none.
        finish_reason: why it stopped, as the stream says it ("stop", "end_turn", ...).
        error: an error the stream reported.
        events: events fed; ``ignored`` of them were not LLM events.
    """

    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tokens: int = 0
    tokens_exact: bool = False
    tokens_per_second: float = 0.0
    time_to_first_token: float | None = None
    done: bool = False
    closed: bool = False
    api: str = ""
    model: str = ""
    finish_reason: str = ""
    error: str = ""
    events: int = 0
    ignored: int = 0


@dataclass(slots=True)
class _Call:
    id: str = ""
    name: str = ""
    parts: list[str] = field(default_factory=list)


class LlmAssembler:
    """Incremental: :meth:`feed` each SSE event, read :attr:`state` when needed.

    ``started``: when the request was made (time to first token counts from it);
    None counts from the first event.
    """

    def __init__(self, started: float | None = None) -> None:
        self._texts: dict[int, list[str]] = {}
        self._calls: dict[tuple[int, int], _Call] = {}
        self._deltas = 0
        self._usage: int | None = None
        self._started = started
        self._first_delta: float | None = None
        self._last_delta: float | None = None
        self._done = False
        self._closed = False
        self._api = ""
        self._model = ""
        self._finish = ""
        self._error = ""
        self._events = 0
        self._ignored = 0

    def feed(self, data: str, timestamp: float) -> bool:
        """Take one SSE event's data, received at ``timestamp`` (seconds).

        Returns whether it was an LLM event (anything else is counted as ignored).
        """
        self._events += 1
        if self._started is None:
            self._started = timestamp
        if data.strip() == DONE:
            self._done = True
            return True
        try:
            body = json.loads(data)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self._ignored += 1
            return False
        kind = _str(body.get("type"))  # Responses and Anthropic bodies name their type
        if isinstance(body.get("choices"), list) or body.get("object") == "chat.completion.chunk":
            self._openai_chat(body, timestamp)
        elif kind.startswith("response.") or (kind == "error" and self._api == "openai-responses"):
            self._responses(kind, body, timestamp)
        elif kind in _ANTHROPIC_EVENTS:
            self._anthropic(kind, body, timestamp)
        elif isinstance(body.get("error"), dict):
            self._error = _error_text(body["error"])
        else:
            self._ignored += 1
            return False
        return True

    def close(self) -> None:
        """The connection closed: nothing more comes for this answer."""
        self._closed = True

    @property
    def state(self) -> LlmState:
        tokens = self._usage if self._usage is not None else self._deltas
        rate = 0.0
        if self._first_delta is not None and self._last_delta is not None:
            elapsed = self._last_delta - self._first_delta
            if elapsed > 0:
                rate = tokens / elapsed
        first = None
        if self._first_delta is not None and self._started is not None:
            first = self._first_delta - self._started
        calls = tuple(
            ToolCall(index, call.id, call.name, "".join(call.parts))
            for (_, index), call in sorted(self._calls.items())
        )
        return LlmState(
            text=self._text(),
            tool_calls=calls,
            tokens=tokens,
            tokens_exact=self._usage is not None,
            tokens_per_second=rate,
            time_to_first_token=first,
            done=self._done,
            closed=self._closed,
            api=self._api,
            model=self._model,
            finish_reason=self._finish,
            error=self._error,
            events=self._events,
            ignored=self._ignored,
        )

    def _text(self) -> str:
        if len(self._texts) <= 1:
            return "".join(next(iter(self._texts.values()), []))
        return "\n\n".join(
            f"[choice {index}]\n" + "".join(parts) for index, parts in sorted(self._texts.items())
        )

    def _delta(self, timestamp: float) -> None:
        self._deltas += 1
        if self._first_delta is None:
            self._first_delta = timestamp
        self._last_delta = timestamp

    def _call(self, key: tuple[int, int]) -> _Call:
        call = self._calls.get(key)
        if call is None:
            call = self._calls[key] = _Call()
        return call

    def _openai_chat(self, body: dict[str, Any], timestamp: float) -> None:
        self._api = "openai-chat"
        self._model = _str(body.get("model")) or self._model
        usage = body.get("usage")
        if isinstance(usage, dict) and isinstance(usage.get("completion_tokens"), int):
            self._usage = usage["completion_tokens"]
        if isinstance(body.get("error"), dict):
            self._error = _error_text(body["error"])
        for choice in body.get("choices") or ():
            if not isinstance(choice, dict):
                continue
            index = _int(choice.get("index"))
            delta = choice.get("delta")
            if isinstance(delta, dict):
                content = delta.get("content")
                if isinstance(content, str) and content:
                    self._texts.setdefault(index, []).append(content)
                    self._delta(timestamp)
                for tool in delta.get("tool_calls") or ():
                    if isinstance(tool, dict):
                        self._openai_tool(index, tool, timestamp)
            if choice.get("finish_reason"):
                self._finish = _str(choice["finish_reason"])

    def _openai_tool(self, choice: int, tool: dict[str, Any], timestamp: float) -> None:
        call = self._call((choice, _int(tool.get("index"))))
        call.id = _str(tool.get("id")) or call.id
        function = tool.get("function")
        if isinstance(function, dict):
            call.name = _str(function.get("name")) or call.name
            arguments = function.get("arguments")
            if isinstance(arguments, str) and arguments:
                call.parts.append(arguments)
                self._delta(timestamp)

    def _responses(self, kind: str, body: dict[str, Any], timestamp: float) -> None:
        self._api = "openai-responses"
        if kind == "response.output_text.delta":
            self._texts.setdefault(0, []).append(_str(body.get("delta")))
            self._delta(timestamp)
        elif kind == "response.output_item.added":
            item = body.get("item")
            if isinstance(item, dict) and item.get("type") == "function_call":
                call = self._call((0, _int(body.get("output_index"))))
                call.id = _str(item.get("call_id")) or _str(item.get("id"))
                call.name = _str(item.get("name"))
                if item.get("arguments"):
                    call.parts = [_str(item["arguments"])]
        elif kind == "response.function_call_arguments.delta":
            self._call((0, _int(body.get("output_index")))).parts.append(_str(body.get("delta")))
            self._delta(timestamp)
        elif kind == "response.function_call_arguments.done":
            if isinstance(body.get("arguments"), str):
                self._call((0, _int(body.get("output_index")))).parts = [body["arguments"]]
        elif kind in (
            "response.created",
            "response.completed",
            "response.incomplete",
            "response.failed",
        ):
            response = body.get("response")
            if isinstance(response, dict):
                self._model = _str(response.get("model")) or self._model
                usage = response.get("usage")
                if isinstance(usage, dict) and isinstance(usage.get("output_tokens"), int):
                    self._usage = usage["output_tokens"]
                if isinstance(response.get("error"), dict):
                    self._error = _error_text(response["error"])
                if kind != "response.created":
                    self._finish = _str(response.get("status")) or kind.split(".", 1)[1]
                    self._done = True
        elif kind == "error":
            error = body.get("error")
            self._error = _error_text(error if isinstance(error, dict) else _without_type(body))

    def _anthropic(self, kind: str, body: dict[str, Any], timestamp: float) -> None:
        if kind != "error" or not self._api:
            self._api = "anthropic"
        index = _int(body.get("index"))
        if kind == "message_start":
            message = body.get("message")
            if isinstance(message, dict):
                self._model = _str(message.get("model")) or self._model
        elif kind == "content_block_start":
            block = body.get("content_block")
            if isinstance(block, dict) and block.get("type") in ("tool_use", "server_tool_use"):
                call = self._call((0, index))
                call.id, call.name = _str(block.get("id")), _str(block.get("name"))
        elif kind == "content_block_delta":
            delta = body.get("delta")
            if not isinstance(delta, dict):
                return
            if delta.get("type") == "text_delta":
                self._texts.setdefault(0, []).append(_str(delta.get("text")))
                self._delta(timestamp)
            elif delta.get("type") == "input_json_delta":
                self._call((0, index)).parts.append(_str(delta.get("partial_json")))
                self._delta(timestamp)
        elif kind == "message_delta":
            delta = body.get("delta")
            if isinstance(delta, dict) and delta.get("stop_reason"):
                self._finish = _str(delta["stop_reason"])
            usage = body.get("usage")
            if isinstance(usage, dict) and isinstance(usage.get("output_tokens"), int):
                self._usage = usage["output_tokens"]
        elif kind == "message_stop":
            self._done = True
        elif kind == "error":
            self._error = _error_text(body.get("error"))


_ANTHROPIC_EVENTS = frozenset(
    {
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
        "ping",
        "error",
    }
)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _without_type(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "type"}


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        message = _str(error.get("message")) or json.dumps(error)
        kind = _str(error.get("type")) or _str(error.get("code"))
        return f"{kind}: {message}" if kind else message
    return _str(error) or "error"
