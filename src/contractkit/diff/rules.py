"""The rule catalogue: every kind of change ``diff`` reports, as data.

Each rule has a stable kebab-case id, a level (``breaking`` / ``dangerous`` / ``safe``, as
oasdiff's ERR / WARN / INFO), the side of the exchange it concerns, an area, a sentence
describing it and a small example. ``contractkit diff --list-rules`` prints this table and
``docs/reference/diff-rules.md`` is generated from it.

Schema rules are generated from :data:`SCHEMA_CHANGES`: one change kind (say
``max-length-decreased``) and what it does to the set of accepted values (``narrows``,
``widens`` or ``changes``) gives the level on each side — a request schema is read by the
server (narrowing breaks clients), a response schema by the client (widening breaks it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

#: ``x-stability-level`` values, least stable first
STABILITY_LEVELS = ("draft", "alpha", "beta", "stable")

Level = Literal["breaking", "dangerous", "safe"]
LEVELS: tuple[Level, ...] = ("breaking", "dangerous", "safe")
Direction = Literal["request", "response", "both", "none"]
Effect = Literal["narrows", "widens", "changes", "neutral"]


@dataclass(frozen=True)
class Rule:
    id: str
    level: Level
    direction: Direction
    area: str
    description: str
    example: str = ""


@dataclass(frozen=True)
class SchemaChange:
    """One kind of schema difference, before it is placed on a side of the exchange.

    ``request`` / ``response`` override the level that ``effect`` implies; ``property_only``
    kinds only ever occur on a property (``required`` belongs to the parent object).
    """

    name: str
    effect: Effect
    phrase: str
    example: str
    request: Level | None = None
    response: Level | None = None
    property_only: bool = False


def _bounds() -> list[SchemaChange]:
    changes = []
    for key, keyword in (("max-length", "maxLength"), ("max-items", "maxItems"),
                         ("max-properties", "maxProperties"), ("max", "maximum"),
                         ("exclusive-max", "exclusiveMaximum"), ("max-contains", "maxContains")):
        changes += [
            SchemaChange(f"{key}-decreased", "narrows", f"{keyword} decreased",
                         f"{keyword}: 10 → 5"),
            SchemaChange(f"{key}-increased", "widens", f"{keyword} increased",
                         f"{keyword}: 5 → 10"),
            SchemaChange(f"{key}-set", "narrows", f"{keyword} set", f"none → {keyword}: 10",
                         request="dangerous"),
            SchemaChange(f"{key}-removed", "widens", f"{keyword} removed",
                         f"{keyword}: 10 → none"),
        ]
    for key, keyword in (("min-length", "minLength"), ("min-items", "minItems"),
                         ("min-properties", "minProperties"), ("min", "minimum"),
                         ("exclusive-min", "exclusiveMinimum"), ("min-contains", "minContains")):
        changes += [
            SchemaChange(f"{key}-increased", "narrows", f"{keyword} increased",
                         f"{keyword}: 1 → 5"),
            SchemaChange(f"{key}-decreased", "widens", f"{keyword} decreased",
                         f"{keyword}: 5 → 1"),
            SchemaChange(f"{key}-set", "narrows", f"{keyword} set", f"none → {keyword}: 1",
                         request="dangerous"),
            SchemaChange(f"{key}-removed", "widens", f"{keyword} removed",
                         f"{keyword}: 1 → none"),
        ]
    return changes


#: JSON Schema keywords compared as a whole: added narrows, removed widens, changed changes.
GENERIC_KEYWORDS: Mapping[str, str] = {
    "multipleOf": "multiple-of",
    "uniqueItems": "unique-items",
    "contains": "contains",
    "prefixItems": "prefix-items",
    "propertyNames": "property-names",
    "patternProperties": "pattern-properties",
    "dependentSchemas": "dependent-schemas",
    "dependentRequired": "dependent-required",
    "unevaluatedProperties": "unevaluated-properties",
    "unevaluatedItems": "unevaluated-items",
    "if": "if",
    "then": "then",
    "else": "else",
    "not": "not",
    "contentSchema": "content-schema",
    "contentMediaType": "content-media-type",
    "contentEncoding": "content-encoding",
}


def _generic() -> list[SchemaChange]:
    changes = []
    for keyword, key in GENERIC_KEYWORDS.items():
        changes += [
            SchemaChange(f"{key}-added", "narrows", f"`{keyword}` added",
                         f"none → {keyword}: …"),
            SchemaChange(f"{key}-removed", "widens", f"`{keyword}` removed",
                         f"{keyword}: … → none"),
            SchemaChange(f"{key}-changed", "changes", f"`{keyword}` changed",
                         f"{keyword}: a → b"),
        ]
    return changes


SCHEMA_CHANGES: tuple[SchemaChange, ...] = (
    SchemaChange("type-changed", "changes", "type changed", "type: string → integer"),
    SchemaChange("type-widened", "widens", "type widened", "type: integer → number"),
    SchemaChange("type-narrowed", "narrows", "type narrowed", "type: number → integer"),
    SchemaChange("format-changed", "changes", "format changed", "format: uuid → email"),
    SchemaChange("format-widened", "widens", "format widened", "format: int32 → int64"),
    SchemaChange("format-narrowed", "narrows", "format narrowed", "format: int64 → int32"),
    SchemaChange("format-added", "narrows", "format added", "none → format: uuid"),
    SchemaChange("format-removed", "widens", "format removed", "format: uuid → none"),
    # const: x counts as enum: [x]
    # a response gaining a value or a branch breaks only clients that treat responses as
    # closed (the GraphQL rules, graphql-inspector and oasdiff call it dangerous too);
    # diff(closed_responses=True) / --closed-responses makes these breaking
    SchemaChange("enum-value-added", "widens", "enum value added", "enum: [a] → [a, b]",
                 response="dangerous"),
    SchemaChange("enum-value-removed", "narrows", "enum value removed", "enum: [a, b] → [a]"),
    SchemaChange("enum-replaced", "changes", "had every enum value replaced",
                 "const: ok → success"),
    SchemaChange("became-enum", "narrows", "became an enum", "type: string → enum: [a, b]"),
    SchemaChange("enum-removed", "widens", "is no longer an enum", "enum: [a, b] → none"),
    SchemaChange("extensible-enum-value-added", "neutral", "x-extensible-enum value added",
                 "x-extensible-enum: [a] → [a, b]"),
    SchemaChange("extensible-enum-value-removed", "narrows", "x-extensible-enum value removed",
                 "x-extensible-enum: [a, b] → [a]"),
    *_bounds(),
    SchemaChange("pattern-added", "narrows", "pattern added", "none → pattern: ^[a-z]+$"),
    # a response pattern describes text a client rarely checks: losing it is, like a changed
    # pattern, dangerous (oasdiff: INFO), not a type change
    SchemaChange("pattern-removed", "widens", "pattern removed", "pattern: ^[a-z]+$ → none",
                 response="dangerous"),
    SchemaChange("pattern-changed", "changes", "pattern changed",
                 "pattern: ^[a-z]+$ → ^[a-z0-9]+$", request="dangerous",
                 response="dangerous"),
    SchemaChange("became-required", "narrows", "became required",
                 "required: [] → [currency]", property_only=True),
    SchemaChange("became-optional", "widens", "became optional",
                 "required: [currency] → []", property_only=True),
    SchemaChange("required-property-added", "narrows", "added as a required property",
                 "properties: + currency (required)", response="safe", property_only=True),
    SchemaChange("optional-property-added", "neutral", "added as an optional property",
                 "properties: + note", property_only=True),
    SchemaChange("required-property-removed", "widens", "removed (it was required)",
                 "properties: - currency (required)", request="dangerous",
                 property_only=True),
    SchemaChange("optional-property-removed", "widens", "removed (it was optional)",
                 "properties: - note", request="dangerous", response="dangerous",
                 property_only=True),
    SchemaChange("became-nullable", "widens", "became nullable", "nullable: false → true"),
    SchemaChange("became-not-nullable", "narrows", "is no longer nullable",
                 "type: [string, 'null'] → string"),
    SchemaChange("became-read-only", "neutral", "became readOnly", "readOnly: false → true",
                 request="dangerous"),
    SchemaChange("became-not-read-only", "neutral", "is no longer readOnly",
                 "readOnly: true → false"),
    SchemaChange("became-write-only", "neutral", "became writeOnly", "writeOnly: false → true",
                 response="dangerous"),
    SchemaChange("became-not-write-only", "neutral", "is no longer writeOnly",
                 "writeOnly: true → false", response="dangerous"),
    # a required property whose flag hides it from one side (or stops hiding it): one
    # finding for the flag and what it did to `required` as that side reads it
    SchemaChange("required-became-write-only", "neutral",
                 "became writeOnly (it is required)", "required: [id], writeOnly: false → true",
                 response="breaking", property_only=True),
    SchemaChange("required-became-not-read-only", "neutral",
                 "is no longer readOnly (it is required)",
                 "required: [id], readOnly: true → false", request="breaking",
                 property_only=True),
    SchemaChange("additional-properties-closed", "narrows", "no longer allows other properties",
                 "additionalProperties: true → false"),
    SchemaChange("additional-properties-opened", "widens", "now allows other properties",
                 "additionalProperties: false → true"),
    SchemaChange("one-of-added", "changes", "became a oneOf", "type: object → oneOf: [A, B]"),
    SchemaChange("one-of-removed", "changes", "is no longer a oneOf", "oneOf: [A, B] → A"),
    SchemaChange("one-of-branch-added", "widens", "gained a oneOf branch",
                 "oneOf: [A] → [A, B]", response="dangerous"),
    SchemaChange("one-of-branch-removed", "narrows", "lost a oneOf branch",
                 "oneOf: [A, B] → [A]"),
    SchemaChange("any-of-added", "changes", "became an anyOf", "type: object → anyOf: [A, B]"),
    SchemaChange("any-of-removed", "changes", "is no longer an anyOf", "anyOf: [A, B] → A"),
    SchemaChange("any-of-branch-added", "widens", "gained an anyOf branch",
                 "anyOf: [A] → [A, B]", response="dangerous"),
    SchemaChange("any-of-branch-removed", "narrows", "lost an anyOf branch",
                 "anyOf: [A, B] → [A]"),
    SchemaChange("all-of-branch-added", "narrows", "gained an allOf branch",
                 "allOf: [A] → [A, {…}]"),
    SchemaChange("all-of-branch-removed", "widens", "lost an allOf branch",
                 "allOf: [A, {…}] → [A]"),
    SchemaChange("discriminator-property-changed", "changes", "discriminator property changed",
                 "discriminator.propertyName: kind → type"),
    SchemaChange("discriminator-added", "neutral", "discriminator added",
                 "none → discriminator: {propertyName: kind}"),
    SchemaChange("discriminator-removed", "neutral", "discriminator removed",
                 "discriminator: {propertyName: kind} → none"),
    SchemaChange("discriminator-mapping-changed", "neutral", "discriminator mapping changed",
                 "mapping: {card: Card} → {card: CardV2}"),
    SchemaChange("default-changed", "neutral", "default changed", "default: 10 → 20",
                 request="dangerous"),
    SchemaChange("became-deprecated", "neutral", "was deprecated", "deprecated: false → true"),
    SchemaChange("no-longer-deprecated", "neutral", "is no longer deprecated",
                 "deprecated: true → false"),
    # the two below replace became-deprecated under a deprecation policy
    # (diff(deprecation_days_beta=, deprecation_days_stable=))
    SchemaChange("deprecated-sunset-missing", "changes", "was deprecated without an "
                 "x-sunset date, where the deprecation policy asks for one",
                 "deprecated: false → true"),
    SchemaChange("deprecated-sunset-too-soon", "changes", "was deprecated with an x-sunset "
                 "date sooner than the deprecation policy allows",
                 "deprecated: true, x-sunset: 7 days away (policy: 180)"),
    SchemaChange("sunset-invalid", "changes", "has an x-sunset that is not a date",
                 "x-sunset: soon"),
    # as an operation's (stability-level-decreased): a lower level changes no value, it
    # announces that changes may come
    SchemaChange("stability-decreased", "neutral", "x-stability-level went down",
                 "x-stability-level: stable → beta", request="dangerous",
                 response="dangerous"),
    SchemaChange("stability-increased", "neutral", "x-stability-level went up",
                 "x-stability-level: beta → stable"),
    SchemaChange("stability-invalid", "changes", "has an x-stability-level that is not one "
                 "of draft, alpha, beta, stable", "x-stability-level: maybe"),
    *_generic(),
)

SCHEMA_CHANGES_BY_NAME: Mapping[str, SchemaChange] = {c.name: c for c in SCHEMA_CHANGES}

#: Where a schema sits; ``property`` is anything below the root of a body, parameter or header.
REQUEST_SUBJECTS = ("body", "parameter", "property")
RESPONSE_SUBJECTS = ("body", "header", "property")
WEBHOOK_SUBJECTS = ("body", "property")


#: Response additions a tolerant client ignores; breaking for clients that treat
#: responses as closed (``closed_responses``).
OPEN_RESPONSE_ADDITIONS = frozenset({"enum-value-added", "one-of-branch-added",
                                     "any-of-branch-added"})


def schema_level(change: SchemaChange, side: Literal["request", "response"], *,
                 closed_responses: bool = False) -> Level:
    if closed_responses and side == "response" and change.name in OPEN_RESPONSE_ADDITIONS:
        return "breaking"
    override = change.request if side == "request" else change.response
    if override is not None:
        return override
    if change.effect == "changes":
        return "breaking"
    if change.effect == "narrows":
        return "breaking" if side == "request" else "safe"
    if change.effect == "widens":
        return "safe" if side == "request" else "breaking"
    return "safe"


_SUBJECT_TEXT = {"body": "body schema", "parameter": "parameter schema",
                 "header": "header schema", "property": "property"}


def _schema_rules() -> list[Rule]:
    sides: tuple[tuple[str, Literal["request", "response"], tuple[str, ...]], ...] = (
        ("request", "request", REQUEST_SUBJECTS),
        ("response", "response", RESPONSE_SUBJECTS),
        # subscribers read webhook payloads the way clients read responses
        ("webhook", "response", WEBHOOK_SUBJECTS),
    )
    rules = []
    for prefix, side, subjects in sides:
        for change in SCHEMA_CHANGES:
            for subject in subjects:
                if change.property_only and subject != "property":
                    continue
                rules.append(Rule(
                    f"{prefix}-{subject}-{change.name}", schema_level(change, side), side,
                    "schema", f"A {prefix} {_SUBJECT_TEXT[subject]} {change.phrase}.",
                    change.example))
    return rules


_OTHER_RULES: tuple[Rule, ...] = (
    # endpoints and operations
    Rule("endpoint-added", "safe", "none", "operation", "A path was added.", "+ /refunds"),
    Rule("endpoint-removed", "breaking", "none", "operation",
         "A path was removed without being deprecated first.", "- /refunds"),
    Rule("operation-added", "safe", "none", "operation",
         "An operation was added to an existing path.", "+ DELETE /payments/{id}"),
    Rule("operation-removed", "breaking", "none", "operation",
         "An operation was removed without being deprecated first.", "- DELETE /payments/{id}"),
    Rule("operation-removed-after-deprecation", "safe", "none", "lifecycle",
         "A deprecated operation whose sunset date (if any) has passed was removed.",
         "deprecated: true, x-sunset: 2024-01-01 → removed"),
    Rule("operation-removed-before-sunset", "breaking", "none", "lifecycle",
         "A deprecated operation was removed before its x-sunset date.",
         "x-sunset: 2099-01-01 → removed"),
    Rule("operation-id-changed", "dangerous", "none", "operation",
         "The operationId changed: generated clients rename the method.",
         "operationId: getPayment → fetchPayment"),
    Rule("operation-deprecated", "safe", "none", "lifecycle",
         "An operation was deprecated, with an x-sunset date.",
         "deprecated: true, x-sunset: 2027-01-01"),
    Rule("operation-deprecated-without-sunset", "dangerous", "none", "lifecycle",
         "An operation was deprecated without an x-sunset date: clients cannot plan.",
         "deprecated: false → true"),
    Rule("operation-sunset-missing", "breaking", "none", "lifecycle",
         "An operation was deprecated without an x-sunset date, where a deprecation policy "
         "(--deprecation-days-beta / --deprecation-days-stable) asks for one.",
         "deprecated: false → true"),
    Rule("operation-sunset-too-soon", "breaking", "none", "lifecycle",
         "An operation was deprecated with an x-sunset date fewer days away than the "
         "deprecation policy asks for.", "x-sunset: 7 days away (policy: 180)"),
    Rule("operation-reactivated", "safe", "none", "lifecycle",
         "An operation is no longer deprecated.", "deprecated: true → false"),
    Rule("sunset-invalid", "breaking", "none", "lifecycle",
         "An x-sunset value is not a date (YYYY-MM-DD or RFC 3339), so removal dates "
         "cannot be checked.", "x-sunset: next year"),
    Rule("sunset-removed", "breaking", "none", "lifecycle",
         "A deprecated operation or parameter lost its x-sunset date.",
         "x-sunset: 2027-01-01 → none"),
    Rule("sunset-moved-earlier", "breaking", "none", "lifecycle",
         "An x-sunset date moved earlier: clients have less time than announced.",
         "x-sunset: 2027-01-01 → 2026-01-01"),
    Rule("sunset-moved-later", "safe", "none", "lifecycle", "An x-sunset date moved later.",
         "x-sunset: 2026-01-01 → 2027-01-01"),
    Rule("stability-level-invalid", "breaking", "none", "lifecycle",
         "An x-stability-level is not one of draft, alpha, beta, stable, so the impact of "
         "changes cannot be judged.", "x-stability-level: maybe"),
    Rule("stability-level-decreased", "dangerous", "none", "lifecycle",
         "An operation's x-stability-level went down.", "x-stability-level: stable → beta"),
    Rule("stability-level-increased", "safe", "none", "lifecycle",
         "An operation's x-stability-level went up.", "x-stability-level: beta → stable"),
    # parameters
    Rule("request-parameter-added", "safe", "request", "parameter",
         "An optional parameter was added.", "+ ?limit (optional)"),
    Rule("request-required-parameter-added", "breaking", "request", "parameter",
         "A required parameter was added: existing clients do not send it.",
         "+ ?tenant (required)"),
    Rule("request-parameter-removed", "dangerous", "request", "parameter",
         "A parameter was removed: clients still send it and the server may reject it "
         "or ignore it.", "- ?legacy"),
    Rule("request-parameter-became-required", "breaking", "request", "parameter",
         "A parameter became required.", "?limit: required false → true"),
    Rule("request-parameter-became-optional", "safe", "request", "parameter",
         "A parameter became optional.", "?limit: required true → false"),
    Rule("request-parameter-location-changed", "breaking", "request", "parameter",
         "A parameter moved (query, header, path, cookie).", "?tenant → header tenant"),
    Rule("request-parameter-style-changed", "breaking", "request", "parameter",
         "A parameter's serialisation style changed.", "style: form → spaceDelimited"),
    Rule("request-parameter-explode-changed", "breaking", "request", "parameter",
         "A parameter's explode flag changed.", "explode: true → false"),
    Rule("request-parameter-removed-before-sunset", "breaking", "request", "lifecycle",
         "A deprecated parameter was removed before its x-sunset date.",
         "x-sunset: 2099-01-01 → removed"),
    Rule("request-parameter-deprecated", "safe", "request", "lifecycle",
         "A parameter was deprecated, with an x-sunset date.", "deprecated: true"),
    Rule("request-parameter-deprecated-without-sunset", "dangerous", "request", "lifecycle",
         "A parameter was deprecated without an x-sunset date.", "deprecated: false → true"),
    Rule("request-parameter-sunset-missing", "breaking", "request", "lifecycle",
         "A parameter was deprecated without an x-sunset date, where a deprecation policy "
         "asks for one.", "deprecated: false → true"),
    Rule("request-parameter-sunset-too-soon", "breaking", "request", "lifecycle",
         "A parameter was deprecated with an x-sunset date fewer days away than the "
         "deprecation policy asks for.", "x-sunset: 7 days away (policy: 180)"),
    Rule("request-parameter-reactivated", "safe", "request", "lifecycle",
         "A parameter is no longer deprecated.", "deprecated: true → false"),
    # request bodies
    Rule("request-body-added", "safe", "request", "request-body",
         "An optional request body was added.", "+ requestBody (optional)"),
    Rule("request-required-body-added", "breaking", "request", "request-body",
         "A required request body was added.", "+ requestBody (required)"),
    Rule("request-body-removed", "dangerous", "request", "request-body",
         "The request body was removed: clients still send one.", "- requestBody"),
    Rule("request-body-became-required", "breaking", "request", "request-body",
         "The request body became required.", "required: false → true"),
    Rule("request-body-became-optional", "safe", "request", "request-body",
         "The request body became optional.", "required: true → false"),
    Rule("request-media-type-added", "safe", "request", "request-body",
         "The request body accepts another media type.", "+ application/xml"),
    Rule("request-media-type-removed", "breaking", "request", "request-body",
         "A request media type was removed: clients sending it will get 415.",
         "- application/xml"),
    Rule("request-media-type-schema-added", "breaking", "request", "request-body",
         "A request media type without a schema gained one: bodies the server took may now "
         "be rejected.", "application/json: {} → {schema: …}"),
    Rule("request-media-type-schema-removed", "safe", "request", "request-body",
         "A request media type lost its schema: the server takes any body.",
         "application/json: {schema: …} → {}"),
    # responses
    Rule("response-success-status-added", "dangerous", "response", "response",
         "A success status was added: clients may not handle it.", "+ 202"),
    Rule("response-non-success-status-added", "safe", "response", "response",
         "An error status was documented.", "+ 409"),
    Rule("response-success-status-removed", "breaking", "response", "response",
         "A success status was removed: clients relying on it break.", "- 201"),
    Rule("response-non-success-status-removed", "dangerous", "response", "response",
         "An error status was removed from the contract.", "- 409"),
    Rule("response-media-type-added", "safe", "response", "response",
         "A response media type was added (clients choose with Accept).", "+ application/xml"),
    Rule("response-media-type-removed", "breaking", "response", "response",
         "A response media type was removed.", "- application/xml"),
    Rule("response-media-type-schema-added", "safe", "response", "response",
         "A response media type without a schema gained one: clients learn its shape.",
         "application/json: {} → {schema: …}"),
    Rule("response-media-type-schema-removed", "dangerous", "response", "response",
         "A response media type lost its schema: clients lose the promise of its shape.",
         "application/json: {schema: …} → {}"),
    Rule("response-media-type-generalized", "breaking", "response", "response",
         "A response media type became less specific: clients parsing the specific type "
         "may receive something else.", "application/problem+json → application/json"),
    Rule("response-media-type-specialized", "safe", "response", "response",
         "A response media type became more specific.",
         "application/json → application/problem+json"),
    Rule("response-header-added", "safe", "response", "response",
         "A response header was added.", "+ X-Request-Id"),
    Rule("response-required-header-removed", "breaking", "response", "response",
         "A required response header was removed.", "- X-RateLimit-Remaining (required)"),
    Rule("response-optional-header-removed", "dangerous", "response", "response",
         "An optional response header was removed.", "- X-Trace"),
    Rule("response-header-became-optional", "breaking", "response", "response",
         "A response header is no longer always sent.", "required: true → false"),
    Rule("response-header-became-required", "safe", "response", "response",
         "A response header is now always sent.", "required: false → true"),
    # security
    Rule("security-added", "dangerous", "request", "security",
         "An operation that needed no credentials now needs some: anonymous clients "
         "will get 401.", "security: [] → [oauth: [read]]"),
    Rule("security-removed", "safe", "request", "security",
         "An operation no longer needs credentials.", "security: [oauth] → []"),
    Rule("security-alternative-added", "safe", "request", "security",
         "Another way to authenticate was added.", "+ apiKey"),
    Rule("security-alternative-removed", "breaking", "request", "security",
         "A way to authenticate was removed: clients using it will get 401.", "- apiKey"),
    Rule("security-scope-added", "dangerous", "request", "security",
         "A scope is now required: tokens without it will get 403.", "scopes: [read] → "
         "[read, write]"),
    Rule("security-scope-removed", "safe", "request", "security",
         "A scope is no longer required.", "scopes: [read, write] → [read]"),
    Rule("security-scheme-changed", "breaking", "request", "security",
         "A security scheme's type, location or parameter name changed.",
         "apiKey in header X-Key → apiKey in query key"),
    # webhooks
    Rule("webhook-added", "safe", "response", "operation", "A webhook was added.",
         "+ webhooks/paymentSucceeded"),
    Rule("webhook-removed", "breaking", "response", "operation",
         "A webhook was removed: subscribers stop receiving its events.",
         "- webhooks/paymentSucceeded"),
    # servers
    Rule("server-added", "safe", "none", "server", "A server URL was added.",
         "+ https://eu.api.example.com"),
    Rule("server-removed", "dangerous", "none", "server",
         "A server URL was removed: clients configured with it stop working.",
         "- https://api.example.com/v1"),
    Rule("base-path-changed", "breaking", "none", "server",
         "No server keeps a base path the old contract had (Swagger 2.0 `basePath`, or "
         "the path of every server URL): every operation's URL moves, so clients get 404.",
         "basePath: /v1 → /v2"),
    # versions
    Rule("version-major-bump-missing", "breaking", "none", "version",
         "Breaking changes were made without a major bump of info.version "
         "(with --check-version).", "1.4.0 → 1.5.0 with a removed operation"),
    Rule("version-major-bump-unneeded", "safe", "none", "version",
         "info.version had a major bump but no change is breaking (with --check-version).",
         "1.4.0 → 2.0.0 with only additions"),
)

GRAPHQL_RULES: tuple[Rule, ...] = (
    Rule("graphql-type-added", "safe", "none", "graphql", "A type was added.", "+ type Refund"),
    Rule("graphql-type-removed", "breaking", "none", "graphql", "A type was removed.",
         "- type Refund"),
    Rule("graphql-type-kind-changed", "breaking", "none", "graphql",
         "A type changed kind.", "type Money → input Money"),
    Rule("graphql-field-added", "safe", "response", "graphql", "A field was added.",
         "Payment.note: String"),
    Rule("graphql-field-removed", "breaking", "response", "graphql", "A field was removed.",
         "- Payment.note"),
    Rule("graphql-field-type-changed", "breaking", "response", "graphql",
         "A field's type changed in a way clients cannot read.", "Payment.amount: Int → String"),
    Rule("graphql-field-type-narrowed", "safe", "response", "graphql",
         "A field's type became stricter (e.g. non-null): still what clients expect.",
         "Payment.note: String → String!"),
    Rule("graphql-field-deprecated", "safe", "response", "graphql", "A field was deprecated.",
         "@deprecated(reason: …)"),
    Rule("graphql-field-reactivated", "safe", "response", "graphql",
         "A field is no longer deprecated.", "- @deprecated"),
    Rule("graphql-argument-added", "dangerous", "request", "graphql",
         "An optional argument was added.", "payments(first: Int)"),
    Rule("graphql-required-argument-added", "breaking", "request", "graphql",
         "A required argument without a default was added.", "payments(tenant: ID!)"),
    Rule("graphql-argument-removed", "breaking", "request", "graphql",
         "An argument was removed: queries passing it fail validation.", "- payments(first)"),
    Rule("graphql-argument-type-changed", "breaking", "request", "graphql",
         "An argument's type changed in a way existing queries cannot satisfy.",
         "first: Int → Int!"),
    Rule("graphql-argument-type-widened", "safe", "request", "graphql",
         "An argument's type became more permissive.", "first: Int! → Int"),
    Rule("graphql-argument-default-changed", "dangerous", "request", "graphql",
         "An argument's default value changed.", "first: Int = 10 → = 20"),
    Rule("graphql-argument-deprecated", "safe", "request", "graphql",
         "An argument was deprecated.", "first: Int @deprecated"),
    Rule("graphql-argument-reactivated", "safe", "request", "graphql",
         "An argument is no longer deprecated.", "- @deprecated"),
    Rule("graphql-input-field-deprecated", "safe", "request", "graphql",
         "An input field was deprecated.", "note: String @deprecated"),
    Rule("graphql-input-field-reactivated", "safe", "request", "graphql",
         "An input field is no longer deprecated.", "- @deprecated"),
    Rule("graphql-input-field-added", "dangerous", "request", "graphql",
         "An optional input field was added.", "input PaymentInput { note: String }"),
    Rule("graphql-required-input-field-added", "breaking", "request", "graphql",
         "A required input field without a default was added.",
         "input PaymentInput { tenant: ID! }"),
    Rule("graphql-input-field-removed", "breaking", "request", "graphql",
         "An input field was removed.", "- PaymentInput.note"),
    Rule("graphql-input-field-type-changed", "breaking", "request", "graphql",
         "An input field's type changed in a way existing inputs cannot satisfy.",
         "note: String → Int"),
    Rule("graphql-input-field-type-widened", "safe", "request", "graphql",
         "An input field's type became more permissive.", "note: String! → String"),
    Rule("graphql-input-field-default-changed", "dangerous", "request", "graphql",
         "An input field's default value changed.", "limit: Int = 10 → = 20"),
    Rule("graphql-enum-value-added", "dangerous", "response", "graphql",
         "An enum value was added: clients switching over the enum may not handle it.",
         "enum Status { …, REFUNDED }"),
    Rule("graphql-enum-value-removed", "breaking", "both", "graphql",
         "An enum value was removed.", "- Status.REFUNDED"),
    Rule("graphql-enum-value-deprecated", "safe", "none", "graphql",
         "An enum value was deprecated.", "REFUNDED @deprecated"),
    Rule("graphql-union-member-added", "dangerous", "response", "graphql",
         "A type was added to a union: clients may not handle it.", "union R = A | B | C"),
    Rule("graphql-union-member-removed", "breaking", "response", "graphql",
         "A type was removed from a union.", "union R = A | B → A"),
    Rule("graphql-interface-added", "dangerous", "response", "graphql",
         "An object type implements another interface.", "type Card implements Node & Method"),
    Rule("graphql-interface-removed", "breaking", "response", "graphql",
         "An object or interface type no longer implements an interface.",
         "type Card implements Node → type Card"),
    Rule("graphql-directive-added", "safe", "none", "graphql", "A directive was added.",
         "+ directive @cost"),
    Rule("graphql-directive-removed", "breaking", "none", "graphql",
         "A directive was removed.", "- directive @cost"),
    Rule("graphql-directive-argument-removed", "breaking", "none", "graphql",
         "A directive argument was removed.", "@cost(weight) → @cost"),
    Rule("graphql-directive-required-argument-added", "breaking", "none", "graphql",
         "A required directive argument was added.", "@cost → @cost(weight: Int!)"),
    Rule("graphql-directive-argument-added", "safe", "none", "graphql",
         "An optional directive argument was added.", "@cost → @cost(weight: Int)"),
    Rule("graphql-directive-location-removed", "breaking", "none", "graphql",
         "A directive can no longer be used at a location.", "on FIELD | QUERY → on FIELD"),
    Rule("graphql-directive-location-added", "safe", "none", "graphql",
         "A directive can be used at another location.", "on FIELD → on FIELD | QUERY"),
    Rule("graphql-directive-repeatable-removed", "breaking", "none", "graphql",
         "A directive is no longer repeatable.", "repeatable → (not repeatable)"),
)

RULES: tuple[Rule, ...] = (*_OTHER_RULES, *_schema_rules(), *GRAPHQL_RULES)
RULES_BY_ID: Mapping[str, Rule] = {rule.id: rule for rule in RULES}


def rule(rule_id: str) -> Rule:
    """The rule with this id (a ``KeyError`` is a bug in the differ, not bad input)."""
    return RULES_BY_ID[rule_id]
