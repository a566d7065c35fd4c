"""Formats of the OpenAPI Format Registry generate valid values and are checked (issue 12,
item 5: Stripe's `format: decimal` was served as random words)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from contractkit import generate
from contractkit.contract.formats import CHECKERS, INTEGER_RANGES, string_for
from contractkit.contract.schema_validator import CompiledSchema


@pytest.mark.parametrize("fmt", sorted(CHECKERS))
def test_each_checked_format_generates_values_its_checker_accepts(fmt: str) -> None:
    validator = CompiledSchema({"type": "string", "format": fmt})
    for seed in range(10):
        value = generate({"type": "string", "format": fmt}, seed=seed)
        assert validator.errors(value) == [], (fmt, value)


def test_decimal_strings_are_decimals_and_words_are_refused() -> None:
    values = [generate({"type": "string", "format": "decimal"}, seed=s) for s in range(20)]
    assert all(Decimal(v) >= 0 for v in values)
    validator = CompiledSchema({"type": "string", "format": "decimal"})
    assert validator.errors("foxtr") != []
    assert validator.errors("-12.50") == []


@pytest.mark.parametrize(("fmt", "bad"), [
    ("byte", "not base64!"), ("char", "ab"), ("sf-boolean", "true"), ("int8", "300"),
    ("uint8", "-1"), ("http-date", "2024-01-01"), ("base64url", "a+b/"),
    ("sf-token", "1abc"), ("media-range", "json"),
])
def test_registry_checkers_refuse_what_the_format_excludes(fmt: str, bad: str) -> None:
    assert CompiledSchema({"type": "string", "format": fmt}).errors(bad) != []


@pytest.mark.parametrize("fmt", sorted(INTEGER_RANGES))
def test_integer_formats_bound_generated_integers(fmt: str) -> None:
    low, high = INTEGER_RANGES[fmt]
    for seed in range(20):
        value = generate({"type": "integer", "format": fmt}, seed=seed)
        assert isinstance(value, int)
        assert low <= value <= high


def test_unknown_formats_generate_plain_strings() -> None:
    assert string_for("x-made-up", random.Random(0)) is None
    assert isinstance(generate({"type": "string", "format": "x-made-up"}), str)
