"""``contractkit validate``: output, formats and exit codes, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "contractkit", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


def test_bundled_contracts_are_all_ok() -> None:
    result = run("validate", "contracts/")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) >= 4
    for line in lines:
        assert ": ok (" in line, line
    assert result.stderr == ""


def test_problems_exit_1_with_one_located_line_each(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("openapi: 3.0.3\ninfo: [oops\n")
    (tmp_path / "dup.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n"
        "  /a: {get: {operationId: x, responses: {'200': {description: ok}}}}\n"
        "  /b: {get: {operationId: x, responses: {'200': {description: ok}}}}\n")
    result = run("validate", "broken.yaml", "dup.yaml", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    # libyaml and pure-Python PyYAML word the problem differently; the place is the same
    assert lines[1].startswith("  broken.yaml:3:1  error: invalid YAML: ")
    assert lines[1].endswith("(while parsing a flow sequence)")
    assert [lines[0], *lines[2:]] == [
        "broken.yaml: 1 error",
        "dup.yaml: 1 error",
        "  dup.yaml:5:27  /paths/~1b/get/operationId  error: duplicate operationId 'x' "
        "(also GET /a); operationIds must be unique",
    ]
    assert "Traceback" not in result.stderr


def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    result = run("validate", "missing.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout.strip().splitlines()[1] == "  missing.yaml  error: no such file"


def test_a_file_refused_by_the_size_cap_exits_2_but_a_missing_ref_is_a_finding(
        tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text('openapi: 3.0.3\ninfo: {title: t, version: "1"}\n'
                                       'paths:\n  /a:\n    $ref: "gone.yaml"\n')
    refused = run("validate", "--max-bytes", "10", "api.yaml", cwd=tmp_path)
    assert refused.returncode == 2, refused.stdout
    assert "over the 10-byte cap; raise it with --max-bytes" in refused.stdout
    dangling = run("validate", "api.yaml", cwd=tmp_path)
    assert dangling.returncode == 1, dangling.stdout
    assert "gone.yaml" in dangling.stdout


def test_no_arguments_is_a_usage_error() -> None:
    result = run("validate")
    assert result.returncode == 2
    assert "Missing argument 'PATHS...'" in result.stderr


def test_empty_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path))
    assert result.returncode == 2
    assert "no contract files found" in result.stderr


def test_json_format_carries_the_same_findings(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema: {type: integer}\n"
        "              example: nope\n")
    result = run("validate", "--format", "json", "api.yaml", cwd=tmp_path)
    assert result.returncode == 0  # an invalid example is a warning
    data = json.loads(result.stdout)
    assert data["ok"] is True
    [file] = data["files"]
    assert file["summary"]["operations"] == 1
    assert file["problems"] == [{
        "severity": "warning", "code": "example-invalid", "file": "api.yaml", "line": 12,
        "column": 24, "pointer": "/paths/~1a/get/responses/200/content/application~1json/example",
        "message": "example 'example' does not match its schema: \"nope\" is not of type "
                   "\"integer\"",
    }]
    strict = run("validate", "--strict", "api.yaml", cwd=tmp_path)
    assert strict.returncode == 1


def test_version_flag() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("contractkit, version ")
