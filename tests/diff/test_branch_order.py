"""oneOf/anyOf branches are matched by structure, never by position: reordering them, or
the lists inside them, is no change (negative controls on GitHub's REST contract)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from tests.conftest import CORPUS
from tests.diff.helpers import api, changes

import contractkit
from contractkit.diff.recorder import resolver_of

GITHUB = CORPUS / "large" / "github-rest-v23.0.2.json"
UNORDERED = ("oneOf", "anyOf", "enum", "required", "type", "parameters")


def _reversed(value: Any) -> Any:
    """``value`` with every list whose order means nothing reversed, at every depth."""
    if isinstance(value, dict):
        return {key: list(reversed(_reversed(item))) if key in UNORDERED
                and isinstance(item, list) else _reversed(item)
                for key, item in reversed(value.items())}
    if isinstance(value, list):
        return [_reversed(item) for item in value]
    return value


def test_github_with_every_unordered_list_reversed_has_no_changes() -> None:
    if not GITHUB.is_file():
        pytest.skip(f"no corpus at {GITHUB}")
    old = contractkit.load(GITHUB)
    new = contractkit.load(_reversed(copy.deepcopy(resolver_of(old).root.data)))
    report = contractkit.diff(old, new)
    assert report.changes == (), report.changes[:5]


CARD = {"type": "object", "required": ["number", "cvc"],
        "properties": {"number": {"type": "string"}, "cvc": {"type": "string"},
                       "brand": {"enum": ["visa", "amex"]}}}
BANK = {"type": "object", "required": ["iban", "bic"],
        "properties": {"iban": {"type": "string"}, "bic": {"type": "string"}}}


def test_reordered_branches_with_reordered_lists_are_no_change() -> None:
    old = {"oneOf": [CARD, BANK]}
    new = _reversed({"oneOf": [CARD, BANK]})
    assert new["oneOf"][0]["required"] == ["bic", "iban"]  # the bank branch comes first
    assert changes(api(response=old), api(response=new)) == []


def test_an_edited_branch_is_paired_with_the_most_alike_one_not_the_same_position() -> None:
    edited_card = copy.deepcopy(CARD)
    edited_card["properties"]["brand"]["enum"].append("jcb")
    old = {"anyOf": [CARD, BANK]}
    new = {"anyOf": [_reversed(BANK), edited_card]}
    assert changes(api(response=old), api(response=new)) == [
        ("response-property-enum-value-added", "dangerous")]
