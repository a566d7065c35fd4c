"""Markdown for a CI step summary or a pull-request comment: the summary line, then one
section per operation with a bullet per finding (what came, the consumer test, the curl
line in a code span).

The output fits ``budget`` bytes (GitHub keeps 1 MiB of a step summary and 65,536
characters of a comment, as for the diff's markdown): findings are written in the
report's order until the next would not fit, and a last line says how many were left
out. The summary, the skipped operations and the command to run again always fit."""

from __future__ import annotations

from itertools import groupby

from contractkit.reporting.diff.view import MARKDOWN_BUDGET
from contractkit.reporting.verify.text import rerun, summary
from contractkit.verify.model import Finding, VerifyReport

#: characters of a finding's message kept (schemathesis' messages quote whole schemas)
_MESSAGE_CHARS = 600
#: bytes kept for the line saying what was left out
_RESERVE = 200


def render(report: VerifyReport, budget: int = MARKDOWN_BUDGET) -> str:
    head = [f"# Provider verification: {'passed' if report.ok else 'failed'}", "",
            summary(report), ""]
    if report.ok:
        head.append("No findings.")
    tail: list[str] = []
    if report.skipped:
        tail += ["## Skipped", ""]
        tail.extend(f"- `{_code(s.operation)}`: {_escape(s.reason)}" for s in report.skipped)
        tail.append("")
    if report.stopped:
        tail += [f"Stopped early: {report.stopped}", ""]
    if report.findings:
        tail += ["Run again:", "", "```sh", rerun(report), "```"]
    room = budget - _size(head) - _size(tail) - _RESERVE
    body: list[str] = []
    shown = 0
    full = False
    for operation, findings in groupby(report.findings, key=lambda f: f.operation):
        section = [f"## `{operation}`", ""]
        size = _size(section) + 1  # and the blank line after it
        for finding in findings:
            bullet = _bullet(finding)
            size += _size([bullet])
            if size > room:
                full = True
                break
            section.append(bullet)
            shown += 1
        if len(section) > 2:
            section.append("")
            body += section
            room -= _size(section)
        if full:
            break
    left = len(report.findings) - shown
    if left:
        body += [f"{left:,} more finding(s) not shown: the markdown is capped at "
                 f"{budget:,} bytes (`--format text` or `--format json` lists them all)", ""]
    return "\n".join([*head, *body, *tail]).rstrip() + "\n"


def _size(lines: list[str]) -> int:
    return sum(len(line.encode("utf-8")) + 1 for line in lines)


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
