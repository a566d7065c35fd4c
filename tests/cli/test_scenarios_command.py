"""``contractkit scenarios`` and ``contractkit mock --scenario``: bad scenario files give
one located line per error, all of them in one run, and exit 2; the built-ins are listed,
shown and valid."""

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
                     "server-errors", "timeouts", "webhook-chaos", "webhook-duplicates",
                     "webhook-forged", "webhook-out-of-order"]
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


PAYMENTS = str(ROOT / "contracts" / "payments.yaml")

MANY_ERRORS = """\
name: x
rules:
  - match: {operation: createPaymnt}
    status: 503
  - match: {any: true}
    latncy: 2s
    delya: 1s
  - match: {operation: [listPayments, getPaymnt]}
    latency: 5 sec
  - match: {any: true}
  - match: {any: true}
    window: {from: 0s, to: 10 sec}
    status: 500
"""


def test_every_error_in_a_file_is_reported_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "many.yaml").write_text(MANY_ERRORS)
    result = run("scenarios", "validate", "many.yaml", "--contract", PAYMENTS, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "many.yaml:3:24  /rules/0/match/operation  unknown operation id 'createPaymnt'; "
        "did you mean 'createPayment' or 'capturePayment'?",
        "many.yaml:6:13  /rules/1/latncy  unknown fault or rule key 'latncy'; "
        "did you mean 'latency'?",
        "many.yaml:7:12  /rules/1/delya  unknown fault or rule key 'delya'; expected one of "
        "name, description, match, probability, after, times, every, window, sequence, pass, "
        "latency, ttfb, hang, slow_body, status, rate_limit, fault, malformed, mutate, stream, "
        "token_expired, insufficient_scope, graphql_error",
        # the schema refused this rule's latency; its operation ids are checked all the same
        "many.yaml:8:39  /rules/2/match/operation/1  unknown operation id 'getPaymnt'; "
        "did you mean 'getPayment' or 'createPayment'?",
        "many.yaml:9:14  /rules/2/latency  '5 sec' is not a duration; write e.g. 250ms, 2s, "
        "1.5s, 5m or 1h",
        "many.yaml:10:5  /rules/3  the rule does nothing: give it a fault (latency, ttfb, "
        "hang, slow_body, status, rate_limit, fault, malformed, mutate, stream, token_expired, "
        "insufficient_scope, graphql_error), a 'sequence' or 'pass: true'",
        "many.yaml:12:28  /rules/4/window/to  '10 sec' is not a duration; write e.g. 250ms, "
        "2s, 1.5s, 5m or 1h",
    ]


def test_semantic_errors_are_all_reported_too(tmp_path: Path) -> None:
    """A file the schema accepts may still name unknown operations or bad fault values:
    each of them is a line."""
    (tmp_path / "ops.yaml").write_text(
        "name: x\nrules:\n"
        "  - match: {operation: [createPaymnt, getPaymnt]}\n    status: 503\n"
        "  - match: {operation: listPaymnts}\n    sequence: [{status: 500}, pass]\n"
        "  - match: {any: true}\n    latency: {distribution: uniform, min: 2s, max: 1s}\n")
    (tmp_path / "fine.yaml").write_text(
        "name: fine\nrules:\n  - match: {operation: listPayments}\n    status: 503\n")
    result = run("scenarios", "validate", "ops.yaml", "fine.yaml", "--contract", PAYMENTS,
                 cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == "fine.yaml: ok, scenario 'fine' with 1 rule(s)\n"
    assert [line.split("  ")[:2] for line in result.stderr.splitlines()] == [
        ["ops.yaml:3:25", "/rules/0/match/operation/0"],
        ["ops.yaml:3:39", "/rules/0/match/operation/1"],
        ["ops.yaml:5:24", "/rules/1/match/operation"],
        ["ops.yaml:8:14", "/rules/2/latency"],
    ]
    assert "a uniform latency needs min ≤ max" in result.stderr.splitlines()[-1]


@pytest.mark.parametrize("text", ["", "  \n\n", "null\n", "# nothing yet\n", "\ufeff"])
def test_an_empty_scenario_file_says_what_a_scenario_file_holds(tmp_path: Path,
                                                              text: str) -> None:
    (tmp_path / "empty.yaml").write_text(text, "utf-8")
    result = run("scenarios", "validate", "empty.yaml", cwd=tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("empty.yaml  empty scenario file; expected a mapping with 'name' "
                           "and 'rules', e.g. {name: flaky, rules: [")
    assert "OpenAPI" not in line


def test_a_scenario_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    (tmp_path / "list.yaml").write_text("- match: {any: true}\n  status: 503\n")
    result = run("scenarios", "validate", "list.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "list.yaml:1:1  expected a mapping with 'name' and 'rules' at the top of the file, "
        "not a list"]


def test_mock_names_the_first_error_of_a_bad_scenario(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("")
    result = run("mock", PAYMENTS, "--port", "0", "--scenario", "s.yaml", cwd=tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("contractkit mock: s.yaml  empty scenario file; ")
