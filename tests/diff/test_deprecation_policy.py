"""A deprecation policy (``deprecation_days_beta`` / ``deprecation_days_stable``, oasdiff's
``WithDeprecation``): a deprecation without an ``x-sunset`` date, or with one sooner than
the minimum, is breaking; without a policy deprecating stays dangerous or safe."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.diff.helpers import api, changes

import contractkit
from contractkit.errors import ConfigError

TODAY = dt.date(2026, 6, 1)
OBJ = {"type": "object"}
IN_10_DAYS, IN_30_DAYS = "2026-06-11", "2026-07-01"


def _operation(sunset: str | None = None, stability: str | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {"deprecated": True}
    if sunset is not None:
        operation["x-sunset"] = sunset
    if stability is not None:
        operation["x-stability-level"] = stability
    return api(response=OBJ, operation=operation)


def _policy(beta: int = 0, stable: int = 0) -> dict[str, Any]:
    return {"today": TODAY, "deprecation_days_beta": beta, "deprecation_days_stable": stable}


def test_without_a_policy_a_deprecation_is_not_breaking() -> None:
    base = api(response=OBJ)
    assert changes(base, _operation(), **_policy()) == [
        ("operation-deprecated-without-sunset", "dangerous")]
    assert changes(base, _operation(IN_10_DAYS), **_policy()) == [
        ("operation-deprecated", "safe")]


def test_an_operation_deprecated_without_sunset_breaks_a_policy() -> None:
    assert changes(api(response=OBJ), _operation(), **_policy(stable=30)) == [
        ("operation-sunset-missing", "breaking")]


def test_a_sunset_sooner_than_the_minimum_breaks_a_policy() -> None:
    base = api(response=OBJ)
    assert changes(base, _operation(IN_10_DAYS), **_policy(stable=30)) == [
        ("operation-sunset-too-soon", "breaking")]
    # exactly the minimum is enough, as in oasdiff (days < minimum breaks)
    assert changes(base, _operation(IN_30_DAYS), **_policy(stable=30)) == [
        ("operation-deprecated", "safe")]


def test_the_minimum_follows_the_operations_stability_level() -> None:
    beta = api(response=OBJ, operation={"x-stability-level": "beta"})
    assert changes(beta, _operation(IN_10_DAYS, "beta"), **_policy(beta=5, stable=30)) == [
        ("operation-deprecated", "safe")]
    assert changes(beta, _operation(IN_10_DAYS, "beta"), **_policy(beta=20)) == [
        ("operation-sunset-too-soon", "breaking")]
    # draft and alpha operations promise nothing, whatever the policy
    alpha = api(response=OBJ, operation={"x-stability-level": "alpha"})
    assert changes(alpha, _operation(None, "alpha"), **_policy(beta=99, stable=99)) == [
        ("operation-deprecated-without-sunset", "dangerous")]


def test_a_parameter_deprecated_under_a_policy() -> None:
    def with_parameter(**extra: Any) -> dict[str, Any]:
        parameter = {"name": "legacy", "in": "query", "schema": {"type": "string"}, **extra}
        return api(response=OBJ, parameters=[parameter])

    base = with_parameter()
    assert changes(base, with_parameter(deprecated=True), **_policy(stable=30)) == [
        ("request-parameter-sunset-missing", "breaking")]
    assert changes(base, with_parameter(deprecated=True, **{"x-sunset": IN_10_DAYS}),
                   **_policy(stable=30)) == [("request-parameter-sunset-too-soon", "breaking")]
    assert changes(base, with_parameter(deprecated=True, **{"x-sunset": IN_30_DAYS}),
                   **_policy(stable=30)) == [("request-parameter-deprecated", "safe")]


@pytest.mark.parametrize("side", ["request", "response"])
def test_a_property_deprecated_under_a_policy(side: str) -> None:
    def with_property(**extra: Any) -> dict[str, Any]:
        schema = {"type": "object", "properties": {"note": {"type": "string", **extra}}}
        return api(**{side: schema})

    base = with_property()
    assert changes(base, with_property(deprecated=True), **_policy()) == [
        (f"{side}-property-became-deprecated", "safe")]
    assert changes(base, with_property(deprecated=True), **_policy(stable=30)) == [
        (f"{side}-property-deprecated-sunset-missing", "breaking")]
    soon = with_property(deprecated=True, **{"x-sunset": IN_10_DAYS})
    assert changes(base, soon, **_policy(stable=30)) == [
        (f"{side}-property-deprecated-sunset-too-soon", "breaking")]
    late = with_property(deprecated=True, **{"x-sunset": IN_30_DAYS})
    assert changes(base, late, **_policy(stable=30)) == [
        (f"{side}-property-became-deprecated", "safe")]


def test_the_message_says_how_much_notice_was_given_and_asked_for() -> None:
    report = contractkit.diff(contractkit.load(api(response=OBJ)),
                              contractkit.load(_operation(IN_10_DAYS)), **_policy(stable=30))
    assert report.changes[0].message == (
        "POST /payments was deprecated with sunset 2026-06-11, 10 days away: the deprecation "
        "policy asks for at least 30 days' notice")


@pytest.mark.parametrize("days", [-1, True, 1.5])
def test_a_policy_of_other_than_whole_days_is_refused(days: Any) -> None:
    with pytest.raises(ConfigError, match="deprecation_days_stable must be a whole number"):
        contractkit.diff(contractkit.load(api(response=OBJ)), contractkit.load(_operation()),
                         deprecation_days_stable=days)
