"""A JSON-path field filter: ``$.type == "trade"``, ``$.data[0].price > 100``.

The expression is a path, then optionally an operator and a literal::

    $.type == "trade"          $.data[0].price > 100       $["odd key"] != null
    $.error exists             $.items[-1].id <= 7         $.data[*].side == 'buy'

Paths take ``.name``, ``["name"]``, ``[index]`` (negative counts from the end)
and ``[*]`` / ``.*`` (any element). A path alone means ``exists``. Literals are
JSON strings (single quotes also work), numbers, ``true``, ``false``, ``null``.
With ``[*]`` a message matches when any selected value does. Comparisons are
typed: ``1 == true`` is false, ``<`` and ``>`` compare numbers with numbers and
strings with strings only. A missing field matches only ``!=``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["OPERATORS", "PathFilter", "PathFilterError", "compile_path_filter"]

OPERATORS = ("==", "!=", "<=", ">=", "<", ">", "exists")

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_INT = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_DQ_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_SQ_STRING = re.compile(r"'(?:[^'\\]|\\.)*'")
_WORDS = {"true": True, "false": False, "null": None}
_WILDCARD = "*"


class PathFilterError(ValueError):
    """A filter expression that cannot be read; the message says where and what to write."""


#: A path step: a key, an index, or the wildcard.
Step = str | int


@dataclass(frozen=True, slots=True)
class PathFilter:
    """A compiled expression; call :meth:`matches` with a parsed JSON document."""

    expression: str
    path: tuple[Step, ...]
    operator: str
    literal: Any = None

    def matches(self, document: Any) -> bool:
        """Whether ``document`` (JSON values) satisfies the expression."""
        found = list(_select(document, self.path))
        if self.operator == "exists":
            return bool(found)
        if self.operator == "!=":
            return not found or any(not _equal(value, self.literal) for value in found)
        test = _TESTS[self.operator]
        return any(test(value, self.literal) for value in found)


def compile_path_filter(expression: str) -> PathFilter:
    """Read ``expression``.

    Raises:
        PathFilterError: a syntax error, naming the column and what was expected.
    """
    return _Parser(expression).parse()


def _select(value: Any, path: tuple[Step, ...]) -> Iterator[Any]:
    if not path:
        yield value
        return
    step, rest = path[0], path[1:]
    if step == _WILDCARD:
        children = value.values() if isinstance(value, dict) else value
        if isinstance(value, (dict, list)):
            for child in children:
                yield from _select(child, rest)
    elif isinstance(step, int):
        if isinstance(value, list) and -len(value) <= step < len(value):
            yield from _select(value[step], rest)
    elif isinstance(value, dict) and step in value:
        yield from _select(value[step], rest)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equal(value: Any, literal: Any) -> bool:
    if _is_number(value) and _is_number(literal):
        return bool(value == literal)
    return type(value) is type(literal) and bool(value == literal)


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def test(value: Any, literal: Any) -> bool:
        if _is_number(value) and _is_number(literal):
            return compare(value, literal)
        if isinstance(value, str) and isinstance(literal, str):
            return compare(value, literal)
        return False

    return test


_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "==": _equal,
    "<": _ordered(lambda a, b: a < b),
    "<=": _ordered(lambda a, b: a <= b),
    ">": _ordered(lambda a, b: a > b),
    ">=": _ordered(lambda a, b: a >= b),
}


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, message: str) -> PathFilterError:
        return PathFilterError(f'column {self.pos + 1}: {message} (e.g. $.type == "trade")')

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def parse(self) -> PathFilter:
        self.skip_space()
        if not self.peek("$"):
            raise self.error("a JSON path starts with $")
        self.pos += 1
        path = self.parse_path()
        self.skip_space()
        if self.pos == len(self.text):
            return PathFilter(self.text, path, "exists")
        operator = next((op for op in OPERATORS if self.peek(op)), None)
        if operator is None:
            if self.peek("="):
                raise self.error("use == to compare, not =")
            raise self.error(f"expected {', '.join(OPERATORS[:-1])} or exists, got {self.rest()!r}")
        self.pos += len(operator)
        literal = None if operator == "exists" else self.parse_literal(operator)
        self.skip_space()
        if self.pos != len(self.text):
            raise self.error(f"unexpected {self.rest()!r} after the expression")
        return PathFilter(self.text, path, operator, literal)

    def rest(self) -> str:
        return self.text[self.pos : self.pos + 20]

    def parse_path(self) -> tuple[Step, ...]:
        steps: list[Step] = []
        while self.pos < len(self.text):
            if self.peek("."):
                self.pos += 1
                if self.peek(_WILDCARD):
                    self.pos += 1
                    steps.append(_WILDCARD)
                    continue
                match = _NAME.match(self.text, self.pos)
                if match is None:
                    raise self.error('expected a field name after "." (use ["..."] for others)')
                steps.append(match.group())
                self.pos = match.end()
            elif self.peek("["):
                self.pos += 1
                self.skip_space()
                steps.append(self.parse_index())
                self.skip_space()
                if not self.peek("]"):
                    raise self.error('expected "]"')
                self.pos += 1
            else:
                break
        return tuple(steps)

    def parse_index(self) -> Step:
        if self.peek(_WILDCARD):
            self.pos += 1
            return _WILDCARD
        match = _INT.match(self.text, self.pos)
        if match is not None:
            self.pos = match.end()
            return int(match.group())
        if self.peek('"') or self.peek("'"):
            value = self.parse_string()
            return value
        raise self.error('expected an index, "name" or * inside [ ]')

    def parse_string(self) -> str:
        pattern = _DQ_STRING if self.peek('"') else _SQ_STRING
        match = pattern.match(self.text, self.pos)
        if match is None:
            raise self.error("unterminated string: close it with the same quote")
        body = match.group()
        if body[0] == "'":
            body = '"' + body[1:-1].replace("\\'", "'").replace('"', '\\"') + '"'
        try:
            value = json.loads(body)
        except ValueError as exc:
            raise self.error(f"invalid string ({exc.args[0].split(':')[0]})") from None
        self.pos = match.end()
        return str(value)

    def parse_literal(self, operator: str) -> Any:
        self.skip_space()
        if self.pos == len(self.text):
            raise self.error(
                f"expected a value after {operator}: a string, number, true, false or null"
            )
        if self.peek('"') or self.peek("'"):
            return self.parse_string()
        match = _NUMBER.match(self.text, self.pos)
        if match is not None:
            self.pos = match.end()
            return json.loads(match.group())
        word = _NAME.match(self.text, self.pos)
        if word is not None and word.group() in _WORDS:
            self.pos = word.end()
            return _WORDS[word.group()]
        raise self.error(
            f"expected a string, number, true, false or null after {operator}, "
            f'got {self.rest()!r} (quote text: "...")'
        )
