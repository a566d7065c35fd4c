"""oneOf/anyOf rewrites are judged by what the schemas accept, not by how they are written:
the same set is no change, a wider request is no break, and what clients may receive
decides on responses (the false positives of issue 14, item 3, from GitHub's REST
contract 22 → 23)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.diff.helpers import api, changes

STRING: dict[str, Any] = {"type": "string"}
LOGIN = {"type": "object", "properties": {"login": {"type": "string"},
                                          "rationale": {"type": "string"}}}


def _obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


def test_an_enum_split_into_a_one_of_of_enums_is_no_change() -> None:
    old = {"type": "string", "enum": ["ProductPricing", "SkuPricing"]}
    new = {"oneOf": [{"type": "string", "enum": ["ProductPricing"]},
                     {"type": "string", "enum": ["SkuPricing"]}]}
    for side in ("request", "response"):
        assert changes(api(**{side: _obj(kind=old)}), api(**{side: _obj(kind=new)})) == []
        assert changes(api(**{side: _obj(kind=new)}), api(**{side: _obj(kind=old)})) == []


def test_an_enum_split_with_a_value_more_is_that_value_added() -> None:
    old = {"type": "string", "enum": ["ProductPricing", "SkuPricing"]}
    new = {"oneOf": [{"type": "string", "enum": [value]} for value in
                     ("BundlePricing", "ProductPricing", "SkuPricing")]}
    assert changes(api(request=_obj(kind=old)), api(request=_obj(kind=new))) == [
        ("request-property-enum-value-added", "safe")]
    assert changes(api(response=_obj(kind=old)), api(response=_obj(kind=new))) == [
        ("response-property-enum-value-added", "dangerous")]


def test_a_request_type_widened_into_a_one_of_is_not_breaking() -> None:
    # GitHub's assignees[]: string → oneOf [string, object]
    old, new = _obj(assignees=STRING), _obj(assignees={"oneOf": [STRING, LOGIN]})
    assert changes(api(request=old), api(request=new)) == [
        ("request-property-one-of-branch-added", "safe")]
    # clients may now receive an object where a string was: a union branch added,
    # dangerous by default as every response union addition is
    assert changes(api(response=old), api(response=new)) == [
        ("response-property-one-of-branch-added", "dangerous")]


def test_a_nullable_type_widened_into_a_nullable_one_of_keeps_null() -> None:
    # GitHub's issue `type` (OpenAPI 3.0: nullable beside the oneOf)
    old = _obj(type={"type": "string", "nullable": True})
    new = _obj(type={"nullable": True, "oneOf": [STRING, _obj(value=STRING)]})
    document = {"openapi": "3.0.3"}
    assert changes(api(request=old, **document), api(request=new, **document)) == [
        ("request-property-one-of-branch-added", "safe")]


def test_two_branches_merged_into_one_wider_branch_are_not_removed() -> None:
    # GitHub's POST …/labels: oneOf [labels: [string], labels: [{name}]] → one branch
    # whose items are oneOf [string, {name, rationale}]
    names = {"type": "array", "minItems": 1, "items": STRING}
    objects = {"type": "array", "minItems": 1, "items": {
        "type": "object", "required": ["name"], "properties": {"name": STRING}}}
    merged = {"type": "array", "minItems": 1, "items": {"oneOf": [STRING, {
        "type": "object", "required": ["name"],
        "properties": {"name": STRING, "rationale": STRING}}]}}
    old = {"oneOf": [_obj(labels=names), _obj(labels=objects)]}
    new = {"oneOf": [_obj(labels=merged)]}
    found = changes(api(request=old), api(request=new))
    assert found
    assert all(level == "safe" for _, level in found), found
    assert not any(rule.endswith("branch-removed") for rule, _ in found)
    # clients receiving it may now get either shape in one list: judged by what they
    # can receive, that is new (dangerous), not a removal (safe) or a break
    found = changes(api(response=old), api(response=new))
    assert {level for _, level in found} == {"dangerous", "safe"}, found


def test_a_branch_merged_into_a_narrower_one_is_still_removed() -> None:
    old = {"oneOf": [STRING, {"type": "integer"}]}
    new = {"oneOf": [STRING]}
    assert changes(api(request=old), api(request=new)) == [
        ("request-body-one-of-branch-removed", "breaking")]
    assert changes(api(response=old), api(response=new)) == [
        ("response-body-one-of-branch-removed", "safe")]


def test_required_relaxed_into_any_of_alternatives_is_not_breaking_on_requests() -> None:
    # GitHub's PATCH …/dependabot/alerts: required [state] → anyOf [{required: [state]},
    # {required: [assignees]}]
    properties = {"state": STRING, "assignees": {"type": "array", "items": STRING}}
    old = {"type": "object", "required": ["state"], "additionalProperties": False,
           "properties": {"state": STRING}}
    new = {"type": "object", "additionalProperties": False, "properties": properties,
           "anyOf": [{"required": ["state"]}, {"required": ["assignees"]}]}
    assert sorted(changes(api(request=old), api(request=new))) == [
        ("request-property-became-optional", "safe"),
        ("request-property-optional-property-added", "safe")]


def test_required_alternatives_that_exclude_old_requests_are_breaking() -> None:
    old = {"type": "object", "required": ["id"], "properties": {"id": STRING}}
    new = {"type": "object", "properties": {"id": STRING, "number": STRING},
           "oneOf": [{"required": ["number"]}, {"required": ["slug"]}]}
    assert ("request-body-one-of-added", "breaking") in changes(api(request=old),
                                                                api(request=new))


def test_one_of_wrapping_overlapping_branches_is_breaking() -> None:
    """A value both branches accept fails a oneOf: {foo, bar} was valid, now is not
    (oasdiff's request-body-wrapped-in-one-of pair)."""
    properties = {"foo": STRING, "bar": STRING}
    old = {"type": "object", "required": ["foo", "bar"], "properties": properties}
    new = {"oneOf": [{"type": "object", "required": ["foo"], "properties": properties},
                     {"type": "object", "required": ["bar"], "properties": properties}]}
    assert changes(api(request=old), api(request=new)) == [
        ("request-body-one-of-added", "breaking")]
    # as anyOf the same rewrite accepts everything it did
    new = {"anyOf": new["oneOf"]}
    assert all(level == "safe" for _, level in changes(api(request=old),
                                                         api(request=new)))


@pytest.mark.parametrize(("old", "new"), [
    ({"type": "number", "format": "float"}, {"type": "integer", "minimum": 0}),
    ({"type": "number", "format": "double"}, {"type": "integer", "format": "int64"}),
])
def test_number_to_integer_is_one_verdict_not_a_narrowing_and_a_format_removal(
        old: dict[str, Any], new: dict[str, Any]) -> None:
    # GitHub's budget_amount: number/float → integer
    found = changes(api(response=_obj(amount=old)), api(response=_obj(amount=new)))
    assert ("response-property-type-narrowed", "safe") in found
    assert not any("format" in rule for rule, _ in found), found
    assert {level for _, level in found} == {"safe"}
    found = changes(api(request=_obj(amount=old)), api(request=_obj(amount=new)))
    assert ("request-property-type-narrowed", "breaking") in found
    assert not any("format" in rule for rule, _ in found), found
