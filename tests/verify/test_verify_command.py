"""``contractkit verify``: output, formats and exit codes, run as a real subprocess against
the widgets provider."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys

from tests.conftest import CONTRACTS, ROOT
from tests.verify.provider import CONTRACT, TOKEN, provider


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "contractkit", "verify", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def read_all(terminal: int) -> bytes:
    """Everything written to a pty until its other end is closed."""
    seen = b""
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the terminal's other end is closed: all read
            return seen
        if not chunk:
            return seen
        seen += chunk


def _common(url: str) -> list[str]:
    return [str(CONTRACT), "--base-url", url, "-H", f"Authorization: {TOKEN}", "--seed", "3",
            "--max-examples", "5"]


def test_a_conforming_provider_exits_0() -> None:
    with provider() as url:
        result = run(*_common(url), "--check", "all")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"Widgets (verify test provider) 1.0.0 at {url}: "
                                    "0 findings in 9 operations (")
    assert result.stdout.rstrip().endswith("seed 3)")
    assert result.stderr == ""


def test_findings_exit_1_with_curl_lines_and_the_rerun_command() -> None:
    with provider("wrong-type") as url:
        result = run(*_common(url), "--include", "getPrice")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith("1 finding in 1 operation (10 requests, seed 3)")
    assert lines[2] == "GET /widgets/{id}/price"
    assert lines[3].startswith("  ST108  Response violates schema [200] (")
    assert re.fullmatch(r'      "\d+00" is not of type "integer"', lines[4]), lines[4]
    assert any(line.startswith("      reproduce: curl -X GET -H 'Authorization: [Filtered]' "
                               f"{url}/widgets/") for line in lines)
    assert lines[-1] == (f"rerun: contractkit verify {CONTRACT} --base-url {url} --seed 3 "
                         "--max-examples 5")
    assert TOKEN.split()[1] not in result.stdout


def test_json_format_names_headers_but_not_their_values() -> None:
    with provider("missing-field") as url:
        result = run(*_common(url), "--include", "GET /widgets", "--format", "json")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["format_version"] == 1
    assert data["ok"] is False
    assert data["options"]["headers"] == ["Authorization"]
    assert [f["code"] for f in data["findings"]] == ["ST108"]
    assert "size" in data["findings"][0]["message"]
    assert TOKEN.split()[1] not in result.stdout


def test_usage_errors_exit_2_with_one_line() -> None:
    with provider() as url:
        bad_header = run(str(CONTRACT), "--base-url", url, "-H", "no colon")
        unknown = run(str(CONTRACT), "--base-url", url, "--include", "getWidgets")
        bad_url = run(str(CONTRACT), "--base-url", "127.0.0.1:9000")
        graphql = run(str(CONTRACTS / "payments.graphql"), "--base-url", url)
    assert bad_header.returncode == 2
    assert "'no colon' is not NAME: VALUE" in bad_header.stderr
    assert unknown.returncode == 2
    assert unknown.stderr == ("contractkit verify: no operation 'getWidgets' in the contract "
                              "(name one as 'METHOD /path' or by its operationId); did you "
                              "mean 'getWidget' or 'listWidgets' or 'deleteWidget'?\n")
    assert bad_url.returncode == 2
    assert bad_url.stderr == ("contractkit verify: --base-url '127.0.0.1:9000' is not an "
                              "http:// or https:// URL\n")
    assert graphql.returncode == 2
    assert graphql.stderr.endswith("payments.graphql: verify checks OpenAPI contracts; this "
                                   "one is graphql\n")
    for result in (bad_header, unknown, bad_url, graphql):
        assert "Traceback" not in result.stderr
        assert result.stdout == ""


def test_progress_is_one_rewritten_line_on_a_terminal_and_lines_on_request() -> None:
    with provider() as url:
        primary, secondary = pty.openpty()  # stderr is a real terminal
        try:
            process = subprocess.run(
                [sys.executable, "-m", "contractkit", "verify", *_common(url)], cwd=ROOT,
                stdout=subprocess.PIPE, stderr=secondary, timeout=120, check=False)
            os.close(secondary)
            seen = read_all(primary)
        finally:
            os.close(primary)
        lines = run(*_common(url), "--progress", "always")
        quiet = run(*_common(url))
    assert process.returncode == 0, seen
    shown = seen.decode()
    assert "\r\x1b[Kverify: 1/9 operations  " in shown
    assert "\r\x1b[Kverify: 9/9 operations  " in shown
    assert shown.endswith("\r\x1b[K")  # cleared before the report
    assert process.stdout.decode().startswith("Widgets (verify test provider)")
    # not a terminal: nothing, unless asked; asked, one plain line per operation
    assert quiet.stderr == ""
    assert [line.split("  ")[0] for line in lines.stderr.splitlines()] == [
        f"verify: {n}/9 operations" for n in range(1, 10)]
