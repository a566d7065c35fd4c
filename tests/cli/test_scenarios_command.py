"""``contractkit scenarios`` and ``contractkit mock --scenario``: bad scenario files give
one located line and exit 2; the built-ins are listed, shown and valid."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import ROOT


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "contractkit", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


BAD = {
    "unknown-fault.yaml": (
        "name: x\nrules:\n  - match: {any: true}\n    fault: explode\n",
        "unknown-fault.yaml:4:12  /rules/0/fault  unknown fault 'explode'; expected one of "
        "reset, close, garbage, bad_chunk, truncate"),
    "misspelt-fault.yaml": (
        "name: x\nrules:\n  - match: {any: true}\n    latncy: 2s\n",
        "misspelt-fault.yaml:4:13  /rules/0/latncy  unknown fault or rule key 'latncy'; "
        "did you mean 'latency'?"),
    "bad-duration.yaml": (
        "name: x\nrules:\n  - match: {any: true}\n    latency: 5 sec\n",
        "bad-duration.yaml:4:14  /rules/0/latency  '5 sec' is not a duration; write e.g. "
        "250ms, 2s, 1.5s, 5m or 1h"),
    "bad-probability.yaml": (
        "name: x\nrules:\n  - match: {any: true}\n    probability: 1.5\n    status: 503\n",
        "bad-probability.yaml:4:18  /rules/0/probability  1.5 is greater than the maximum "
        "of 1"),
    "unknown-operation.yaml": (
        "name: x\nrules:\n  - match: {operation: createPaymnt}\n    status: 503\n",
        "unknown-operation.yaml:3:24  /rules/0/match/operation  unknown operation id "
        "'createPaymnt'; did you mean 'createPayment' or 'capturePayment'?"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_scenario_file_is_one_located_line_and_exit_2(tmp_path: Path, name: str) -> None:
    text, expected = BAD[name]
    (tmp_path / name).write_text(text)
    contract = str(ROOT / "contracts" / "payments.yaml")
    result = run("scenarios", "validate", name, "--contract", contract, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [expected]


def test_yaml_error_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("name: x\nrules:\n  - match: {any: true\n")
    result = run("scenarios", "validate", "broken.yaml", cwd=tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("broken.yaml:")
    assert "invalid YAML" in line
    assert "Traceback" not in result.stderr


def test_mock_refuses_a_bad_scenario_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(BAD["unknown-operation.yaml"][0])
    contract = str(ROOT / "contracts" / "payments.yaml")
    result = run("mock", contract, "--port", "0", "--scenario", "s.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "contractkit mock: " + BAD["unknown-operation.yaml"][1].replace(
            "unknown-operation.yaml", "s.yaml")]


def test_mock_refuses_an_unknown_scenario_name() -> None:
    result = run("mock", "contracts/payments.yaml", "--port", "0", "--scenario", "flakey")
    assert result.returncode == 2
    assert "unknown scenario 'flakey'; did you mean 'flaky'?" in result.stderr


def test_list_show_and_validate_the_built_ins() -> None:
    listed = run("scenarios", "list")
    assert listed.returncode == 0
    names = [line.split()[0] for line in listed.stdout.splitlines()]
    assert names == ["flaky", "malformed", "outage", "rate-limited", "schema-drift",
                     "server-errors", "timeouts"]
    shown = run("scenarios", "show", "flaky")
    assert shown.stdout == (ROOT / "scenarios" / "flaky.yaml").read_text()
    files = sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))
    checked = run("scenarios", "validate", *files, "--contract", "contracts/payments.yaml")
    assert checked.returncode == 0, checked.stderr
    assert run("scenarios", "show", "flakey").returncode == 2


def test_repo_scenarios_mirror_the_packaged_ones() -> None:
    packaged = ROOT / "src" / "contractkit" / "scenarios" / "builtin"
    assert sorted(p.name for p in packaged.glob("*.yaml")) == sorted(
        p.name for p in (ROOT / "scenarios").glob("*.yaml"))
    for path in packaged.glob("*.yaml"):
        assert path.read_text() == (ROOT / "scenarios" / path.name).read_text(), path.name


def test_schema_is_printed_and_is_json_schema() -> None:
    result = run("scenarios", "schema")
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "rules" in schema["required"]
