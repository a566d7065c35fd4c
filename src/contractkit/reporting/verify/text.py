"""Plain text for a terminal or a CI log: a summary line, then the findings per operation,
each with what was expected, what came, and the curl line that shows it again."""

from __future__ import annotations

import shlex
from itertools import groupby

from contractkit.verify.model import Finding, Severity, VerifyReport

_STYLES: dict[Severity, str] = {"critical": "1;31", "high": "1;31", "medium": "33",
                                "low": "2"}
#: lines of a finding's message shown; schemathesis' messages quote whole schemas
_MESSAGE_LINES = 12


def summary(report: VerifyReport) -> str:
    found = len(report.findings)
    tested = len(report.operations)
    if report.options.interactions:
        return (f"{report.title} {report.version} at {report.options.base_url}: "
                f"{_count(found, 'finding')} in {_count(tested, 'operation')} "
                f"({_count(report.requests, 'recorded request')} replayed from "
                f"{report.options.interactions})")
    return (f"{report.title} {report.version} at {report.options.base_url}: "
            f"{_count(found, 'finding')} in {_count(tested, 'operation')} "
            f"({_count(report.requests, 'request')}, "
            f"seed {report.seed})")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def rerun(report: VerifyReport) -> str:
    """The command that draws the same requests again (or replays the same ones)."""
    if report.options.interactions:
        return (f"contractkit verify {shlex.quote(report.contract)} --base-url "
                f"{shlex.quote(report.options.base_url)} --interactions "
                f"{shlex.quote(report.options.interactions)}")
    return (f"contractkit verify {shlex.quote(report.contract)} --base-url "
            f"{shlex.quote(report.options.base_url)} --seed {report.seed} "
            f"--max-examples {report.options.max_examples}")


def render(report: VerifyReport, *, color: bool = False) -> str:
    lines = [summary(report)]
    for operation, findings in groupby(report.findings, key=lambda f: f.operation):
        lines.append("")
        lines.append(operation)
        lines.extend(_finding(finding, color) for finding in findings)
    if report.skipped:
        lines.append("")
        lines.extend(f"skipped {s.operation}: {s.reason}" for s in report.skipped)
    if report.stopped:
        lines.append("")
        lines.append(f"stopped early: {report.stopped}")
    if report.findings:
        lines.append("")
        lines.append(f"rerun: {rerun(report)}")
    return "\n".join(lines)


def _finding(finding: Finding, color: bool) -> str:
    times = f" ({finding.occurrences} requests)" if finding.occurrences > 1 else ""
    status = f" [{finding.status}]" if finding.status is not None else ""
    code = f"\x1b[{_STYLES[finding.severity]}m{finding.code}\x1b[0m" if color else finding.code
    head = f"  {code}  {finding.title}{status}{times}"
    message = [line for line in finding.message.splitlines() if line.strip()]
    if len(message) > _MESSAGE_LINES:
        message = [*message[:_MESSAGE_LINES], "…"]
    body = [f"      {line}" for line in message]
    if finding.consumer:
        body.append(f"      consumer test: {finding.consumer}")
    if finding.curl:
        body.append(f"      reproduce: {finding.curl.splitlines()[0]}")
    return "\n".join([head, *body])
