"""Rules added or re-levelled to agree with oasdiff's checks (issue 14 item 9), each on a
small inline contract."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.diff.helpers import api, changes

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
