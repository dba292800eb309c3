"""Reading what messages hold, without Qt: payload decoders, the JSON-path filter,
the LLM stream assembler and the JSON Lines reader.

Everything here is pure (no Qt, no I/O besides :func:`read_jsonl`'s file), so the
views stay thin and these are tested by tables of inputs and outputs.
"""

from .json_path import PathFilter, PathFilterError, compile_path_filter
from .jsonl import JsonlError, OpenedLog, read_jsonl
from .llm_stream import LlmAssembler, LlmState, ToolCall
from .payload import AUTO, DECODERS, NONE, Decoded, decode
from .search import SearchDecoder

__all__ = [
    "AUTO",
    "DECODERS",
    "NONE",
    "Decoded",
    "JsonlError",
    "LlmAssembler",
    "LlmState",
    "OpenedLog",
    "PathFilter",
    "PathFilterError",
    "SearchDecoder",
    "ToolCall",
    "compile_path_filter",
    "decode",
    "read_jsonl",
]
