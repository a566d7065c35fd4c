"""Markdown for a changelog: one section per level, one bullet per change."""

from __future__ import annotations

from contractkit.diff.model import DiffReport, FailOn

_TITLES = {"breaking": "Breaking changes", "dangerous": "Changes that may affect clients",
           "safe": "Other changes"}


def render(report: DiffReport, fail_on: FailOn = "breaking") -> str:
    del fail_on
    versions = ""
    if report.old_version or report.new_version:
        versions = f" ({report.old_version or '?'} → {report.new_version or '?'})"
    lines = [f"# API changes{versions}", "", f"`{report.old}` → `{report.new}`", ""]
    if not report.changes:
        lines.append("No changes.")
    for level, title in _TITLES.items():
        changes = [c for c in report.changes if c.level == level]
        if not changes:
            continue
        lines += [f"## {title}", ""]
        for change in sorted(changes, key=lambda c: (c.operation, c.location)):
            where = f"**`{change.operation}`**: " if change.operation else ""
            lines.append(f"- {where}{_escape(change.message)} (`{change.rule_id}`)")
        lines.append("")
    if report.ignored:
        lines += ["## Ignored", ""]
        lines += [f"- {_escape(i.change.message)} (`{i.change.rule_id}`): {_escape(i.reason)}"
                  for i in report.ignored]
        lines.append("")
    return "\n".join(lines).rstrip()


def _escape(text: str) -> str:
    # keep inline code spans; escape only what would start markup mid-line
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
