"""The GraphQL differ: graphql-inspector's levels, and nothing that graphql-core's
``find_breaking_changes`` calls breaking goes unreported."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import graphql
import pytest
from click.testing import CliRunner
from tests.conftest import CORPUS

import contractkit
from contractkit.cli import cli
from contractkit.contract.graphql import graphql_schema

#: graphql-core's kinds of breaking change → the rules that report them here
EXPECTED_RULES = {
    "TYPE_REMOVED": {"graphql-type-removed"},
    "TYPE_CHANGED_KIND": {"graphql-type-kind-changed"},
    "TYPE_REMOVED_FROM_UNION": {"graphql-union-member-removed"},
    "VALUE_REMOVED_FROM_ENUM": {"graphql-enum-value-removed"},
    "REQUIRED_INPUT_FIELD_ADDED": {"graphql-required-input-field-added"},
    "IMPLEMENTED_INTERFACE_REMOVED": {"graphql-interface-removed"},
    "FIELD_REMOVED": {"graphql-field-removed", "graphql-input-field-removed"},
    "FIELD_CHANGED_KIND": {"graphql-field-type-changed", "graphql-input-field-type-changed"},
    "REQUIRED_ARG_ADDED": {"graphql-required-argument-added"},
    "ARG_REMOVED": {"graphql-argument-removed"},
    "ARG_CHANGED_KIND": {"graphql-argument-type-changed"},
    "DIRECTIVE_REMOVED": {"graphql-directive-removed"},
    "DIRECTIVE_ARG_REMOVED": {"graphql-directive-argument-removed"},
    "REQUIRED_DIRECTIVE_ARG_ADDED": {"graphql-directive-required-argument-added"},
    "DIRECTIVE_REPEATABLE_REMOVED": {"graphql-directive-repeatable-removed"},
    "DIRECTIVE_LOCATION_REMOVED": {"graphql-directive-location-removed"},
}
WORD = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


def assert_covers_graphql_core(old: contractkit.Contract, new: contractkit.Contract) -> int:
    """Every breaking change graphql-core finds is a breaking change in our report, of a
    matching rule, at a location whose names the description mentions."""
    report = contractkit.diff(old, new)
    ours = [(c.rule_id, set(WORD.findall(c.location))) for c in report.breaking]
    found = graphql.find_breaking_changes(graphql_schema(old), graphql_schema(new))
    for change in found:
        words = set(WORD.findall(change.description))
        rules = EXPECTED_RULES[change.type.name]
        assert any(rule in rules and names <= words for rule, names in ours), \
            f"not reported as breaking: {change.type.name} {change.description}"
    return len(found)


OLD_SDL = """
directive @cost(weight: Int, cap: Int) repeatable on FIELD_DEFINITION | OBJECT
interface Node { id: ID! }
type Payment implements Node { id: ID! amount(currency: String, round: Boolean): Int
  note: String status: Status legacy: String }
type Refund { id: ID! }
union Result = Payment | Refund
enum Status { OPEN PAID VOID }
input PaymentInput { amount: Int! note: String currency: String }
type Query { payment(id: ID!, expand: Boolean): Payment  search(input: PaymentInput): Result }
"""
NEW_SDL = """
directive @cost(weight: Int, limit: Int!) on FIELD_DEFINITION
interface Node { id: ID! }
type Payment { id: ID! amount(currency: String!, round: Boolean, scale: Int!): Int
  note: Int status: Status reason: String }
type Chargeback { id: ID! }
union Result = Payment | Chargeback
enum Status { OPEN PAID REFUNDED }
input PaymentInput { amount: Int note: String tenant: ID! }
type Query { payment(id: ID!): Payment!  search(input: PaymentInput): Result }
"""


def test_every_kind_of_breaking_change_on_a_small_schema(tmp_path: Path) -> None:
    (tmp_path / "old.graphql").write_text(OLD_SDL)
    (tmp_path / "new.graphql").write_text(NEW_SDL)
    old = contractkit.load(tmp_path / "old.graphql")
    new = contractkit.load(tmp_path / "new.graphql")
    assert assert_covers_graphql_core(old, new) >= 12
    levels = {(c.rule_id, c.location): c.level for c in contractkit.diff(old, new).changes}
    assert levels[("graphql-field-type-narrowed", "Query.payment")] == "safe"
    assert levels[("graphql-input-field-type-widened", "PaymentInput.amount")] == "safe"
    assert levels[("graphql-enum-value-added", "Status.REFUNDED")] == "dangerous"
    assert levels[("graphql-required-input-field-added", "PaymentInput.tenant")] == "breaking"
    assert levels[("graphql-required-argument-added", "Payment.amount.scale")] == "breaking"
    assert levels[("graphql-union-member-added", "Result.Chargeback")] == "dangerous"
    assert levels[("graphql-field-added", "Payment.reason")] == "safe"


def test_optional_additions_are_not_breaking(tmp_path: Path) -> None:
    (tmp_path / "old.graphql").write_text("type Query { a(x: Int): Int }\n"
                                          "input I { a: Int }\n")
    (tmp_path / "new.graphql").write_text(
        "type Query { a(x: Int, y: Int, z: Int! = 1): Int b: Int }\n"
        "input I { a: Int b: Int c: Int! = 2 }\n")
    report = contractkit.diff(tmp_path / "old.graphql", tmp_path / "new.graphql")
    assert report.breaking == ()
    assert {c.rule_id for c in report.changes} == {
        "graphql-argument-added", "graphql-input-field-added", "graphql-field-added"}


def test_findings_point_at_the_new_schema_line(tmp_path: Path) -> None:
    (tmp_path / "old.graphql").write_text("type Query {\n  a: Int\n}\n")
    (tmp_path / "new.graphql").write_text("type Query {\n  a: Int\n  b: String\n}\n")
    [change] = contractkit.diff(tmp_path / "old.graphql", tmp_path / "new.graphql").changes
    assert change.source_line is not None
    assert (change.source_line.line, change.source_line.column) == (3, 3)


def test_removals_point_at_the_nearest_surviving_parent_in_the_new_schema(
        tmp_path: Path) -> None:
    (tmp_path / "old.graphql").write_text(
        "type Query {\n  a: Int\n  b(x: Int, y: Int): Int\n}\n\ntype Gone {\n  id: ID\n}\n")
    (tmp_path / "new.graphql").write_text("# v2\ntype Query {\n  b(x: Int): Int\n}\n")
    report = contractkit.diff(tmp_path / "old.graphql", tmp_path / "new.graphql")
    places = {c.rule_id: c.source_line for c in report.changes}
    new = str(tmp_path / "new.graphql")
    removed_field = places["graphql-field-removed"]
    assert removed_field is not None
    assert (removed_field.file, removed_field.line) == (new, 2)  # type Query
    removed_argument = places["graphql-argument-removed"]
    assert removed_argument is not None
    assert (removed_argument.file, removed_argument.line) == (new, 3)  # field b
    removed_type = places["graphql-type-removed"]
    assert removed_type is not None
    assert (removed_type.file, removed_type.line) == (new, 1)


def _github_pairs() -> list[object]:
    files = sorted((CORPUS / "graphql").glob("github-v*.graphql")) if CORPUS.is_dir() else []
    if not files:
        return [pytest.param(None, None, marks=pytest.mark.skip(reason="no GraphQL corpus"))]
    return [pytest.param(a, b, id=f"{a.stem}->{b.stem}")
            for a, b in itertools.permutations(files, 2)]


_LOADED: dict[Path, contractkit.Contract] = {}


@pytest.mark.parametrize(("old", "new"), _github_pairs())
def test_github_schema_versions_cover_graphql_core(old: Path, new: Path) -> None:
    for path in (old, new):
        if path not in _LOADED:
            _LOADED[path] = contractkit.load(path)
    assert_covers_graphql_core(_LOADED[old], _LOADED[new])


def test_deprecations_are_safe_changes(tmp_path: Path) -> None:
    (tmp_path / "old.graphql").write_text("type Query { a(x: Int): Int b: Int }\n"
                                          "input I { c: Int }\nenum E { D F }\n")
    (tmp_path / "new.graphql").write_text(
        'type Query { a(x: Int @deprecated(reason: "use y")): Int b: Int @deprecated }\n'
        "input I { c: Int @deprecated }\nenum E { D @deprecated F }\n")
    report = contractkit.diff(tmp_path / "old.graphql", tmp_path / "new.graphql")
    assert {(c.rule_id, c.location, c.level) for c in report.changes} == {
        ("graphql-argument-deprecated", "Query.a.x", "safe"),
        ("graphql-field-deprecated", "Query.b", "safe"),
        ("graphql-input-field-deprecated", "I.c", "safe"),
        ("graphql-enum-value-deprecated", "E.D", "safe"),
    }


def _sdl_pair(tmp_path: Path, old: str, new: str) -> contractkit.DiffReport:
    (tmp_path / "old.graphql").write_text(old)
    (tmp_path / "new.graphql").write_text(new)
    return contractkit.diff(tmp_path / "old.graphql", tmp_path / "new.graphql")


def test_built_in_scalars_are_never_reported_as_added_or_removed(tmp_path: Path) -> None:
    report = _sdl_pair(tmp_path, "type Query {\n  a: Int\n  b: ID\n}\n",
                       "type Query {\n  a: Float\n  b: String\n}\n")
    assert sorted((c.rule_id, c.location) for c in report.changes) == [
        ("graphql-field-type-changed", "Query.a"), ("graphql-field-type-changed", "Query.b")]


def test_an_invalid_schema_is_compared_as_written_and_the_report_says_what_was_invalid(
        tmp_path: Path) -> None:
    twice = "type Query {\n  a: Int\n  a: String\n}\n"
    report = _sdl_pair(tmp_path, twice, "type Query {\n  a: String\n}\n")
    assert report.changes == ()
    assert len(report.notes) == 1
    assert report.notes[0].startswith(f"{tmp_path / 'old.graphql'}:2:3: invalid GraphQL "
                                      "schema, compared as written (the last definition "
                                      "wins): Field 'Query.a' can only be defined once.")


def test_invalid_schema_notes_reach_every_format(tmp_path: Path) -> None:
    (tmp_path / "old.graphql").write_text("type Query {\n  a: Int\n  a: Int\n}\n")
    (tmp_path / "new.graphql").write_text("type Query {\n  a: Int\n}\n")
    for output in ("text", "json", "markdown", "github"):
        result = CliRunner().invoke(cli, ["diff", "--format", output,
                                           str(tmp_path / "old.graphql"),
                                           str(tmp_path / "new.graphql")])
        assert result.exit_code == 0, result.output
        assert "can only be defined once" in result.output, output
