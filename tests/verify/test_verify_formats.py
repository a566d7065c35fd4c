"""``contractkit verify --format``: every diff format, exit 0 / 1 / 2, colour only when
asked (or on a terminal without NO_COLOR). Run as a subprocess against the widgets
provider."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from tests.conftest import ROOT
from tests.verify.provider import provider
from tests.verify.test_verify_command import _common, read_all, run

FORMATS = ("text", "json", "markdown", "junit", "github", "sarif")


@pytest.fixture(scope="module")
def outputs() -> dict[tuple[str, bool], tuple[int, str, str]]:
    """Each format's (exit code, stdout, stderr) for a conforming and a deviating run."""
    found = {}
    for deviating in (False, True):
        with provider(*(("wrong-type",) if deviating else ())) as url:
            for fmt in FORMATS:
                result = run(*_common(url), "--include", "getPrice", "--format", fmt)
                found[fmt, deviating] = (result.returncode, result.stdout, result.stderr)
    return found


@pytest.mark.parametrize("fmt", FORMATS)
def test_exit_codes_in_every_format(outputs: dict[tuple[str, bool], tuple[int, str, str]],
                                    fmt: str) -> None:
    assert outputs[fmt, False][0] == 0, outputs[fmt, False]
    assert outputs[fmt, True][0] == 1, outputs[fmt, True]
    assert outputs[fmt, True][2] == ""
    assert "\x1b[" not in outputs[fmt, True][1]  # not a terminal: no colour


def test_markdown(outputs: dict[tuple[str, bool], tuple[int, str, str]]) -> None:
    passed, failed = outputs["markdown", False][1], outputs["markdown", True][1]
    assert passed.startswith("# Provider verification: passed\n")
    assert "No findings." in passed
    assert failed.startswith("# Provider verification: failed\n")
    assert "## `GET /widgets/{id}/price`" in failed
    assert "- **ST108** Response violates schema [200]" in failed
    assert "```sh\ncontractkit verify " in failed


def test_junit(outputs: dict[tuple[str, bool], tuple[int, str, str]]) -> None:
    suite = ET.fromstring(outputs["junit", True][1]).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("1", "1")
    (case,) = suite.findall("testcase")
    assert case.get("name") == "GET /widgets/{id}/price"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "ST108"
    assert "is not of type" in (failure.text or "")
    clean = ET.fromstring(outputs["junit", False][1]).find("testsuite")
    assert clean is not None
    assert clean.get("failures") == "0"


def test_github(outputs: dict[tuple[str, bool], tuple[int, str, str]]) -> None:
    lines = outputs["github", True][1].splitlines()
    assert lines[0].startswith("::error file=tests/verify/widgets.yaml,title=ST108 Response "
                               "violates schema (GET /widgets/{id}/price)::")
    assert "%0Areproduce: curl" in lines[0]
    assert lines[-1].endswith("1 finding in 1 operation (10 requests, seed 3)")
    assert outputs["github", False][1].splitlines()[0].endswith("0 findings in 1 operation "
                                                                "(10 requests, seed 3)")


def test_sarif(outputs: dict[tuple[str, bool], tuple[int, str, str]]) -> None:
    data = json.loads(outputs["sarif", True][1])
    assert data["version"] == "2.1.0"
    (run_,) = data["runs"]
    assert [rule["id"] for rule in run_["tool"]["driver"]["rules"]] == ["ST108"]
    (result,) = run_["results"]
    assert result["level"] == "error"
    location = result["locations"][0]
    assert location["physicalLocation"]["artifactLocation"] == {
        "uri": "tests/verify/widgets.yaml", "uriBaseId": "%SRCROOT%"}
    assert location["logicalLocations"] == [{"fullyQualifiedName": "GET /widgets/{id}/price"}]
    assert json.loads(outputs["sarif", False][1])["runs"][0]["results"] == []


def test_colour_when_asked_only() -> None:
    with provider("wrong-type") as url:
        always = run(*_common(url), "--include", "getPrice", "--color", "always")
        never = run(*_common(url), "--include", "getPrice", "--color", "never")
    assert always.returncode == never.returncode == 1
    assert "  \x1b[1;31mST108\x1b[0m  Response violates schema [200]" in always.stdout
    assert "\x1b[" not in never.stdout


def test_an_unknown_format_is_a_usage_error() -> None:
    result = run("tests/verify/widgets.yaml", "--base-url", "http://127.0.0.1:9",
                 "--format", "xml")
    assert result.returncode == 2
    assert "Invalid value for '--format'" in result.stderr


def _on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """stdout of ``contractkit verify ARGS`` written to a real terminal (a pty)."""
    primary, secondary = pty.openpty()
    try:
        subprocess.run([sys.executable, "-m", "contractkit", "verify", *args], cwd=ROOT,
                       stdout=secondary, stderr=subprocess.DEVNULL, env=env, timeout=120,
                       check=False)
        os.close(secondary)
        seen = read_all(primary)
    finally:
        os.close(primary)
    return seen.decode()


def test_auto_colours_a_terminal_unless_no_color_is_set() -> None:
    plain_env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    with provider("wrong-type") as url:
        args = (*_common(url), "--include", "getPrice", "--progress", "never")
        coloured = _on_a_terminal(*args, env=plain_env)
        uncoloured = _on_a_terminal(*args, env={**plain_env, "NO_COLOR": "1"})
    assert "\x1b[1;31mST108\x1b[0m" in coloured
    assert "ST108" in uncoloured
    assert "\x1b[" not in uncoloured


@pytest.mark.parametrize("budget", [1_000_000, 65_536, 5_000])
def test_markdown_fits_its_budget_and_says_what_it_left_out(budget: int) -> None:
    from contractkit.reporting.verify import markdown
    from contractkit.verify.model import Finding, Skipped, VerifyOptions, VerifyReport

    findings = tuple(
        Finding(check="response_schema_conformance", code="ST108",
                operation=f"GET /widgets/{n // 10}", title="Response violates schema",
                message="é" + "x" * 590, status=200, consumer=f"tests/t.py::test_{n}",
                curl=f"curl -X GET http://127.0.0.1:1/widgets/{n}")
        for n in range(4_000))
    report = VerifyReport(contract="w.yaml", title="Widgets", version="1",
                          options=VerifyOptions(base_url="http://127.0.0.1:1"),
                          findings=findings, operations=("GET /widgets/{id}",), requests=9,
                          skipped=(Skipped("GET /later", "no value fits"),))
    output = markdown.render(report, budget)
    assert len(output.encode()) <= budget
    shown = output.count("- **ST108**")
    assert 0 < shown < len(findings)
    assert f"{len(findings) - shown:,} more finding(s) not shown: the markdown is capped at " \
           f"{budget:,} bytes" in output
    assert "## Skipped" in output
    assert output.rstrip().endswith("```")  # the command to run again is kept
    whole = markdown.render(report, 10**9)
    assert whole.count("- **ST108**") == len(findings)
    assert "not shown" not in whole
