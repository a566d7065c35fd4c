"""The rule catalogue: stable, unique kebab-case ids, and a docs page that is current."""

from __future__ import annotations

import re

from tests.conftest import ROOT

from contractkit.diff.rules import LEVELS, RULES, RULES_BY_ID, SCHEMA_CHANGES
from contractkit.reporting.diff.rules import render_markdown

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def test_ids_are_unique_kebab_case_with_a_level_and_description() -> None:
    assert len(RULES_BY_ID) == len(RULES)
    for rule in RULES:
        assert KEBAB.match(rule.id), rule.id
        assert rule.level in LEVELS
        assert rule.description.endswith("."), rule.id


def test_schema_rules_exist_for_each_side_and_subject() -> None:
    for change in SCHEMA_CHANGES:
        assert f"request-property-{change.name}" in RULES_BY_ID
        assert f"response-property-{change.name}" in RULES_BY_ID
        if not change.property_only:
            for subject in ("request-body", "request-parameter", "response-body",
                            "response-header"):
                assert f"{subject}-{change.name}" in RULES_BY_ID


def test_the_docs_page_is_generated_from_the_catalogue() -> None:
    page = ROOT / "docs" / "reference" / "diff-rules.md"
    assert page.read_text() == render_markdown(), (
        "docs/reference/diff-rules.md is out of date: run "
        ".venv/bin/python scripts/generate_diff_rules.py")
