"""Rules added or re-levelled to agree with oasdiff's checks (issue 14 item 9), each on a
small inline contract."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.conftest import CORPUS
from tests.diff.helpers import api, changes

import contractkit

TODAY = dt.date(2026, 6, 1)
OBJ = {"type": "object"}


def _deprecated_parameter(sunset: str | None) -> dict[str, Any]:
    parameter: dict[str, Any] = {"name": "legacy", "in": "query", "deprecated": True,
                                 "schema": {"type": "string"}}
    if sunset is not None:
        parameter["x-sunset"] = sunset
    return api(response=OBJ, parameters=[parameter])


def test_removing_a_parameter_before_its_sunset_date_is_breaking() -> None:
    found = changes(_deprecated_parameter("2027-01-01"), api(response=OBJ), today=TODAY)
    assert found == [("request-parameter-removed-before-sunset", "breaking")]


def test_removing_a_parameter_after_its_sunset_date_is_as_removing_any_parameter() -> None:
    found = changes(_deprecated_parameter("2026-01-01"), api(response=OBJ), today=TODAY)
    assert found == [("request-parameter-removed", "dangerous")]


def test_removing_a_parameter_whose_sunset_is_not_a_date_cannot_be_checked() -> None:
    found = changes(_deprecated_parameter("soon"), api(response=OBJ), today=TODAY)
    assert found == [("sunset-invalid", "breaking")]


def test_removing_an_operation_whose_sunset_is_not_a_date_cannot_be_checked() -> None:
    old = api(response=OBJ, operation={"deprecated": True, "x-sunset": "soon"})
    found = changes(old, api(response=OBJ, path="/other"), today=TODAY)
    assert ("sunset-invalid", "breaking") in found
    assert ("operation-removed-after-deprecation", "safe") not in found


def test_an_empty_one_of_replaced_by_a_type_is_compared_without_crashing() -> None:
    old = api(response={"type": "object", "properties": {"id": {"oneOf": []}}})
    new = api(response={"type": "object", "properties": {"id": {"type": "string"}}})
    assert all(level != "breaking" for _, level in changes(old, new))


def test_a_response_pattern_removed_is_dangerous_and_a_request_pattern_added_breaking() -> None:
    strict = {"type": "object", "properties": {"code": {"type": "string",
                                                        "pattern": "^[a-z]+$"}}}
    loose = {"type": "object", "properties": {"code": {"type": "string"}}}
    assert changes(api(response=strict), api(response=loose)) == [
        ("response-property-pattern-removed", "dangerous")]
    assert changes(api(request=loose), api(request=strict)) == [
        ("request-property-pattern-added", "breaking")]


def test_a_response_const_changed_is_breaking_an_enum_value_added_dangerous() -> None:
    def status(schema: dict[str, Any]) -> dict[str, Any]:
        return api(response={"type": "object", "properties": {"status": schema}})

    assert changes(status({"const": "ok"}), status({"const": "success"})) == [
        ("response-property-enum-replaced", "breaking")]
    assert changes(status({"enum": ["ok"]}), status({"enum": ["ok", "success"]})) == [
        ("response-property-enum-value-added", "dangerous")]
    assert changes(api(request={"enum": ["a", "b"]}), api(request={"enum": ["c"]})) == [
        ("request-body-enum-replaced", "breaking")]


def _media_schema(schema: Any, side: str) -> dict[str, Any]:
    document = api(**{side: {}})
    operation = document["paths"]["/payments"]["post"]
    body = operation["requestBody"] if side == "request" else operation["responses"]["200"]
    body["content"]["application/json"] = {} if schema is None else {"schema": schema}
    return document


@pytest.mark.parametrize(("side", "added", "removed"), [
    ("request", "breaking", "safe"),  # the server now checks what it took as it came
    ("response", "safe", "dangerous"),  # clients lose the promise of the shape
])
def test_a_media_type_gaining_or_losing_its_schema(side: str, added: str,
                                                   removed: str) -> None:
    typed, untyped = _media_schema({"type": "string"}, side), _media_schema(None, side)
    assert changes(untyped, typed) == [(f"{side}-media-type-schema-added", added)]
    assert changes(typed, untyped) == [(f"{side}-media-type-schema-removed", removed)]
    # a schema that accepts anything is no schema
    assert changes(untyped, _media_schema({}, side)) == []
    assert changes(_media_schema(True, side), untyped) == []


def test_oasdiffs_media_type_schema_pair() -> None:
    """oasdiff's TestMediaTypeSchemaExistence: the request and response of one operation
    gain a schema (breaking for the request), then lose it (dangerous for the response)."""
    folder = CORPUS / "diff" / "oasdiff" / "media-type-schema"
    if not folder.is_dir():
        pytest.skip(f"no corpus at {folder}")
    base, revision = folder / "base.yaml", folder / "revision.yaml"
    found = {(c.rule_id, c.level) for c in contractkit.diff(base, revision).changes}
    assert found == {("request-media-type-schema-added", "breaking"),
                     ("response-media-type-schema-added", "safe")}
    found = {(c.rule_id, c.level) for c in contractkit.diff(revision, base).changes}
    assert found == {("request-media-type-schema-removed", "safe"),
                     ("response-media-type-schema-removed", "dangerous")}


def _stability(side: str, level: str | None) -> dict[str, Any]:
    note: dict[str, Any] = {"type": "string"}
    if level is not None:
        note["x-stability-level"] = level
    return api(**{side: {"type": "object", "properties": {"note": note}}})


@pytest.mark.parametrize("side", ["request", "response"])
def test_a_propertys_stability_level_is_read_as_an_operations(side: str) -> None:
    """As for operations (stability-level-decreased): a lower level changes no value, it
    announces that changes may come, so it is dangerous; none is stable."""
    assert changes(_stability(side, None), _stability(side, "beta")) == [
        (f"{side}-property-stability-decreased", "dangerous")]
    assert changes(_stability(side, "draft"), _stability(side, "stable")) == [
        (f"{side}-property-stability-increased", "safe")]
    assert changes(_stability(side, "stable"), _stability(side, None)) == []
    assert changes(_stability(side, None), _stability(side, "soon")) == [
        (f"{side}-property-stability-invalid", "breaking")]


def test_oasdiffs_property_stability_pairs() -> None:
    """oasdiff's TestRequest/ResponsePropertyStability_*: properties going from stable to
    draft (decreased) and back (increased), in a request and a response body."""
    folder = CORPUS / "diff" / "oasdiff" / "stability"
    if not folder.is_dir():
        pytest.skip(f"no corpus at {folder}")
    stable, draft = (folder / "revision-property-all-stable.yaml",
                     folder / "base-property-stable-draft.yaml")
    found = {(c.rule_id, c.level) for c in contractkit.diff(stable, draft).changes}
    assert found == {("request-property-stability-decreased", "dangerous"),
                     ("response-property-stability-decreased", "dangerous")}
    found = {(c.rule_id, c.level) for c in contractkit.diff(draft, stable).changes}
    assert found == {("request-property-stability-increased", "safe"),
                     ("response-property-stability-increased", "safe")}
    invalid = folder / "revision-property-invalid.yaml"
    found = {(c.rule_id, c.level) for c in contractkit.diff(stable, invalid).changes}
    assert found == {("request-property-stability-invalid", "breaking"),  # 1
                     ("response-property-stability-decreased", "dangerous")}


def _array(side: str, items: Any, prefix: list[Any] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array"}
    if items is not None:
        schema["items"] = items
    if prefix is not None:
        schema["prefixItems"] = prefix
    return api(**{side: schema})


@pytest.mark.parametrize(("items", "prefix", "request_level", "response_level"), [
    # the first element now follows its own schema, no longer `items`' (2020-12)
    ({"type": "string"}, {"type": "integer"}, "breaking", "breaking"),  # both ways
    ({"type": "number"}, {"type": "integer"}, "breaking", "safe"),  # narrows
    ({"type": "integer"}, {"type": "number"}, "safe", "breaking"),  # widens
])
def test_prefix_items_beside_items_are_compared_position_by_position(
        items: Any, prefix: Any, request_level: str, response_level: str) -> None:
    for side, level in (("request", request_level), ("response", response_level)):
        found = changes(_array(side, items), _array(side, items, [prefix]))
        assert {level for _, level in found} == {level}, found
        assert all(rule.startswith(f"{side}-property-type-") for rule, _ in found), found


@pytest.mark.parametrize("side", ["request", "response"])
def test_prefix_items_without_items_only_constrain(side: str) -> None:
    """With no `items` (or `items: {}`), a prefix added only constrains the elements."""
    narrowing = "breaking" if side == "request" else "safe"
    for items in (None, {}):
        assert changes(_array(side, items), _array(side, items, [{"type": "integer"}])) == [
            (f"{side}-body-prefix-items-added", narrowing)]


def _typed_response(media: str, kind: str) -> dict[str, Any]:
    document = api(response={})
    document["paths"]["/payments"]["post"]["responses"]["200"]["content"] = {
        media: {"schema": {"type": kind}}}
    return document


@pytest.mark.parametrize(("media", "old", "new", "expected"), [
    # read as text, a string takes any scalar the value became (oasdiff: type-compatible)
    ("application/xml", "string", "integer", ("response-body-type-narrowed", "safe")),
    ("text/plain", "string", "boolean", ("response-body-type-narrowed", "safe")),
    # a body read as a string is read whole: any body is text
    ("application/xml", "string", "object", ("response-body-type-narrowed", "safe")),
    # ... but a client reading a number as text may now get any text
    ("text/plain", "integer", "string", ("response-body-type-widened", "breaking")),
    # JSON carries its types: "1" is not 1
    ("application/json", "string", "object", ("response-body-type-changed", "breaking")),
    ("application/problem+json", "string", "integer",
     ("response-body-type-changed", "breaking")),
])
def test_a_response_read_as_text_is_judged_as_text(media: str, old: str, new: str,
                                                    expected: tuple[str, str]) -> None:
    assert changes(_typed_response(media, old), _typed_response(media, new)) == [expected]


def test_below_a_text_body_an_object_is_no_text() -> None:
    """Child elements of an XML body are structure, not the text a string property was."""
    def xml(kind: str) -> dict[str, Any]:
        document = api(response={})
        document["paths"]["/payments"]["post"]["responses"]["200"]["content"] = {
            "application/xml": {"schema": {"type": "object",
                                           "properties": {"note": {"type": kind}}}}}
        return document

    assert changes(xml("string"), xml("object")) == [
        ("response-property-type-changed", "breaking")]
    assert changes(xml("string"), xml("integer")) == [
        ("response-property-type-narrowed", "safe")]


def test_a_response_header_is_read_as_text() -> None:
    def with_header(kind: str) -> dict[str, Any]:
        document = api(response=OBJ)
        document["paths"]["/payments"]["post"]["responses"]["200"]["headers"] = {
            "X-Count": {"schema": {"type": kind}}}
        return document

    assert changes(with_header("string"), with_header("integer")) == [
        ("response-header-type-narrowed", "safe")]
    assert changes(with_header("integer"), with_header("string")) == [
        ("response-header-type-widened", "breaking")]


def _flagged(side: str, **flags: bool) -> dict[str, Any]:
    schema = {"type": "object", "required": ["id"],
              "properties": {"id": {"type": "string", **flags}}}
    return api(**{side: schema})


@pytest.mark.parametrize(("side", "old", "new", "expected"), [
    # what the flag did to `required` as the side reads it and the flag itself are one
    # change, reported once
    ("response", {}, {"writeOnly": True},
     [("response-property-required-became-write-only", "breaking")]),
    ("response", {"writeOnly": True}, {},
     [("response-property-became-not-write-only", "dangerous")]),
    ("request", {}, {"readOnly": True}, [("request-property-became-read-only", "dangerous")]),
    ("request", {"readOnly": True}, {},
     [("request-property-required-became-not-read-only", "breaking")]),
])
def test_a_required_propertys_visibility_flag_is_one_change(
        side: str, old: dict[str, bool], new: dict[str, bool],
        expected: list[tuple[str, str]]) -> None:
    assert changes(_flagged(side, **old), _flagged(side, **new)) == expected


def test_a_property_that_became_write_only_and_optional_at_once_is_both() -> None:
    """Not a visibility flip alone: `required` itself changed too."""
    old = _flagged("response")
    new = api(response={"type": "object", "properties": {
        "id": {"type": "string", "writeOnly": True}}})
    assert sorted(changes(old, new)) == [("response-property-became-optional", "breaking"),
                                         ("response-property-became-write-only", "dangerous")]


@pytest.mark.parametrize(("old", "new", "expected"), [
    # an array parameter is several values (q=a&q=b or q=a,b), not one text: a type change
    ({"type": ["string", "integer"]}, {"type": "array", "items": {"type": "string"}},
     ("request-parameter-type-changed", "breaking")),
    ({"type": "string"}, {"type": "array", "items": {"type": "string"}},
     ("request-parameter-type-changed", "breaking")),
    # scalars arrive as text: a string takes them all (the same set, as text), an
    # integer does not take every string
    ({"type": ["string", "integer"]}, {"type": "string"}, None),
    ({"type": ["string", "integer"]}, {"type": "integer"},
     ("request-parameter-type-narrowed", "breaking")),
])
def test_a_query_parameter_type_read_as_text(old: Any, new: Any,
                                             expected: tuple[str, str] | None) -> None:
    def with_query(schema: Any) -> dict[str, Any]:
        return api(response=OBJ, parameters=[{"name": "q", "in": "query", "schema": schema}])

    assert changes(with_query(old), with_query(new)) == ([expected] if expected else [])
