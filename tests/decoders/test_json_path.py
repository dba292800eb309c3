"""The JSON-path field filter: matching and error messages (no Qt)."""

from __future__ import annotations

from typing import Any

import pytest

from pushsdk_monitor.decoders import PathFilterError, compile_path_filter

TRADE: dict[str, Any] = {
    "type": "trade",
    "data": [{"price": 101.5, "side": "buy"}, {"price": 99, "side": "sell"}],
    "ok": True,
    "none": None,
    "count": 0,
    "odd key": "x",
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('$.type == "trade"', True),
        ("$.type == 'trade'", True),
        ('$.type != "trade"', False),
        ('$.type == "quote"', False),
        ("$.data[0].price > 100", True),
        ("$.data[1].price > 100", False),
        ("$.data[-1].price <= 99", True),
        ("$.data[1].price >= 99.0", True),
        ("$.data[5].price < 1", False),
        ("$.data[*].side == 'sell'", True),
        ("$.data.*.price < 100", True),
        ('$["odd key"] == "x"', True),
        ("$.ok == true", True),
        ("$.ok == 1", False),  # typed: true is not 1
        ("$.count == false", False),
        ("$.count == 0", True),
        ("$.none == null", True),
        ("$.none exists", True),  # present, even if null
        ("$.missing exists", False),
        ("$.missing", False),
        ("$.type", True),
        ("$.missing != 1", True),  # a missing field is unequal to anything
        ("$.missing == null", False),
        ('$.type > "s"', True),  # strings order as strings
        ("$.type > 1", False),  # and never against numbers
        ("$.data > 1", False),
        ("$.data[0] == 1", False),
        ("$ exists", True),
        ("  $.type=='trade'  ", True),
        ("$.count == -0.0e0", True),
    ],
)
def test_matches(expression: str, expected: bool) -> None:
    assert compile_path_filter(expression).matches(TRADE) is expected


@pytest.mark.parametrize(
    ("document", "expected"),
    [([1, 2], False), ("trade", False), (None, False), ({"type": ["trade"]}, False)],
)
def test_non_object_documents_do_not_match(document: Any, expected: bool) -> None:
    assert compile_path_filter('$.type == "trade"').matches(document) is expected


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("", "column 1: a JSON path starts with \\$"),
        ('type == "trade"', "column 1: a JSON path starts with \\$"),
        ("$.type = 'trade'", "column 8: use == to compare, not ="),
        ("$.type ~ 'trade'", "column 8: expected ==, !=, <=, >=, <, > or exists, got \"~ 'tr"),
        ("$.type ==", "column 10: expected a value after =="),
        ("$.type == trade", "column 11: expected a string, number, true, false or null after =="),
        ('$.type == "trade', "column 11: unterminated string"),
        ("$.", 'column 3: expected a field name after "\\."'),
        ("$.data[", "column 8: expected an index"),
        ("$.data[0", 'column 9: expected "\\]"'),
        ("$.a == 1 2", "column 10: unexpected '2' after the expression"),
        ('$.a == "\\q"', "column 8: invalid string"),
    ],
)
def test_bad_expressions_say_where_and_what(expression: str, message: str) -> None:
    with pytest.raises(PathFilterError, match=message) as caught:
        compile_path_filter(expression)
    assert 'e.g. $.type == "trade"' in str(caught.value)
