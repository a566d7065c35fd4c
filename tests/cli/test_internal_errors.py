"""A failure inside contractkit exits 2 with one line (a traceback only with ``--debug``),
and output survives a console whose encoding lacks characters contractkit prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from contractkit.cli import cli

DATA = Path(__file__).parent / "diff_data"
ISSUES = "https://github.com/contractkit/contractkit/issues"

#: The real ``contractkit`` entry point, after replacing the function behind ``diff`` with
#: one that fails the way a bug in the engine would.
INJECTED = """
import sys
import contractkit.cli

def broken(*args, **kwargs):
    raise KeyError("no such\\nthing")

sys.modules["contractkit.cli.diff"].diff_contracts = broken
sys.argv[0] = "contractkit"
contractkit.cli.main()
"""


def run_injected(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", INJECTED, *args], cwd=DATA,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, **env})


def test_an_internal_error_is_exit_2_and_one_line_without_traceback() -> None:
    result = run_injected("diff", "v1.yaml", "v2.yaml")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "contractkit diff: internal error: KeyError: 'no such\\nthing'. This is a bug in "
        f"contractkit: please report it at {ISSUES} with the command you ran; --debug "
        "prints the traceback"]


@pytest.mark.parametrize(("args", "env"), [
    (("--debug", "diff", "v1.yaml", "v2.yaml"), {}),
    (("diff", "v1.yaml", "v2.yaml"), {"CONTRACTKIT_DEBUG": "1"}),
])
def test_debug_adds_the_traceback(args: tuple[str, ...], env: dict[str, str]) -> None:
    result = run_injected(*args, **env)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert ', in broken\n' in result.stderr
    assert lines[-1].startswith("contractkit diff: internal error: KeyError: ")
    assert "--debug" not in lines[-1]


def test_debug_off_in_the_environment_means_off() -> None:
    result = run_injected("diff", "v1.yaml", "v2.yaml", CONTRACTKIT_DEBUG="0")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("command", "module", "name"), [
    (["validate", "v1.yaml"], "contractkit.cli.validate", "validate_files"),
    # --log-format off: no logging handler left on the runner's stream
    (["mock", "v1.yaml", "--port", "0", "--log-format", "off"], "contractkit.cli.mock",
     "load"),
    (["scenarios", "show", "flaky"], "contractkit.cli.scenarios", "builtin_text"),
    (["scenarios", "list"], "contractkit.cli.scenarios", "builtin_names"),
])
def test_every_command_turns_a_crash_into_exit_2(
        monkeypatch: pytest.MonkeyPatch, command: list[str], module: str, name: str) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(sys.modules[module], name, broken)
    monkeypatch.chdir(DATA)
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    [line] = result.stderr.splitlines()
    assert line.startswith(f"contractkit {command[0]}: internal error: ZeroDivisionError: "
                           "division by zero. This is a bug in contractkit")


def test_usage_errors_stay_click_usage_errors() -> None:
    result = CliRunner().invoke(cli, ["no-such-command"])
    assert result.exit_code == 2
    assert "No such command 'no-such-command'" in result.stderr
    assert "internal error" not in result.stderr


def run_cp1252(*args: str, cwd: Path = DATA) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "contractkit", *args], cwd=cwd,
                          capture_output=True, timeout=120, check=False,
                          env={**os.environ, "PYTHONIOENCODING": "cp1252"})


def test_diff_on_a_cp1252_console_prints_ascii_arrows() -> None:
    result = run_cp1252("diff", "v1.yaml", "v2.yaml")
    assert result.stderr == b""
    assert result.returncode == 1  # the findings, not a crash
    expected = (DATA / "expected.text").read_text("utf-8").replace("→", "->")
    assert result.stdout.decode("cp1252") == expected


def test_machine_formats_stay_valid_on_a_cp1252_console(tmp_path: Path) -> None:
    """A character cp1252 lacks is written as a JSON escape, which JSON reads back."""
    text = (DATA / "v1.yaml").read_text("utf-8")
    (tmp_path / "old.yaml").write_text(text, "utf-8")
    (tmp_path / "new.yaml").write_text(
        text.replace("enum: [pending, paid]", "enum: [pending, paid, 精算済, ☃]"),
        "utf-8")
    json_out = run_cp1252("diff", "old.yaml", "new.yaml", "--format", "json", "--fail-on",
                          "dangerous", cwd=tmp_path)
    assert json_out.returncode == 1, json_out.stderr
    messages = [change["message"] for change in json.loads(json_out.stdout)["changes"]]
    for value in ("精算済", "☃"):
        assert any(f"({value})" in message for message in messages), messages
    for output_format in ("sarif", "junit"):
        result = run_cp1252("diff", "old.yaml", "new.yaml", "--fail-on", "dangerous",
                            "--format", output_format,
                            cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        if output_format == "sarif":
            json.loads(result.stdout)
        else:
            ET.fromstring(result.stdout)
    text_out = run_cp1252("diff", "old.yaml", "new.yaml", "--fail-on", "dangerous",
                          cwd=tmp_path)
    assert text_out.returncode == 1
    assert "old.yaml -> new.yaml" in text_out.stdout.decode("cp1252")
    assert "\\u7cbe\\u7b97\\u6e08" in text_out.stdout.decode("cp1252")
