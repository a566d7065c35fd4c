"""``contractkit diff``: output per format (snapshots), exit codes, and bad input."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result
from tests.conftest import CORPUS

from contractkit._version import __version__
from contractkit.cli import cli
from contractkit.diff.rules import RULES
from contractkit.reporting.diff.json_report import schema

DATA = Path(__file__).parent / "diff_data"
FORMATS = ("text", "json", "markdown", "junit", "github", "sarif")
#: CONTRACTKIT_UPDATE_SNAPSHOTS=1 rewrites the expected files from the current output
UPDATE = os.environ.get("CONTRACTKIT_UPDATE_SNAPSHOTS") == "1"


def run(*args: str, cwd: Path = DATA) -> Result:
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, ["diff", *args])
    finally:
        os.chdir(previous)


def in_repository(tmp_path: Path) -> Path:
    """The two contracts in ``api/`` of a (marked) repository: where CI runs ``diff``."""
    repository = tmp_path / "repo"
    (repository / ".git").mkdir(parents=True)
    shutil.copytree(DATA, repository / "api")
    return repository / "api"


@pytest.mark.parametrize("output_format", FORMATS)
def test_each_format_matches_its_snapshot(output_format: str, tmp_path: Path) -> None:
    folder = in_repository(tmp_path)
    result = run("v1.yaml", "v2.yaml", "--format", output_format, cwd=folder)
    assert result.exit_code == 1, result.output  # breaking changes, --fail-on breaking
    output = result.stdout.replace(__version__, "VERSION").replace(
        folder.parent.resolve().as_uri(), "file:///REPOSITORY")
    snapshot = DATA / f"expected.{output_format}"
    if UPDATE:
        snapshot.write_text(output)
    assert output == snapshot.read_text()


def test_json_output_validates_against_the_shipped_schema() -> None:
    data = json.loads(run("v1.yaml", "v2.yaml", "--format", "json").stdout)
    jsonschema.validate(data, schema())
    assert data["summary"] == {"breaking": 1, "dangerous": 1, "safe": 1}
    assert data["failed"] is True
    # Payment.status gained a value: one change, reached from both operations
    [added] = [c for c in data["changes"] if c["rule_id"] == "response-property-enum-value-added"]
    assert added["site"] == added["location"] == "#/components/schemas/Payment/properties/status"
    assert [(r["operation_id"], r["direction"], r["status"]) for r in added["reaches"]] == [
        ("getPayment", "response", "200"), ("createPayment", "response", "201")]


ANNOTATION = re.compile(
    r"^::(error|warning|notice)"          # command
    r"(?: (?:file|line|endLine|col|endColumn|title)=[^,:\n]*"  # first property
    r"(?:,(?:file|line|endLine|col|endColumn|title)=[^,:\n]*)*)?"
    r"::[^\n]*$")


def test_github_annotations_are_workflow_commands_with_file_and_line(tmp_path: Path) -> None:
    lines = run("v1.yaml", "v2.yaml", "--format", "github",
                cwd=in_repository(tmp_path)).stdout.splitlines()
    *annotations, summary = lines
    assert summary.startswith("v1.yaml → v2.yaml: 1 breaking, 1 dangerous")
    assert len(annotations) == 3  # one per change site
    for line in annotations:
        assert ANNOTATION.match(line), line
        assert ",line=" in line
        assert "file=api/v2.yaml" in line  # by its path in the repository
    assert sum(line.startswith("::error ") for line in annotations) == 1
    assert sum(line.startswith("::warning ") for line in annotations) == 1


def test_junit_output_has_the_shape_ci_systems_read() -> None:
    root = ET.fromstring(run("v1.yaml", "v2.yaml", "--format", "junit").stdout)
    assert root.tag == "testsuites"
    [suite] = root
    assert suite.tag == "testsuite"
    assert set(suite.attrib) == {"name", "tests", "failures", "errors", "skipped", "time"}
    cases = suite.findall("testcase")
    assert int(suite.get("tests", "")) == len(cases) == 3  # one per change site
    failures = [case for case in cases if case.find("failure") is not None]
    assert int(suite.get("failures", "")) == len(failures) == 1
    for case in cases:
        assert case.get("classname")
        assert case.get("name")
        assert set(case.attrib) == {"classname", "name", "time"}  # all junit-10.xsd allows
        assert {child.tag for child in case} <= {"failure", "skipped", "system-out"}
        for failure in case.findall("failure"):
            assert failure.get("message")
            assert failure.get("type") == "breaking"
    never = ET.fromstring(run("v1.yaml", "v2.yaml", "--format", "junit", "--fail-on",
                              "never").stdout)
    assert never[0].get("failures") == "0"


def test_sarif_output_has_the_required_structure() -> None:
    data = json.loads(run("v1.yaml", "v2.yaml", "--format", "sarif").stdout)
    assert data["version"] == "2.1.0"
    [sarif_run] = data["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    for result in sarif_run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1


@pytest.mark.parametrize(("args", "code"), [
    (("v1.yaml", "v1.yaml"), 0),
    (("v1.yaml", "v2.yaml"), 1),
    (("v1.yaml", "v2.yaml", "--fail-on", "never"), 0),
    # backwards: a response enum value removed is safe, a query parameter removed dangerous
    (("v2.yaml", "v1.yaml"), 0),
    (("v2.yaml", "v1.yaml", "--fail-on", "dangerous"), 1),
    (("v1.yaml", "v2.yaml", "--fail-on", "safe"), 1),
])
def test_exit_codes(args: tuple[str, ...], code: int) -> None:
    assert run(*args).exit_code == code


def test_fail_on_dangerous_passes_when_only_safe_changes(tmp_path: Path) -> None:
    text = (DATA / "v1.yaml").read_text()
    (tmp_path / "old.yaml").write_text(text)
    (tmp_path / "new.yaml").write_text(text.replace("currency: {type: string}",
                                                    "currency: {type: string}\n"
                                                    "        note: {type: string}"))
    result = run("old.yaml", "new.yaml", "--fail-on", "dangerous", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "request-property-optional-property-added" in result.stdout
    assert run("old.yaml", "new.yaml", "--fail-on", "safe", cwd=tmp_path).exit_code == 1


def test_list_rules() -> None:
    result = run("--list-rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(RULES)
    assert any(line.startswith("request-property-became-required ") for line in lines)
    data = json.loads(run("--list-rules", "--format", "json").stdout)
    assert {rule["id"] for rule in data} == {rule.id for rule in RULES}
    assert run("--list-rules", "--format", "sarif").exit_code == 2


def _bad(result: Result, *expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    for text in expected:
        assert text in line, line
    assert isinstance(result.exception, SystemExit)  # no traceback


def test_missing_file_exits_2() -> None:
    _bad(run("v1.yaml", "missing.yaml"), "missing.yaml", "no such file")


def test_invalid_contract_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("openapi: 3.1.0\ninfo: [oops\n")
    _bad(run(str(DATA / "v1.yaml"), "broken.yaml", cwd=tmp_path), "broken.yaml:3:1",
         "invalid YAML")


def test_unknown_format_exits_2() -> None:
    result = run("v1.yaml", "v2.yaml", "--format", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr


def test_missing_new_contract_is_a_usage_error() -> None:
    result = run("v1.yaml")
    assert result.exit_code == 2
    assert "give OLD and NEW" in result.stderr


def test_comparing_openapi_with_graphql_exits_2(tmp_path: Path) -> None:
    (tmp_path / "s.graphql").write_text("type Query { a: Int }\n")
    _bad(run(str(DATA / "v1.yaml"), "s.graphql", cwd=tmp_path), "both sides must be")


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "contractkit", "diff", "a.yaml", "b.yaml"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 2
    assert result.stderr == "contractkit diff: a.yaml  no such file\n"


def test_broken_ignore_file_exits_2_naming_its_line(tmp_path: Path) -> None:
    (tmp_path / "ignore.yaml").write_text("ignore:\n  - rule: x\n")
    _bad(run(str(DATA / "v1.yaml"), str(DATA / "v2.yaml"), "--ignore", "ignore.yaml",
             cwd=tmp_path), "ignore.yaml:2: entry has no 'reason'")


def test_ignored_changes_do_not_fail(tmp_path: Path) -> None:
    (tmp_path / "ignore.yaml").write_text(
        "ignore:\n  - rule: response-property-enum-value-added\n"
        "    reason: clients treat status as open\n"
        "  - rule: request-property-became-required\n    location: 'POST /payments → *'\n"
        "    reason: currency was always sent\n")
    result = run(str(DATA / "v1.yaml"), str(DATA / "v2.yaml"), "--ignore", "ignore.yaml",
                 cwd=tmp_path)
    assert result.exit_code == 0, result.output
    # the enum value added is ignored once for its site, with both operations it reaches
    assert "2 ignored" in result.stdout.splitlines()[0]


def test_bad_git_ref_exits_2(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True, timeout=60)
    _bad(run("git:no-such-ref:v1.yaml", str(DATA / "v1.yaml"), cwd=tmp_path),
         "'no-such-ref' is not a commit")


def test_base_compares_each_file_with_its_committed_version(tmp_path: Path) -> None:
    """What the pre-commit hook runs: ``contractkit diff --base HEAD FILE...``."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    shutil.copy(DATA / "v1.yaml", tmp_path / "payments.yaml")
    (tmp_path / "same.yaml").write_text((DATA / "v1.yaml").read_text())
    for command in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "v1"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                        "-c", "commit.gpgsign=false", *command], cwd=tmp_path, check=True,
                       capture_output=True, timeout=60)
    shutil.copy(DATA / "v2.yaml", tmp_path / "payments.yaml")
    shutil.copy(DATA / "v2.yaml", tmp_path / "added.yaml")
    result = run("--base", "HEAD", "payments.yaml", "same.yaml", "added.yaml", cwd=tmp_path)
    assert result.exit_code == 1, result.output
    assert "git:HEAD:payments.yaml → payments.yaml: 1 breaking" in result.stdout
    assert "git:HEAD:same.yaml → same.yaml: 0 breaking, 0 dangerous, 0 safe" in result.stdout
    assert "added.yaml: new at HEAD, nothing to compare" in result.stdout
    assert run("--base", "HEAD", "same.yaml", cwd=tmp_path).exit_code == 0
    assert run("--base", "HEAD", "a.yaml", "b.yaml", "--format", "json",
               cwd=tmp_path).exit_code == 2


def test_the_how_to_shows_real_output() -> None:
    """docs/how-to/diff-in-ci.md shows this run, with the files named as in a repository."""
    page = (Path(__file__).parents[2] / "docs" / "how-to" / "diff-in-ci.md").read_text()
    command = "$ contractkit diff git:origin/main:api/openapi.yaml api/openapi.yaml\n"
    shown = page.split(command, 1)[1].split("```", 1)[0]
    output = run("v1.yaml", "v2.yaml").stdout
    assert shown == output.replace("v1.yaml → v2.yaml", "git:origin/main:api/openapi.yaml → "
                                   "api/openapi.yaml").replace("at v2.yaml", "at api/openapi.yaml")


def test_graphql_changelog_in_markdown(tmp_path: Path) -> None:
    (tmp_path / "old.graphql").write_text("type Query {\n  payment(id: ID!): Int\n"
                                          "  legacy: Int\n}\n")
    (tmp_path / "new.graphql").write_text("type Query {\n  payment(id: ID!): Int\n"
                                          "  refunds: [Int]\n}\n")
    result = run("old.graphql", "new.graphql", "--format", "markdown", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stdout == (
        "# API changes\n\n`old.graphql` → `new.graphql`: **1 breaking**, 0 dangerous, 1 safe"
        "\n\n## Breaking changes (1)\n\n"
        "- **`Query`**: field Query.legacy was removed: queries selecting it fail "
        "(`graphql-field-removed`)\n\n## Other changes (1)\n\n"
        "<details><summary>1 safe change</summary>\n\n"
        "- **`Query`**: field Query.refunds was added (`graphql-field-added`)\n\n</details>\n")


OASDIFF = CORPUS / "diff" / "oasdiff"


def test_junit_of_changes_with_object_values_reads_in_a_junit_parser(tmp_path: Path) -> None:
    """A change whose old/new is a dict (here a contentSchema added) crashed the JUnit
    renderer (unhashable type), which CI read as findings; ignored changes are test
    cases too (skipped), so they count in ``tests``."""
    junitparser = pytest.importorskip("junitparser")
    base, revision = (OASDIFF / "checker" / f"content_schema_{side}.yaml"
                      for side in ("base", "revision"))
    if not base.is_file():
        pytest.skip(f"no corpus at {OASDIFF}")
    ignore = tmp_path / "ignore.yaml"
    ignore.write_text("ignore:\n  - rule: response-property-content-schema-added\n"
                      "    reason: clients ignore it\n")
    result = run(str(base), str(revision), "--format", "junit", "--ignore", str(ignore))
    assert result.exit_code == 1, result.output  # breaking findings, not a crash (2)
    path = tmp_path / "report.xml"
    path.write_text(result.stdout)
    [suite] = list(junitparser.JUnitXml.fromfile(str(path)))
    cases = list(suite)
    outcomes = [type(case.result[0]).__name__ if case.result else "passed"
                for case in cases]
    assert suite.tests == len(cases) == 6
    assert suite.failures == outcomes.count("Failure") == 5
    assert suite.skipped == outcomes.count("Skipped") == 1
    assert suite.errors == 0


def test_default_responses_are_named_as_written_so_ignore_entries_match(
        tmp_path: Path) -> None:
    def contract(status: str) -> str:
        return ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
                "      responses:\n        default:\n          description: error\n"
                "          content:\n            application/json:\n              schema:\n"
                f"                properties: {{code: {{type: string, enum: [{status}]}}}}\n")
    (tmp_path / "old.yaml").write_text(contract("a"))
    (tmp_path / "new.yaml").write_text(contract("b"))
    data = json.loads(run("old.yaml", "new.yaml", "--format", "json", cwd=tmp_path).stdout)
    locations = {change["location"] for change in data["changes"]}
    assert locations == {"GET /a → responses → default → application/json → /code"}
    (tmp_path / "ignore.yaml").write_text(
        "ignore:\n  - rule: '*'\n    location: 'GET /a → responses → default → *'\n"
        "    reason: errors are shown as text\n")
    result = run("old.yaml", "new.yaml", "--ignore", "ignore.yaml", "--format", "json",
                 cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["changes"] == []


def test_closed_responses_makes_response_additions_breaking() -> None:
    data = json.loads(run("v1.yaml", "v2.yaml", "--format", "json",
                          "--closed-responses").stdout)
    assert data["summary"] == {"breaking": 2, "dangerous": 0, "safe": 1}
    added = [c for c in data["changes"] if c["rule_id"] == "response-property-enum-value-added"]
    assert [c["level"] for c in added] == ["breaking"]
    assert [r["level"] for r in added[0]["reaches"]] == ["breaking", "breaking"]


def test_expand_reports_a_component_change_once_per_operation() -> None:
    data = json.loads(run("v1.yaml", "v2.yaml", "--format", "json", "--expand").stdout)
    jsonschema.validate(data, schema())
    assert data["summary"] == {"breaking": 1, "dangerous": 2, "safe": 1}
    added = [c for c in data["changes"] if c["rule_id"] == "response-property-enum-value-added"]
    assert sorted(c["location"] for c in added) == [
        "GET /payments/{paymentId} → responses → 200 → application/json → /status",
        "POST /payments → responses → 201 → application/json → /status"]


_DEPRECATED = """openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    get:
      %s
      responses: {"200": {description: ok}}
"""


@pytest.mark.parametrize(("flags", "code", "rule"), [
    ((), 0, "operation-deprecated-without-sunset"),
    (("--deprecation-days-stable", "0"), 0, "operation-deprecated-without-sunset"),
    (("--deprecation-days-stable", "30"), 1, "operation-sunset-missing"),
    # the operation is stable (no x-stability-level): the beta minimum does not apply
    (("--deprecation-days-beta", "30"), 0, "operation-deprecated-without-sunset"),
])
def test_deprecation_days_make_a_deprecation_without_sunset_breaking(
        tmp_path: Path, flags: tuple[str, ...], code: int, rule: str) -> None:
    (tmp_path / "old.yaml").write_text(_DEPRECATED % "operationId: a")
    (tmp_path / "new.yaml").write_text(_DEPRECATED % "deprecated: true")
    result = run("old.yaml", "new.yaml", "--format", "json", *flags, cwd=tmp_path)
    assert result.exit_code == code, result.output
    assert [c["rule_id"] for c in json.loads(result.stdout)["changes"]] == [rule]


@pytest.mark.parametrize("flag", ["--deprecation-days-beta", "--deprecation-days-stable"])
def test_negative_deprecation_days_exit_2(flag: str) -> None:
    _bad(run("v1.yaml", "v2.yaml", flag, "-1"), flag, "0 or more")
