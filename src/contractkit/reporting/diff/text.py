"""Plain text for a terminal or a CI log: what breaks first, level by level, each level's
changes per operation or component (a change in a component names the first operations
that reach it, and how many), and the summary at both ends (a long log is read from its
end)."""

from __future__ import annotations

from itertools import groupby

from contractkit.diff.model import Change, DiffReport
from contractkit.diff.rules import LEVELS, Level
from contractkit.reporting.diff.view import (
    TITLES,
    RenderOptions,
    hidden_note,
    reaches_line,
    usage_note,
)

#: ANSI styles per level, used only with ``color`` (a terminal, no ``NO_COLOR``)
_STYLES: dict[Level, str] = {"breaking": "1;31", "dangerous": "33", "safe": "2"}
#: below this many lines the summary at the top is in view: no need to repeat it
_REPEAT_SUMMARY_AFTER = 40


def summary(report: DiffReport) -> str:
    counts = report.counts()
    parts = [f"{counts[level]} {level}" for level in LEVELS]
    ignored = f", {len(report.ignored)} ignored" if report.ignored else ""
    used = ""
    if any(change.used_by is not None for change in report.changes):
        hits = sum(1 for change in report.changes if change.used_by)
        used = f"; {hits} hit recorded consumer tests"
    return f"{report.old} → {report.new}: {', '.join(parts)}{ignored}{used}"


def render(report: DiffReport, options: RenderOptions) -> str:
    paint = _Paint(options.color)
    lines = [summary(report)]
    for level, same_level in groupby(options.shown(report), key=lambda change: change.level):
        changes = list(same_level)
        lines += ["", paint(f"{TITLES[level]} ({len(changes)})", level)]
        for operation, group in groupby(changes, key=lambda change: change.operation):
            lines.append(f"  {operation or '(whole contract)'}")
            lines.extend(_change(change, paint) for change in group)
    if report.ignored:
        lines.append("")
        lines.append("ignored:")
        for item in report.ignored:
            lines.append(f"  {item.change.rule_id}  {item.change.location}  ({item.reason}; "
                         f"{item.entry})")
            reaches = reaches_line(item.change)
            if reaches:
                lines.append(f"      {reaches}")
    note = hidden_note(options, report)
    if report.notes or note:
        lines.append("")
        lines.extend(f"note: {text}" for text in report.notes)
        if note:
            lines.append(note)
    if len(lines) > _REPEAT_SUMMARY_AFTER:
        lines += ["", summary(report)]
    return "\n".join(lines)


def _change(change: Change, paint: _Paint) -> str:
    where = change.location
    if change.operation and where.startswith(change.operation):
        where = where[len(change.operation):].removeprefix(" → ").removeprefix(".")
    line = f"    {paint(f'{change.level:<9}', change.level)}  {change.rule_id}"
    if where:
        line += f"  {where}"
    text = f"{line}\n        {change.message}"
    reaches = reaches_line(change)
    if reaches:
        text += f"\n        {reaches}"
    if usage_note(change):
        text += f"\n        {usage_note(change)}"
    if change.source_line is not None:
        text += f"\n        at {change.source_line}"
    return text


class _Paint:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, level: Level) -> str:
        return f"\x1b[{_STYLES[level]}m{text}\x1b[0m" if self.color else text
