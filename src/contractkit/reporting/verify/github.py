"""GitHub Actions workflow commands: an annotation per finding on the contract file,
within GitHub's limit of 10 annotations of a kind per step (the tenth says how many more;
the step's log then has the whole text report in a collapsed group)."""

from __future__ import annotations

from contractkit.reporting.diff.github import PER_STEP, escape_message, escape_property
from contractkit.reporting.diff.view import artifact, repository_root
from contractkit.reporting.verify import text
from contractkit.verify.model import Finding, Severity, VerifyReport

_COMMANDS: dict[Severity, str] = {"critical": "error", "high": "error", "medium": "warning",
                                  "low": "notice"}


def render(report: VerifyReport) -> str:
    place = artifact(report.contract, repository_root())
    file = place.path or report.contract
    lines: list[str] = []
    left_out = False
    for command in ("error", "warning", "notice"):
        findings = [f for f in report.findings if _COMMANDS[f.severity] == command]
        shown = findings if len(findings) <= PER_STEP else findings[:PER_STEP - 1]
        lines.extend(_annotation(finding, command, file) for finding in shown)
        rest = len(findings) - len(shown)
        if rest:
            left_out = True
            lines.append(f"::{command} title={escape_property('contractkit verify')}::"
                         + escape_message(f"{rest} more finding{'s' if rest > 1 else ''} not "
                                          f"annotated (GitHub shows {PER_STEP} {command} "
                                          "annotations per step): the step's log lists "
                                          "every finding"))
    if left_out:
        lines.append(f"::group::contractkit verify: every finding ({len(report.findings)})")
        lines.append(text.render(report))
        lines.append("::endgroup::")
    lines.append(text.summary(report))
    return "\n".join(lines)


def _annotation(finding: Finding, command: str, file: str) -> str:
    title = f"{finding.code} {finding.title} ({finding.operation})"
    message = finding.message.strip()
    if finding.consumer:
        message += f"\nconsumer test: {finding.consumer}"
    if finding.curl:
        message += f"\nreproduce: {finding.curl.splitlines()[0]}"
    return (f"::{command} file={escape_property(file)},title={escape_property(title)}::"
            + escape_message(message))
