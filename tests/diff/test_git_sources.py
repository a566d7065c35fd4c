"""``git:REF:path`` reads a contract as it is at a commit, refs to sibling files included."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import contractkit

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                    "-c", "commit.gpgsign=false", *args], cwd=repo, check=True,
                   capture_output=True, timeout=60)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    api = tmp_path / "api"
    api.mkdir()
    (api / "openapi.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: 1.0.0}\npaths:\n  /a:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema: {$ref: 'schemas.yaml#/A'}\n")
    (api / "schemas.yaml").write_text("A: {type: object, required: [x], properties: "
                                      "{x: {type: string}}}\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "v1")
    (api / "schemas.yaml").write_text("A: {type: object, properties: {x: {type: string}}}\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_committed_version_against_the_working_tree(repo: Path) -> None:
    report = contractkit.diff("git:HEAD:api/openapi.yaml", "api/openapi.yaml")
    assert report.old == "git:HEAD:api/openapi.yaml"
    [change] = report.changes
    assert change.rule_id == "response-property-became-optional"
    assert change.source_line is not None
    assert change.source_line.file.endswith("schemas.yaml")


def test_paths_are_relative_to_the_current_folder(repo: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "api")
    report = contractkit.diff("git:HEAD:openapi.yaml", "openapi.yaml")
    assert [c.rule_id for c in report.changes] == ["response-property-became-optional"]


@pytest.mark.parametrize(("source", "message"), [
    ("git:nope:api/openapi.yaml", "'nope' is not a commit"),
    ("git:HEAD:api/missing.yaml", "does not exist at HEAD"),
    ("git:HEAD", "expected git:REF:PATH"),
])
def test_bad_git_sources(repo: Path, source: str, message: str) -> None:
    with pytest.raises(contractkit.ConfigError, match=message):
        contractkit.diff(source, "api/openapi.yaml")
