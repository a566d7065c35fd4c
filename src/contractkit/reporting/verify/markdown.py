"""Markdown for a CI step summary or a pull-request comment: the summary line, then one
section per operation with a bullet per finding (what came, the consumer test, the curl
line in a code span)."""

from __future__ import annotations

from itertools import groupby

from contractkit.reporting.verify.text import rerun, summary
from contractkit.verify.model import Finding, VerifyReport

#: characters of a finding's message kept (schemathesis' messages quote whole schemas)
_MESSAGE_CHARS = 600


def render(report: VerifyReport) -> str:
    lines = [f"# Provider verification: {'passed' if report.ok else 'failed'}", "",
             summary(report), ""]
    if report.ok:
        lines.append("No findings.")
    for operation, findings in groupby(report.findings, key=lambda f: f.operation):
        lines += [f"## `{operation}`", ""]
        lines.extend(_bullet(finding) for finding in findings)
        lines.append("")
    if report.skipped:
        lines += ["## Skipped", ""]
        lines.extend(f"- `{_code(s.operation)}`: {_escape(s.reason)}" for s in report.skipped)
        lines.append("")
    if report.stopped:
        lines += [f"Stopped early: {report.stopped}", ""]
    if report.findings:
        lines += ["Run again:", "", "```sh", rerun(report), "```"]
    return "\n".join(lines).rstrip() + "\n"


def _bullet(finding: Finding) -> str:
    status = f" [{finding.status}]" if finding.status is not None else ""
    times = f" ({finding.occurrences} requests)" if finding.occurrences > 1 else ""
    message = " ".join(finding.message.split())
    if len(message) > _MESSAGE_CHARS:
        message = message[:_MESSAGE_CHARS] + "…"
    parts = [f"- **{finding.code}** {_escape(finding.title)}{status}{times}: "
             f"{_escape(message)}"]
    if finding.consumer:
        parts.append(f"  - consumer test: `{_code(finding.consumer)}`")
    if finding.curl:
        parts.append(f"  - reproduce: `{_code(finding.curl.splitlines()[0])}`")
    return "\n".join(parts)


def _escape(text: str) -> str:
    for char in "\\`*_[]<>|#":
        text = text.replace(char, "\\" + char)
    return text


def _code(text: str) -> str:
    return text.replace("`", "'")
