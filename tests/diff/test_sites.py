"""One finding per change site: a change written in a component is reported once, with
every operation that reaches it; a change in an operation's own inline schema stays
where it was; ignore entries still match each operation, or the site."""

from __future__ import annotations

import copy
import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from tests.diff.helpers import api, reached

import contractkit
from contractkit.diff.model import DiffReport
from contractkit.diff.sites import component, schema_path
from contractkit.reporting.diff import render
from contractkit.reporting.diff.json_report import schema

PAYMENT = {"type": "object", "required": ["id"], "properties": {
    "id": {"type": "string"},
    "status": {"type": "string", "enum": ["pending", "paid"]}}}
REF = {"$ref": "#/components/schemas/Payment"}


def shared(operations: int, payment: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """``operations`` GET operations whose 200 response is the Payment component (the
    first also reads it in its request), plus what ``extra`` adds to each operation."""
    document = api(request=REF, response=REF, components={"schemas": {"Payment": payment}})
    for number in range(1, operations):
        document["paths"][f"/payments/{number}"] = {"get": {
            "operationId": f"get{number}", **copy.deepcopy(extra),
            "responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"type": "array", "items": REF}}}}}}}
    return document


def with_status(*values: str) -> dict[str, Any]:
    payment = copy.deepcopy(PAYMENT)
    payment["properties"]["status"]["enum"] = list(values)
    return payment


def compare(old: dict[str, Any], new: dict[str, Any], **options: Any) -> DiffReport:
    return contractkit.diff(contractkit.load(old), contractkit.load(new), **options)


def test_an_enum_value_added_to_a_component_is_one_finding_listing_every_operation() -> None:
    report = compare(shared(7, with_status("pending", "paid")),
                     shared(7, with_status("pending", "paid", "refunded")))
    responses = [c for c in report.changes if c.rule_id == "response-property-enum-value-added"]
    [change] = responses
    assert change.level == "dangerous"
    assert change.site == change.location == "#/components/schemas/Payment/properties/status"
    assert change.operation == "#/components/schemas/Payment"
    assert change.new == "refunded"
    assert change.message.startswith("response property `Payment.status` enum value added")
    assert sorted(reach.operation for reach in change.reaches) == sorted(
        ["POST /payments", *(f"GET /payments/{n}" for n in range(1, 7))])
    assert {(r.direction, r.status) for r in change.reaches} == {("response", "200")}
    by_operation = {reach.operation: reach for reach in change.reaches}
    assert by_operation["GET /payments/3"].operation_id == "get3"
    assert by_operation["GET /payments/3"].location == (
        "GET /payments/3 → responses → 200 → application/json → []/status")
    # the request side of the same component is another rule, and another finding
    [request] = [c for c in report.changes if c.rule_id == "request-property-enum-value-added"]
    assert [(r.operation, r.direction, r.status) for r in request.reaches] == [
        ("POST /payments", "request", "")]
    assert report.counts() == {"breaking": 0, "dangerous": 1, "safe": 1}


def test_two_values_added_at_one_site_are_two_findings() -> None:
    report = compare(shared(3, with_status("pending")),
                     shared(3, with_status("pending", "paid", "refunded")))
    added = [c for c in report.changes if c.rule_id == "response-property-enum-value-added"]
    assert sorted(str(c.new) for c in added) == ["paid", "refunded"]
    assert all(len(c.reaches) == 3 for c in added)


def test_a_change_in_an_inline_schema_stays_at_its_operation() -> None:
    inline = {"type": "object", "properties": {"status": {"type": "string",
                                                           "enum": ["a"]}}}
    wider = copy.deepcopy(inline)
    wider["properties"]["status"]["enum"] = ["a", "b"]
    [change] = compare(api(response=inline), api(response=wider)).changes
    assert change.site == ""
    assert change.reaches == ()
    assert change.operation == "POST /payments"
    assert change.location == "POST /payments → responses → 200 → application/json → /status"
    assert change.message.startswith("response property `status` enum value added (b)")


def test_a_removed_property_has_the_site_it_was_written_at() -> None:
    smaller = copy.deepcopy(PAYMENT)
    del smaller["properties"]["status"]
    report = compare(shared(3, PAYMENT), shared(3, smaller))
    [removed] = [c for c in report.changes
                 if c.rule_id == "response-property-optional-property-removed"]
    assert removed.site == "#/components/schemas/Payment/properties/status"
    assert len(removed.reaches) == 3
    assert removed.source_line is not None
    assert removed.source_line.pointer == "/components/schemas/Payment"  # what survives


def test_the_level_is_the_most_severe_reach_and_each_reach_keeps_its_own() -> None:
    """A draft operation softens what breaks it; the stable ones still break."""
    narrower = with_status("pending")
    old = shared(3, with_status("pending", "paid"), **{"x-stability-level": "draft"})
    new = shared(3, narrower, **{"x-stability-level": "draft"})
    report = compare(old, new)
    [removed] = [c for c in report.changes if c.rule_id == "request-property-enum-value-removed"]
    assert removed.level == "breaking"  # POST /payments is stable
    [response] = [c for c in report.changes
                  if c.rule_id == "response-property-enum-value-removed"]
    assert response.level == "safe"
    assert report.fails("breaking")
    # a response that breaks only a stable operation, reached also from draft ones
    stricter = copy.deepcopy(PAYMENT)
    stricter["properties"]["status"]["maxLength"] = 3
    looser = copy.deepcopy(stricter)
    del looser["properties"]["status"]["maxLength"]
    report = compare(shared(3, stricter, **{"x-stability-level": "draft"}),
                     shared(3, looser, **{"x-stability-level": "draft"}))
    [widened] = [c for c in report.changes
                 if c.rule_id == "response-property-max-length-removed"]
    assert widened.level == "breaking"
    assert sorted(r.level for r in widened.reaches) == ["breaking", "dangerous", "dangerous"]
    assert "(the operation was draft" not in widened.message
    text = render(report, "text")
    assert "reaches 3 operations: " in text
    assert "(2 of them only dangerous)" in text


def ignore(tmp_path: Path, entries: str) -> Path:
    path = tmp_path / "ignore.yaml"
    path.write_text("ignore:\n" + entries)
    return path


def test_an_entry_naming_one_operation_ignores_only_that_reach(tmp_path: Path) -> None:
    old, new = shared(4, with_status("a")), shared(4, with_status("a", "b"))
    entries = ignore(tmp_path, "  - rule: response-property-enum-value-added\n"
                               "    location: 'GET /payments/2 → *'\n"
                               "    reason: that client treats status as open\n")
    report = compare(old, new, ignore=entries)
    [kept] = [c for c in report.changes if c.rule_id == "response-property-enum-value-added"]
    assert sorted(r.operation for r in kept.reaches) == [
        "GET /payments/1", "GET /payments/3", "POST /payments"]
    [ignored] = report.ignored
    assert [r.operation for r in ignored.change.reaches] == ["GET /payments/2"]
    assert ignored.change.site == kept.site
    assert ignored.reason == "that client treats status as open"


def test_an_entry_naming_the_site_ignores_every_reach(tmp_path: Path) -> None:
    old, new = shared(4, with_status("a")), shared(4, with_status("a", "b"))
    entries = ignore(tmp_path, "  - rule: '*-enum-value-added'\n"
                               "    location: '#/components/schemas/Payment/*'\n"
                               "    reason: status is open\n")
    report = compare(old, new, ignore=entries)
    assert report.changes == ()
    assert sorted(len(i.change.reaches) for i in report.ignored) == [1, 4]


def test_an_expired_entry_keeps_the_merged_finding(tmp_path: Path) -> None:
    old, new = shared(3, with_status("a")), shared(3, with_status("a", "b"))
    entries = ignore(tmp_path, "  - rule: response-property-enum-value-added\n"
                               "    reason: temporary\n    expires: 2020-01-01\n")
    report = compare(old, new, ignore=entries, today=dt.date(2026, 1, 1))
    [kept] = [c for c in report.changes if c.rule_id == "response-property-enum-value-added"]
    assert len(kept.reaches) == 3
    assert report.ignored == ()
    assert any("expired" in note for note in report.notes)


def test_an_entry_spelled_with_a_default_response_matches_its_reach(tmp_path: Path) -> None:
    """Issue 14 item 12: `default` is named as the contract writes it, in reaches too."""
    def doc(payment: dict[str, Any]) -> dict[str, Any]:
        document = shared(2, payment)
        responses = document["paths"]["/payments/1"]["get"]["responses"]
        responses["default"] = responses.pop("200")
        return document

    entries = ignore(tmp_path, "  - rule: response-property-enum-value-added\n"
                               "    location: 'GET /payments/1 → responses → default → *'\n"
                               "    reason: errors only\n")
    report = compare(doc(with_status("a")), doc(with_status("a", "b")), ignore=entries)
    [ignored] = report.ignored
    [reach] = ignored.change.reaches
    assert (reach.operation, reach.status) == ("GET /payments/1", "default")


SWAGGER_PAYMENT = {"type": "object", "properties": {"status": {"type": "string",
                                                               "enum": ["a"]}}}


def swagger(values: list[str]) -> dict[str, Any]:
    payment = copy.deepcopy(SWAGGER_PAYMENT)
    payment["properties"]["status"]["enum"] = values
    ok = {"description": "ok", "schema": {"$ref": "#/definitions/Payment"}}
    return {"swagger": "2.0", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": ok}}},
                      "/b": {"get": {"responses": {"200": ok}}}},
            "definitions": {"Payment": payment}}


def test_a_swagger_site_is_named_as_written() -> None:
    [change] = compare(swagger(["a"]), swagger(["a", "b"])).changes
    assert change.site == "#/definitions/Payment/properties/status"
    assert change.operation == "#/definitions/Payment"
    assert len(change.reaches) == 2


def test_a_shared_parameter_is_one_finding() -> None:
    def doc(kind: str) -> dict[str, Any]:
        limit = {"name": "limit", "in": "query", "schema": {"type": kind}}
        document = api(method="get", parameters=[
            {"$ref": "#/components/parameters/limit"}],
            components={"parameters": {"limit": limit}})
        document["paths"]["/refunds"] = {"get": {"operationId": "listRefunds",
            "parameters": [{"$ref": "#/components/parameters/limit"}],
            "responses": {"200": {"description": "ok"}}}}
        return document

    [change] = compare(doc("integer"), doc("boolean")).changes
    assert change.site == "#/components/parameters/limit/schema"
    assert change.operation == "#/components/parameters/limit"
    assert sorted(r.operation for r in change.reaches) == ["GET /payments", "GET /refunds"]
    assert {r.direction for r in change.reaches} == {"request"}


def test_every_occurrence_survives_as_a_reach() -> None:
    """The reaches of the merged findings are exactly the per-operation findings."""
    old, new = shared(5, with_status("a", "c")), shared(5, with_status("b", "c"))
    report = compare(old, new)
    occurrences = reached(report)
    assert len(occurrences) == len(set(occurrences)) == sum(
        max(len(c.reaches), 1) for c in report.changes)
    assert {rule for rule, _, _ in occurrences} == {
        "request-property-enum-value-added", "request-property-enum-value-removed",
        "response-property-enum-value-added", "response-property-enum-value-removed"}
    assert len(report.changes) == 4


@pytest.mark.parametrize(("site", "expected_component", "expected_path"), [
    ("#/components/schemas/Payment/properties/status", "#/components/schemas/Payment",
     "Payment.status"),
    ("#/components/schemas/Payment/properties/tags/items", "#/components/schemas/Payment",
     "Payment.tags.[]"),
    ("#/components/schemas/Pay~1ment/oneOf/1/properties/a", "#/components/schemas/Pay~1ment",
     "Pay/ment.oneOf[1].a"),
    ("#/components/parameters/limit/schema", "#/components/parameters/limit", "limit"),
    ("#/definitions/Payment/allOf/0/properties/id", "#/definitions/Payment", "Payment.id"),
    ("common.yaml#/Pet/properties/name", "common.yaml", "Pet.name"),
    ("schemas/pet.yaml", "schemas/pet.yaml", "pet"),
])
def test_sites_name_their_component_and_path(site: str, expected_component: str,
                                             expected_path: str) -> None:
    assert component(site) == expected_component
    assert schema_path(site) == expected_path


# -- each reporter shows a merged finding once, with what it reaches -------------------

@pytest.fixture(scope="module")
def merged() -> DiffReport:
    return compare(shared(6, with_status("a")), shared(6, with_status("a", "b")))


def test_text_names_the_first_reaches_and_counts_the_rest(merged: DiffReport) -> None:
    text = render(merged, "text")
    assert "  #/components/schemas/Payment\n" in text
    assert "reaches 6 operations: " in text
    assert " and 3 more" in text
    assert text.count("response-property-enum-value-added") == 1


def test_json_lists_every_reach_and_validates(merged: DiffReport) -> None:
    data = json.loads(render(merged, "json"))
    jsonschema.validate(data, schema())
    assert data["format_version"] == 2
    [change] = [c for c in data["changes"] if c["rule_id"] == "response-property-enum-value-added"]
    assert change["site"] == "#/components/schemas/Payment/properties/status"
    assert len(change["reaches"]) == 6
    assert set(change["reaches"][0]) == {"operation", "operation_id", "direction", "status",
                                         "location", "level"}
    assert data["summary"] == {"breaking": 0, "dangerous": 1, "safe": 1}


def test_junit_has_one_case_per_site_listing_the_reaches(merged: DiffReport) -> None:
    suite = ET.fromstring(render(merged, "junit"))[0]
    cases = suite.findall("testcase")
    assert suite.get("tests") == "2"
    assert len(cases) == 2
    [case] = [c for c in cases if "response-property-enum-value-added" in (c.get("name") or "")]
    assert case.get("classname") == "#/components/schemas/Payment"
    out = case.findtext("system-out") or ""
    assert "reaches 6 operations:" in out
    assert out.count(" → responses → 200 → ") == 6


def test_github_has_one_annotation_per_site(merged: DiffReport) -> None:
    lines = render(merged, "github").splitlines()
    warnings = [line for line in lines if line.startswith("::warning ")]
    assert len(warnings) == 1
    assert "%0Areaches 6 operations: " in warnings[0]


def test_sarif_has_one_result_per_site_with_its_reaches(merged: DiffReport) -> None:
    results = json.loads(render(merged, "sarif"))["runs"][0]["results"]
    [result] = [r for r in results if r["ruleId"] == "response-property-enum-value-added"]
    assert len(result["properties"]["reaches"]) == 6
    assert "reaches 6 operations" in result["message"]["text"]
    assert len(results) == 2


def test_markdown_has_one_bullet_per_site(merged: DiffReport) -> None:
    markdown = render(merged, "markdown")
    bullets = [line for line in markdown.splitlines() if "enum-value-added" in line]
    assert len(bullets) == 2  # the request and the response reading of Payment.status
    assert any("reaches 6 operations" in line for line in bullets)


def test_expand_reports_each_reach_as_before() -> None:
    old, new = shared(4, with_status("a")), shared(4, with_status("a", "b"))
    merged_report = compare(old, new)
    report = compare(old, new, expand=True)
    added = [c for c in report.changes if c.rule_id == "response-property-enum-value-added"]
    assert len(added) == 4
    assert sorted(c.operation for c in added) == sorted(
        r.operation for c in merged_report.changes for r in c.reaches
        if c.rule_id == "response-property-enum-value-added")
    for change in added:
        [reach] = change.reaches
        assert change.location == reach.location
        assert change.site == "#/components/schemas/Payment/properties/status"
    assert report.counts()["dangerous"] == 4
    assert "reaches" not in render(report, "text")


def test_a_webhook_payload_reaching_a_component_is_a_webhook_reach() -> None:
    def doc(payment: dict[str, Any]) -> dict[str, Any]:
        document = shared(2, payment)
        document["webhooks"] = {"paid": {"post": {
            "requestBody": {"content": {"application/json": {"schema": REF}}},
            "responses": {"200": {"description": "ok"}}}}}
        return document

    report = compare(doc(with_status("a")), doc(with_status("a", "b")))
    [webhook] = [c for c in report.changes if c.rule_id == "webhook-property-enum-value-added"]
    assert webhook.site == "#/components/schemas/Payment/properties/status"
    assert [(r.operation, r.direction, r.status) for r in webhook.reaches] == [
        ("webhook paid POST", "webhook", "")]
    [response] = [c for c in report.changes if c.rule_id == "response-property-enum-value-added"]
    assert len(response.reaches) == 2


def test_a_schema_in_another_file_is_a_site_named_by_its_file(tmp_path: Path) -> None:
    main = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
        path: {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"$ref": "schemas/pet.yaml#/Pet"}}}}}}}
        for path in ("/pets", "/pets/mine")}}
    for side, values in (("old", ["cat"]), ("new", ["cat", "dog"])):
        (tmp_path / side / "schemas").mkdir(parents=True)
        (tmp_path / side / "main.json").write_text(json.dumps(main))
        (tmp_path / side / "schemas" / "pet.yaml").write_text(json.dumps({"Pet": {
            "type": "object", "properties": {"kind": {"type": "string", "enum": values}}}}))
    [change] = contractkit.diff(tmp_path / "old" / "main.json",
                                tmp_path / "new" / "main.json").changes
    assert change.site == "schemas/pet.yaml#/Pet/properties/kind"
    assert change.operation == "schemas/pet.yaml"
    assert change.message.startswith("response property `Pet.kind` enum value added (dog)")
    assert sorted(r.operation for r in change.reaches) == ["GET /pets", "GET /pets/mine"]
