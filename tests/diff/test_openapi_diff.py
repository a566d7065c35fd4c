"""The OpenAPI differ: each kind of change gets the rule and level the catalogue gives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.diff.helpers import api, changes, reached

import contractkit
from contractkit.diff.rules import RULES_BY_ID

OBJ: dict[str, Any] = {"type": "object", "properties": {"amount": {"type": "integer"},
                                                        "currency": {"type": "string"}}}


def with_(schema: dict[str, Any], **facets: Any) -> dict[str, Any]:
    return {**schema, **facets}


def prop(**facets: Any) -> dict[str, Any]:
    return {"type": "object", "properties": {"amount": {"type": "integer", **facets}}}


def test_identical_contracts_have_no_changes() -> None:
    assert changes(api(request=OBJ, response=OBJ), api(request=OBJ, response=OBJ)) == []


def test_request_property_became_required_is_breaking_with_a_readable_message() -> None:
    old, new = api(request=OBJ), api(request=with_(OBJ, required=["currency"]))
    report = contractkit.diff(contractkit.load(old), contractkit.load(new))
    [change] = report.changes
    assert change.rule_id == "request-property-became-required"
    assert change.level == "breaking"
    assert change.location == "POST /payments → requestBody → application/json → /currency"
    assert change.message == ("request property `currency` became required: existing "
                              "clients that omit it will get 400")


@pytest.mark.parametrize(("old", "new", "expected"), [
    # the same schema change means opposite things on the two sides of the exchange
    (prop(), prop(maximum=10), "request-property-max-set"),
    (prop(maximum=10), prop(maximum=5), "request-property-max-decreased"),
    (prop(maximum=5), prop(maximum=10), "request-property-max-increased"),
    (prop(enum=[1, 2]), prop(enum=[1]), "request-property-enum-value-removed"),
    (prop(enum=[1]), prop(enum=[1, 2]), "request-property-enum-value-added"),
    (prop(), prop(type="string"), "request-property-type-changed"),
    (prop(), prop(type="number"), "request-property-type-widened"),
    (prop(), prop(type=["integer", "null"]), "request-property-became-nullable"),
    (prop(pattern="^a"), prop(), "request-property-pattern-removed"),
])
def test_request_side_rules(old: dict[str, Any], new: dict[str, Any], expected: str) -> None:
    assert changes(api(request=old), api(request=new)) == [
        (expected, RULES_BY_ID[expected].level)]


@pytest.mark.parametrize(("old", "new", "request_level", "response_level"), [
    (prop(maximum=10), prop(maximum=5), "breaking", "safe"),       # narrowed
    (prop(maximum=5), prop(maximum=10), "safe", "breaking"),       # widened
    (prop(enum=[1]), prop(enum=[1, 2]), "safe", "dangerous"),     # open responses
    (prop(), prop(type=["integer", "null"]), "safe", "breaking"),
    (prop(), prop(type="string"), "breaking", "breaking"),         # incompatible
    (prop(default=1), prop(default=2), "dangerous", "safe"),
])
def test_requests_are_contravariant_and_responses_covariant(
        old: dict[str, Any], new: dict[str, Any], request_level: str,
        response_level: str) -> None:
    assert [level for _, level in changes(api(request=old), api(request=new))] == [
        request_level]
    assert [level for _, level in changes(api(response=old), api(response=new))] == [
        response_level]


def test_required_and_optional_properties_on_both_sides() -> None:
    required = with_(OBJ, required=["amount"])
    assert changes(api(response=required), api(response=OBJ)) == [
        ("response-property-became-optional", "breaking")]
    assert changes(api(response=OBJ), api(response=required)) == [
        ("response-property-became-required", "safe")]
    fewer = {"type": "object", "properties": {"amount": {"type": "integer"}}}
    assert changes(api(response=OBJ), api(response=fewer)) == [
        ("response-property-optional-property-removed", "dangerous")]
    assert changes(api(request=fewer), api(request=with_(OBJ, required=["currency"]))) == [
        ("request-property-required-property-added", "breaking")]


def test_nullable_in_all_three_spellings() -> None:
    def doc(schema: dict[str, Any], version: str = "3.1.0") -> dict[str, Any]:
        document = api(response={"type": "object", "properties": {"note": schema}})
        document["openapi"] = version
        return document

    plain = {"type": "string"}
    assert changes(doc(plain, "3.0.3"), doc({**plain, "nullable": True}, "3.0.3")) == [
        ("response-property-became-nullable", "breaking")]
    assert changes(doc(plain), doc({"type": ["string", "null"]})) == [
        ("response-property-became-nullable", "breaking")]
    assert changes(doc(plain), doc({"oneOf": [plain, {"type": "null"}]})) == [
        ("response-property-became-nullable", "breaking")]


def test_moving_a_schema_into_components_is_not_a_change() -> None:
    inline = api(request=OBJ, response=OBJ)
    refactored = api(request={"$ref": "#/components/schemas/Payment"},
                     response={"allOf": [{"$ref": "#/components/schemas/Payment"}]},
                     components={"schemas": {"Payment": OBJ}})
    assert changes(inline, refactored) == []


def test_recursive_schemas_terminate_and_report_deep_changes() -> None:
    def tree(leaf: dict[str, Any]) -> dict[str, Any]:
        return api(response={"$ref": "#/components/schemas/Node"}, components={"schemas": {
            "Node": {"type": "object", "properties": {
                "value": leaf, "children": {"type": "array",
                                            "items": {"$ref": "#/components/schemas/Node"}}}}}})

    assert changes(tree({"type": "integer"}), tree({"type": "integer"})) == []
    report = contractkit.diff(contractkit.load(tree({"type": "integer"})),
                              contractkit.load(tree({"type": "string"})))
    assert [(rule_id, location.rsplit(" → ", 1)[1])
            for rule_id, _, location in reached(report)] == [
        ("response-property-type-changed", "/value")]


def test_path_parameter_renames_are_not_removals() -> None:
    def doc(name: str) -> dict[str, Any]:
        return api(path=f"/payments/{{{name}}}", method="get", parameters=[
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}])

    assert changes(doc("id"), doc("paymentId")) == []


@pytest.mark.parametrize(("old", "new", "expected"), [
    ([], [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
     [("request-parameter-added", "safe")]),
    ([], [{"name": "tenant", "in": "query", "required": True, "schema": {"type": "string"}}],
     [("request-required-parameter-added", "breaking")]),
    ([{"name": "limit", "in": "query", "schema": {"type": "integer"}}], [],
     [("request-parameter-removed", "dangerous")]),
    ([{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
     [{"name": "limit", "in": "query", "required": True, "schema": {"type": "integer"}}],
     [("request-parameter-became-required", "breaking")]),
    ([{"name": "tenant", "in": "query", "schema": {"type": "string"}}],
     [{"name": "tenant", "in": "header", "schema": {"type": "string"}}],
     [("request-parameter-location-changed", "breaking")]),
    ([{"name": "ids", "in": "query", "schema": {"type": "array"}}],
     [{"name": "ids", "in": "query", "style": "pipeDelimited", "schema": {"type": "array"}}],
     [("request-parameter-style-changed", "breaking")]),
    ([{"name": "n", "in": "query", "schema": {"type": "integer"}}],
     [{"name": "n", "in": "query", "schema": {"type": "string"}}],
     [("request-parameter-type-widened", "safe")]),  # a query value is text anyway
])
def test_parameters(old: list[Any], new: list[Any], expected: list[tuple[str, str]]) -> None:
    assert changes(api(parameters=old), api(parameters=new)) == expected


def test_responses_and_media_types() -> None:
    base = api(response=OBJ)
    moved = api(response=OBJ)
    moved["paths"]["/payments"]["post"]["responses"]["201"] = moved["paths"]["/payments"][
        "post"]["responses"].pop("200")
    assert sorted(changes(base, moved)) == [("response-success-status-added", "dangerous"),
                                            ("response-success-status-removed", "breaking")]
    special = api(response=OBJ)
    content = special["paths"]["/payments"]["post"]["responses"]["200"]["content"]
    content["application/problem+json"] = content.pop("application/json")
    assert changes(base, special) == [("response-media-type-specialized", "safe")]
    assert changes(special, base) == [("response-media-type-generalized", "breaking")]


def test_operations_removed_with_and_without_deprecation() -> None:
    base = api(response=OBJ)
    other = api(response=OBJ, path="/refunds")
    assert ("endpoint-removed", "breaking") in changes(base, other)
    assert ("endpoint-added", "safe") in changes(base, other)
    deprecated = api(response=OBJ, operation={"deprecated": True, "x-sunset": "2026-01-01"})
    today = dt.date(2026, 6, 1)
    assert ("operation-removed-after-deprecation", "safe") in changes(deprecated, other,
                                                                       today=today)
    early = api(response=OBJ, operation={"deprecated": True, "x-sunset": "2027-01-01"})
    assert ("operation-removed-before-sunset", "breaking") in changes(early, other,
                                                                       today=today)


def test_lifecycle_of_an_operation() -> None:
    base = api(response=OBJ)
    assert changes(base, api(response=OBJ, operation={"deprecated": True})) == [
        ("operation-deprecated-without-sunset", "dangerous")]
    sunset = api(response=OBJ, operation={"deprecated": True, "x-sunset": "2027-01-01"})
    assert changes(base, sunset) == [("operation-deprecated", "safe")]
    assert changes(sunset, api(response=OBJ, operation={"deprecated": True})) == [
        ("sunset-removed", "breaking")]
    assert changes(base, api(response=OBJ, operation={"x-stability-level": "beta"})) == [
        ("stability-level-decreased", "dangerous")]
    assert changes(base, api(response=OBJ, operation={"x-stability-level": "soon"})) == [
        ("stability-level-invalid", "breaking")]


def test_security_changes() -> None:
    schemes = {"securitySchemes": {
        "oauth": {"type": "oauth2", "flows": {"clientCredentials": {
            "tokenUrl": "https://x/token", "scopes": {"read": "r", "write": "w"}}}},
        "key": {"type": "apiKey", "in": "header", "name": "X-Key"}}}

    def doc(security: list[Any] | None) -> dict[str, Any]:
        operation = {"security": security} if security is not None else {}
        return api(response=OBJ, components=schemes, operation=operation)

    assert changes(doc(None), doc([{"oauth": ["read"]}])) == [("security-added", "dangerous")]
    assert changes(doc([{"oauth": ["read"]}]), doc([{"oauth": ["read", "write"]}])) == [
        ("security-scope-added", "dangerous")]
    assert changes(doc([{"oauth": ["read"]}, {"key": []}]), doc([{"oauth": ["read"]}])) == [
        ("security-alternative-removed", "breaking")]
    assert changes(doc([{"oauth": ["read"]}]), doc(None)) == [("security-removed", "safe")]


def test_servers() -> None:
    old = api(servers=[{"url": "https://a.example.com"}])
    new = api(servers=[{"url": "https://b.example.com"}])
    assert sorted(changes(old, new)) == [("server-added", "safe"),
                                         ("server-removed", "dangerous")]


def test_check_version() -> None:
    old = api(request=OBJ, version="1.2.0")
    breaking = api(request=with_(OBJ, required=["amount"]), version="1.3.0")
    assert ("version-major-bump-missing", "breaking") in changes(old, breaking,
                                                                 check_version=True)
    assert ("version-major-bump-missing", "breaking") not in changes(
        old, api(request=with_(OBJ, required=["amount"]), version="2.0.0"), check_version=True)
    assert changes(old, api(request=OBJ, version="2.0.0"), check_version=True) == [
        ("version-major-bump-unneeded", "safe")]


def test_openapi_and_graphql_cannot_be_compared(tmp_path: Any) -> None:
    schema = tmp_path / "schema.graphql"
    schema.write_text("type Query { a: Int }\n")
    with pytest.raises(contractkit.ConfigError, match="both sides must be OpenAPI"):
        contractkit.diff(contractkit.load(api()), str(schema))


def test_const_is_a_one_value_enum() -> None:
    assert changes(api(response=prop(enum=[1])), api(response=prop(const=1))) == []
    # no old value survives: not an addition a tolerant client can ignore
    assert changes(api(response=prop(const=1)), api(response=prop(const=2))) == [
        ("response-property-enum-replaced", "breaking")]


def test_becoming_a_one_of_is_one_finding_not_one_per_property() -> None:
    card = {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}}
    new = {"oneOf": [card, {"type": "object", "properties": {"iban": {"type": "string"}}}]}
    assert changes(api(response=card), api(response=new)) == [
        ("response-body-one-of-added", "breaking")]


def test_allof_branch_added_beside_existing_branches() -> None:
    base = {"type": "object", "properties": {"a": {"type": "string"}}}
    old = {"allOf": [base]}
    new = {"allOf": [base, {"type": "object", "properties": {"b": {"type": "integer"}}}]}
    assert ("request-body-all-of-branch-added", "breaking") in changes(api(request=old),
                                                                       api(request=new))
    assert changes(api(request=base), api(request=old)) == []  # wrapping is a refactor


def test_webhook_payloads_are_read_by_subscribers_like_responses() -> None:
    def doc(payload: dict[str, Any]) -> dict[str, Any]:
        return api(webhooks={"paymentSucceeded": {"post": {
            "requestBody": {"content": {"application/json": {"schema": payload}}},
            "responses": {"200": {"description": "ok"}}}}})

    required = with_(OBJ, required=["amount"])
    assert changes(doc(required), doc(OBJ)) == [("webhook-property-became-optional",
                                                 "breaking")]
    assert changes(doc(OBJ), doc(required)) == [("webhook-property-became-required", "safe")]
    assert changes(doc(OBJ), api()) == [("webhook-removed", "breaking")]


def test_draft_and_alpha_operations_promise_no_compatibility() -> None:
    alpha = api(request=OBJ, operation={"x-stability-level": "alpha"})
    stricter = api(request=with_(OBJ, required=["amount"]),
                   operation={"x-stability-level": "alpha"})
    assert changes(alpha, stricter) == [("request-property-became-required", "dangerous")]
    assert ("endpoint-removed", "dangerous") in changes(alpha, api(path="/other"))


def test_schemas_inside_other_keywords_are_compared_one_by_one() -> None:
    def doc(extra: dict[str, Any]) -> dict[str, Any]:
        return api(request={"type": "object", "patternProperties": {"^x-": {
            "type": "object", "properties": {"a": {"type": "string"}}, **extra}},
            "contains": {"type": "object", "properties": {"id": {"type": "string"}}}})

    found = changes(doc({}), doc({"required": ["a"]}))
    assert found == [("request-property-became-required", "breaking")]
    report = contractkit.diff(contractkit.load(doc({})), contractkit.load(doc({"required": [
        "a"]})))
    assert report.changes[0].location.endswith("→ /patternProperties/^x-/a")


def test_a_pattern_that_matches_everything_is_no_pattern() -> None:
    assert changes(api(request=prop(type="string", pattern="^a")),
                   api(request=prop(type="string", pattern=""))) == [
        ("request-property-pattern-removed", "safe")]
    assert changes(api(request=prop(type="string")),
                   api(request=prop(type="string", pattern="^.*$"))) == []


def test_form_fields_arrive_as_text() -> None:
    def doc(kind: str, media: str) -> dict[str, Any]:
        document = api(request={"type": "object", "properties": {"n": {"type": kind}}})
        body = document["paths"]["/payments"]["post"]["requestBody"]["content"]
        body[media] = body.pop("application/json")
        return document

    form = "application/x-www-form-urlencoded"
    assert changes(doc("integer", form), doc("string", form)) == [
        ("request-property-type-widened", "safe")]
    assert changes(doc("integer", "application/json"), doc("string", "application/json")) == [
        ("request-property-type-changed", "breaking")]


def test_a_schema_first_met_inside_a_cycle_keeps_the_cycles_changes() -> None:
    """A → B → A, and B changes. GET /b is compared first and meets A inside the cycle;
    A's result must still carry B's change for POST /payments, which starts at A."""
    def doc(b_type: str) -> dict[str, Any]:
        document = api(response={"$ref": "#/components/schemas/A"}, components={"schemas": {
            "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
            "B": {"type": "object", "properties": {"w": {"type": b_type},
                                                   "a": {"$ref": "#/components/schemas/A"}}},
        }})
        document["paths"]["/b"] = {"get": {"operationId": "getB", "responses": {"200": {
            "description": "ok", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/B"}}}}}}}
        return document

    report = contractkit.diff(contractkit.load(doc("integer")), contractkit.load(doc("string")))
    found = {(operation, location.rsplit(" → ", 1)[1])
             for _, operation, location in reached(report)}
    assert found == {("GET /b", "/w"), ("POST /payments", "/b/w")}
    assert len(report.changes) == 1  # one change, written in B


def test_a_cycle_that_looks_unchanged_halfway_is_not_remembered_as_unchanged() -> None:
    """A → (B, C), B → A, and only C changes. Checking A first meets B, whose text is
    equal and whose only ref (A) is still being checked: B must not be remembered as
    unchanged, or GET /b (which starts at B) would miss the change at /a/c."""
    def doc(c_type: str) -> dict[str, Any]:
        def get(schema: str) -> dict[str, Any]:
            return {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}}}}

        return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
                "paths": {"/a": get("A"), "/b": get("B")},
                "components": {"schemas": {
                    "A": {"type": "object", "properties": {
                        "b": {"$ref": "#/components/schemas/B"},
                        "c": {"$ref": "#/components/schemas/C"}}},
                    "B": {"type": "object", "properties": {
                        "a": {"$ref": "#/components/schemas/A"}}},
                    "C": {"type": c_type}}}}

    report = contractkit.diff(contractkit.load(doc("integer")), contractkit.load(doc("string")))
    found = {(operation, location.rsplit(" → ", 1)[1])
             for _, operation, location in reached(report)}
    assert ("GET /b", "/a/c") in found
    assert ("GET /a", "/c") in found


def test_messages_tell_a_string_from_the_value_it_spells() -> None:
    report = contractkit.diff(contractkit.load(api(request=prop(default=True))),
                              contractkit.load(api(request=prop(default="true"))))
    [change] = report.changes
    assert change.message.startswith('request property `amount` default changed (true → "true")')


UNION = {"type": "object", "properties": {"pay": {"oneOf": [
    {"type": "object", "properties": {"card": {"type": "string"}}, "required": ["card"]}]}}}
WIDER_UNION = {"type": "object", "properties": {"pay": {"oneOf": [
    {"type": "object", "properties": {"card": {"type": "string"}}, "required": ["card"]},
    {"type": "object", "properties": {"iban": {"type": "string"}}, "required": ["iban"]}]}}}


@pytest.mark.parametrize(("old", "new", "rule_id"), [
    (prop(enum=["a"]), prop(enum=["a", "b"]), "response-property-enum-value-added"),
    (UNION, WIDER_UNION, "response-property-one-of-branch-added"),
    (with_(UNION, properties={"pay": {"anyOf": UNION["properties"]["pay"]["oneOf"]}}),
     with_(WIDER_UNION, properties={"pay": {"anyOf": WIDER_UNION["properties"]["pay"][
         "oneOf"]}}), "response-property-any-of-branch-added"),
])
def test_response_additions_are_dangerous_unless_responses_are_closed(
        old: dict[str, Any], new: dict[str, Any], rule_id: str) -> None:
    """A tolerant client is unaffected by a new value or branch (as in the GraphQL rules,
    graphql-inspector and oasdiff); ``closed_responses`` is for clients that are not."""
    assert changes(api(response=old), api(response=new)) == [(rule_id, "dangerous")]
    assert changes(api(response=old), api(response=new), closed_responses=True) == [
        (rule_id, "breaking")]
    # requests are read by the server: the option changes nothing there
    request = rule_id.replace("response-", "request-")
    assert changes(api(request=old), api(request=new), closed_responses=True) == [
        (request, "safe")]
