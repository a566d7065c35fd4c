"""The rule catalogue as text (``--list-rules``), JSON, or the Markdown reference page."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict

from contractkit.diff.rules import RULES, SCHEMA_CHANGES, Rule, schema_level

_AREAS = {
    "operation": "Endpoints and operations",
    "lifecycle": "Lifecycle: deprecation, sunset, stability",
    "parameter": "Parameters",
    "request-body": "Request bodies",
    "response": "Responses",
    "schema": "Schemas",
    "security": "Security",
    "server": "Servers",
    "version": "Versions (--check-version)",
    "graphql": "GraphQL",
}


def render_text(rules: Iterable[Rule] = RULES) -> str:
    rules = list(rules)
    width = max(len(rule.id) for rule in rules)
    return "\n".join(f"{rule.id:<{width}}  {rule.level:<9}  {rule.description}"
                     for rule in rules)


def render_json(rules: Iterable[Rule] = RULES) -> str:
    return json.dumps([asdict(rule) for rule in rules], indent=2, ensure_ascii=False)


def render_markdown(rules: Iterable[Rule] = RULES) -> str:
    rules = list(rules)
    lines = [
        "# Rules of contractkit diff",
        "",
        "<!-- Generated from contractkit/diff/rules.py by scripts/generate_diff_rules.py;",
        "     tests/diff/test_rules_catalogue.py fails when this page is out of date. -->",
        "",
        f"`contractkit diff` knows {len(rules)} rules. Levels: **breaking** (existing clients "
        "break), **dangerous** (they may, depending on how they are written) and **safe**. "
        "`contractkit diff --list-rules` prints every rule id with its level.",
        "",
        "Schema rules are named `SIDE-SUBJECT-CHANGE`: the side is `request` or `response`; "
        "the subject is `body`, `parameter` or `header` for the root of a schema and "
        "`property` for anything inside it. A request schema is read by the server, so "
        "narrowing it breaks clients; a response schema is read by clients, so widening it "
        "does.",
        "",
        "A response enum value or `oneOf`/`anyOf` branch added is dangerous: a client that "
        "tolerates what it does not know is unaffected (as in the GraphQL rules, "
        "graphql-inspector and oasdiff). For clients that treat responses as closed, "
        "`--closed-responses` (Python: `diff(..., closed_responses=True)`) makes them "
        "breaking.",
        "",
        "A change written in a component (`#/components/…`, `#/definitions/…` in Swagger "
        "2.0, or another file) is reported once per rule and site — the component and the "
        "pointer inside it, such as `#/components/schemas/Payment/properties/status` — "
        "with the operations that reach it (`reaches`: operation, request or response, "
        "status, and the path from that operation's body, parameter or header). Its level "
        "is the most severe of theirs. A change in an operation's own inline schema is "
        "reported at that operation. Inside a reference cycle (`Customer` → `Source` → "
        "`Customer`), whose paths never end, each operation reaches a change once, at "
        "the shortest path to it. See [what a finding is](../explanation/diff-findings.md).",
        "",
        "In an operation whose old version is marked `x-stability-level: draft` or `alpha`, "
        "changes that would be breaking are reported as dangerous: such operations promise "
        "no compatibility.",
        "",
        "[oasdiff checks and contractkit rules](oasdiff-mapping.md) maps each of oasdiff's "
        "checks to the rule that reports the same change here, with both levels and why "
        "they differ.",
        "",
    ]
    for area, title in _AREAS.items():
        members = [rule for rule in rules if rule.area == area]
        if not members:
            continue
        if area == "schema":
            lines += _schema_matrix(title)
            continue
        lines += [f"## {title}", "", "| rule | level | side | description | example |",
                  "|---|---|---|---|---|"]
        lines += [f"| `{r.id}` | {r.level} | {r.direction} | {_cell(r.description)} | "
                  f"{_cell(r.example)} |" for r in members]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _schema_matrix(title: str) -> list[str]:
    """Schema rules as one row per kind of change: the ids follow a pattern, and the
    level depends only on the side of the exchange."""
    lines = [f"## {title}", "",
             "Each row stands for up to eight rules: `request-body-KIND`, "
             "`request-parameter-KIND`, `request-property-KIND`, `response-body-KIND`, "
             "`response-header-KIND`, `response-property-KIND`, and `webhook-body-KIND` and "
             "`webhook-property-KIND` for webhook payloads, which subscribers read as clients "
             "read responses (rows marked *property* only exist for properties).", "",
             "| KIND | request | response | the schema… | example |", "|---|---|---|---|---|"]
    for change in SCHEMA_CHANGES:
        kind = f"`{change.name}`" + (" (*property*)" if change.property_only else "")
        lines.append(f"| {kind} | {schema_level(change, 'request')} | "
                     f"{schema_level(change, 'response')} | {_cell(change.phrase)} | "
                     f"{_cell(change.example)} |")
    lines.append("")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;")
