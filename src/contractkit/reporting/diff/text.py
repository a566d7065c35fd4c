"""Plain text for a terminal or a CI log: a summary, then the changes per operation."""

from __future__ import annotations

from itertools import groupby

from contractkit.diff.model import Change, DiffReport, FailOn


def summary(report: DiffReport) -> str:
    counts = report.counts()
    parts = [f"{counts[level]} {level}" for level in ("breaking", "dangerous", "safe")]
    ignored = f", {len(report.ignored)} ignored" if report.ignored else ""
    return f"{report.old} → {report.new}: {', '.join(parts)}{ignored}"


def render(report: DiffReport, fail_on: FailOn = "breaking") -> str:
    del fail_on  # the text shows every change; the exit code says whether it failed
    lines = [summary(report)]
    ordered = sorted(report.changes, key=lambda c: (c.operation, c.location))
    for operation, changes in groupby(ordered, key=lambda c: c.operation):
        lines.append("")
        lines.append(operation or "(whole contract)")
        lines.extend(_change(change) for change in changes)
    if report.ignored:
        lines.append("")
        lines.append("ignored:")
        lines.extend(f"  {i.change.rule_id}  {i.change.location}  ({i.reason}; {i.entry})"
                     for i in report.ignored)
    if report.notes:
        lines.append("")
        lines.extend(f"note: {note}" for note in report.notes)
    return "\n".join(lines)


def _change(change: Change) -> str:
    where = change.location
    if change.operation and where.startswith(change.operation):
        where = where[len(change.operation):].removeprefix(" → ").removeprefix(".")
    line = f"  {change.level:<9}  {change.rule_id}"
    if where:
        line += f"  {where}"
    text = f"{line}\n      {change.message}"
    if change.source_line is not None:
        text += f"\n      at {change.source_line}"
    return text
