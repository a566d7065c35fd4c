"""Reference cycles: schemas that reach each other along endless paths (Stripe's
expandable fields) are compared once per pair, and each change is reported once per
compared root, at the shortest path from it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from tests.conftest import CORPUS
from tests.diff.helpers import api, reached

import contractkit
from contractkit.contract.model import Contract

STRIPE = CORPUS / "diff" / "stripe"
T = TypeVar("T")


def _within(seconds: float, call: Callable[[], T]) -> T:
    """``call()``, failing the test (not hanging it) when it takes longer than ``seconds``."""
    result: list[T] = []
    worker = threading.Thread(target=lambda: result.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    if not result:
        pytest.fail(f"did not finish within {seconds} s")
    return result[0]


def _dense(size: int, codes: list[str]) -> dict[str, Any]:
    """``size`` components that each expand into every other one (anyOf id-or-object),
    the first with an enum ``code``; every component is an operation's response."""
    schemas: dict[str, Any] = {}
    for i in range(size):
        properties: dict[str, Any] = {
            f"to{j}": {"anyOf": [{"type": "string"}, {"$ref": f"#/components/schemas/C{j}"}]}
            for j in range(size) if j != i}
        if i == 0:
            properties["code"] = {"type": "string", "enum": codes}
        schemas[f"C{i}"] = {"type": "object", "properties": properties}
    document = api(response={"$ref": "#/components/schemas/C0"},
                   components={"schemas": schemas})
    for i in range(1, size):
        document["paths"][f"/c{i}"] = {"get": {"operationId": f"getC{i}", "responses": {
            "200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/C{i}"}}}}}}}
    return document


def test_a_dense_cycle_is_compared_once_per_pair() -> None:
    old, new = _dense(12, ["a"]), _dense(12, ["a", "b"])
    report = _within(20, lambda: contractkit.diff(contractkit.load(old),
                                                  contractkit.load(new)))
    # one change, written in C0, reached once per operation at the shortest path from
    # its response
    [change] = report.changes
    assert change.site == "#/components/schemas/C0/properties/code"
    locations = sorted(location for _, _, location in reached(report))
    assert len(locations) == 12
    assert "GET /c5 → responses → 200 → application/json → /to0/anyOf[1]/code" in locations
    assert "POST /payments → responses → 200 → application/json → /code" in locations
    assert change.rule_id == "response-property-enum-value-added"


def test_a_dense_cycle_against_itself_is_quick_and_empty() -> None:
    document = _dense(12, ["a"])
    report = _within(20, lambda: contractkit.diff(contractkit.load(document),
                                                  contractkit.load(_dense(12, ["a"]))))
    assert report.changes == ()


@pytest.fixture(scope="module")
def stripe() -> tuple[Contract, Contract]:
    if not STRIPE.is_dir():
        pytest.skip(f"no corpus at {STRIPE}")
    return (contractkit.load(STRIPE / "spec3-cf0b457a.yaml"),
            contractkit.load(STRIPE / "spec3-98a7c58c.yaml"))


def test_stripe_pair_reports_its_four_enum_values(stripe: tuple[Contract, Contract]) -> None:
    report = _within(60, lambda: contractkit.diff(*stripe))
    assert {change.rule_id for change in report.changes} == {
        "response-property-enum-value-added"}
    assert {change.new for change in report.changes} == {
        "verification_directors_mismatch", "verification_document_directors_mismatch",
        "verification_extraneous_directors", "verification_missing_directors"}
    lines = {change.source_line.line for change in report.changes if change.source_line}
    assert lines == {1248}  # the `code` property whose enum grew


def test_stripe_against_itself_is_empty(stripe: tuple[Contract, Contract]) -> None:
    report = _within(60, lambda: contractkit.diff(stripe[0], contractkit.load(
        Path(STRIPE / "spec3-cf0b457a.yaml"))))
    assert report.changes == ()
