"""``contractkit diff`` output that stays usable at scale and in each CI sink: what breaks
first, a level filter, GitHub's annotation limits, the step-summary size, and locations
on the new file by repository path (SARIF validated by the SARIF 2.1.0 schema)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner, Result
from tests.conftest import CORPUS

from contractkit.cli import cli
from contractkit.reporting.diff.json_report import schema

DATA = Path(__file__).parent / "diff_data"
SARIF_SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
ANNOTATION = re.compile(r"^::(error|warning|notice)( [a-zA-Z]+=[^,:\n]*(,[a-zA-Z]+=[^,:\n]*)*)?"
                        r"::[^\n]*$")


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Result:
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, ["diff", *args], env=env)
    finally:
        os.chdir(previous)


def contract(paths: dict[str, dict[str, object]]) -> dict[str, object]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}


def operation(required: list[str] | None = None, status: str = "200") -> dict[str, object]:
    body = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}
    if required:
        body["required"] = required
    return {"requestBody": {"content": {"application/json": {"schema": body}}},
            "responses": {status: {"description": "ok"}}}


@pytest.fixture
def many(tmp_path: Path) -> Path:
    """A repository whose api/ holds a pair with 15 breaking and 12 safe changes."""
    (tmp_path / ".git").mkdir()
    api = tmp_path / "api"
    api.mkdir()
    old = {f"/r{n}": {"post": operation()} for n in range(15)}
    new = {f"/r{n}": {"post": operation(required=["a"])} for n in range(15)}
    new.update({f"/new{n}": {"get": {"responses": {"200": {"description": "ok"}}}}
                for n in range(12)})
    (api / "old.yaml").write_text(yaml.safe_dump(contract(old)))
    (api / "new.yaml").write_text(yaml.safe_dump(contract(new)))
    return api


def test_text_leads_with_what_breaks_and_ends_with_the_summary(many: Path) -> None:
    lines = run("old.yaml", "new.yaml", cwd=many).stdout.splitlines()
    summary = "old.yaml → new.yaml: 15 breaking, 0 dangerous, 12 safe"
    assert lines[0] == summary
    assert lines[-1] == summary  # a long log is read from its end
    assert lines[2] == "Breaking changes (15)"
    assert lines.index("Other changes (12)") > max(
        number for number, line in enumerate(lines) if "breaking  " in line)


def test_level_filters_every_format_and_says_what_it_left_out(many: Path) -> None:
    text = run("old.yaml", "new.yaml", "--level", "breaking", cwd=many).stdout
    assert "Other changes" not in text
    assert "endpoint-added" not in text
    assert "not shown: 12 safe (--level safe shows them)" in text
    data = json.loads(run("old.yaml", "new.yaml", "--level", "breaking", "--format", "json",
                          cwd=many).stdout)
    jsonschema.validate(data, schema())
    assert {change["level"] for change in data["changes"]} == {"breaking"}
    assert data["summary"] == {"breaking": 15, "dangerous": 0, "safe": 12}
    assert data["not_shown"] == {"safe": 12}
    github = run("old.yaml", "new.yaml", "--level", "breaking", "--format", "github",
                 cwd=many).stdout
    assert "::notice" not in github


def test_colour_only_when_asked_or_on_a_terminal_without_no_color(many: Path) -> None:
    assert "\x1b[" in run("old.yaml", "new.yaml", "--color", "always", cwd=many).stdout
    assert "\x1b[" not in run("old.yaml", "new.yaml", cwd=many).stdout  # not a terminal
    assert "\x1b[" not in run("old.yaml", "new.yaml", "--format", "github", "--color",
                              "always", cwd=many).stdout


def test_github_writes_at_most_ten_annotations_of_a_kind_and_says_what_it_left_out(
        many: Path) -> None:
    result = run("old.yaml", "new.yaml", "--format", "github", cwd=many)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    errors = [line for line in lines if line.startswith("::error")]
    notices = [line for line in lines if line.startswith("::notice")]
    assert len(errors) == 10
    assert len(notices) == 10
    assert errors[-1].endswith("6 more breaking changes not annotated (GitHub shows 10 error "
                               "annotations per step): the step's log lists every change")
    assert notices[-1].startswith("::notice title=contractkit diff::3 more safe changes")
    for line in errors[:-1] + notices[:-1]:
        assert ANNOTATION.match(line), line
        assert "file=api/new.yaml,line=" in line
    start, end = lines.index("::group::contractkit diff: every change (27)"), \
        lines.index("::endgroup::")
    listing = "\n".join(lines[start:end])
    assert listing.count("request-property-became-required") == 15
    assert lines[-1] == "old.yaml → new.yaml: 15 breaking, 0 dangerous, 12 safe"


def test_markdown_fits_its_budget_cutting_safe_changes_first(many: Path) -> None:
    full = run("old.yaml", "new.yaml", "--format", "markdown", cwd=many).stdout
    limited = run("old.yaml", "new.yaml", "--format", "markdown", "--markdown-limit", "2700",
                  cwd=many).stdout
    assert len(full.encode()) > 2700
    assert len(limited.encode()) <= 2700
    assert limited.count("`request-property-became-required`") == 15  # breaking all kept
    kept = limited.count("`endpoint-added`")
    assert kept < 12
    assert f"- … and {12 - kept} more, left out to fit 2,700 bytes" in limited


def test_markdown_of_github_v22_to_v23_fits_a_step_summary() -> None:
    large = CORPUS / "large"
    if not large.is_dir():
        pytest.skip(f"{large} is not here")
    result = run(str(large / "github-rest-v22.0.0.json"), str(large / "github-rest-v23.0.2.json"),
                 "--format", "markdown", "--markdown-limit", "65536", cwd=large)
    assert len(result.stdout.encode()) <= 65536
    assert result.stdout.count("## ") == 3
    assert "more, left out to fit 65,536 bytes" in result.stdout


def git(repository: Path, *command: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                    "-c", "commit.gpgsign=false", *command], cwd=repository, check=True,
                   capture_output=True, timeout=60)


@pytest.fixture
def removal(tmp_path: Path) -> Path:
    """A repository whose api/api.json lost an operation since HEAD."""
    git(tmp_path, "init", "-q")
    api = tmp_path / "api"
    api.mkdir()
    paths = {"/pets": {"get": operation(), "delete": operation()},
             "/owners": {"get": operation()}}
    (api / "api.json").write_text(json.dumps(contract(paths), indent=2))
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "v1")
    del paths["/pets"]["delete"]
    (api / "api.json").write_text(json.dumps(contract(paths), indent=2))
    return api


def test_a_removal_is_annotated_on_the_new_file_by_its_repository_path(removal: Path) -> None:
    lines = run("git:HEAD:api.json", "api.json", "--format", "github",
                cwd=removal).stdout.splitlines()
    [error] = [line for line in lines if line.startswith("::error")]
    # the operation is gone: its nearest surviving parent, the path item, in the new file
    pets = (removal / "api.json").read_text().splitlines().index('    "/pets": {') + 1
    assert f"file=api/api.json,line={pets}," in error
    assert "git%3A" not in error


def test_sarif_is_valid_and_places_findings_by_repository_relative_uri(removal: Path) -> None:
    data = json.loads(run("git:HEAD:api.json", "api.json", "--format", "sarif",
                          cwd=removal).stdout)
    jsonschema.validate(data, SARIF_SCHEMA)
    [sarif_run] = data["runs"]
    [result] = [r for r in sarif_run["results"] if r["level"] == "error"]
    where = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert where == {"uri": "api/api.json", "uriBaseId": "%SRCROOT%"}
    root = sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root == removal.parent.resolve().as_uri() + "/"


def test_sarif_names_a_file_outside_the_repository_by_an_absolute_file_uri(
        removal: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("elsewhere with space")
    old = subprocess.run(["git", "show", "HEAD:api/api.json"], cwd=removal,
                         capture_output=True, text=True, check=True).stdout
    (outside / "old.json").write_text(old)
    (outside / "new.json").write_text((removal / "api.json").read_text())
    data = json.loads(run(str(outside / "old.json"), str(outside / "new.json"),
                          "--format", "sarif", cwd=removal).stdout)
    jsonschema.validate(data, SARIF_SCHEMA)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in data["runs"][0]["results"]}
    assert uris == {(outside / "new.json").resolve().as_uri()}
    assert "%20" in next(iter(uris))
    assert "originalUriBaseIds" not in data["runs"][0]
