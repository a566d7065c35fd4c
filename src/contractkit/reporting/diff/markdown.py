"""Markdown for a changelog or a CI step summary: one section per level, most severe
first, one bullet per change; safe changes folded away.

The output fits ``markdown_budget`` bytes (GitHub keeps 1 MiB of a step summary and
drops the whole summary when it is larger): when it would not, bullets are left out from
the least severe level up, and the section says how many.
"""

from __future__ import annotations

from itertools import groupby

from contractkit.diff.model import Change, DiffReport
from contractkit.diff.rules import LEVELS, Level
from contractkit.reporting.diff.view import (
    TITLES,
    RenderOptions,
    hidden_note,
    message,
    reaches_line,
)

_FOLDED: tuple[Level, ...] = ("safe",)


def render(report: DiffReport, options: RenderOptions) -> str:
    versions = ""
    if report.old_version or report.new_version:
        versions = f" ({report.old_version or '?'} → {report.new_version or '?'})"
    counts = report.counts()
    tally = ", ".join(f"**{counts[level]} {level}**" if level == "breaking" and counts[level]
                      else f"{counts[level]} {level}" for level in LEVELS)
    head = [f"# API changes{versions}", "", f"`{report.old}` → `{report.new}`: {tally}", ""]
    if not report.changes:
        head.append("No changes.")
    sections = {level: [_bullet(change) for change in group]
                for level, group in groupby(options.shown(report), key=lambda c: c.level)}
    tail: list[str] = []
    if report.ignored:
        tail += ["## Ignored", ""]
        tail += [f"- {_escape(i.change.message)} (`{i.change.rule_id}`): {_escape(i.reason)}"
                 for i in report.ignored]
        tail.append("")
    note = hidden_note(options, report)
    tail += [f"> {_escape(text)}" for text in (*report.notes, *([note] if note else []))]
    kept = _fit(sections, options.markdown_budget - _size(head) - _size(tail))
    body: list[str] = []
    for level, bullets in sections.items():
        shown = kept[level]
        title = f"## {TITLES[level]} ({len(bullets)})"
        body += [title, ""]
        if level in _FOLDED:
            body += [f"<details><summary>{len(bullets)} {level} "
                     f"change{'s' if len(bullets) > 1 else ''}</summary>", ""]
        body += bullets[:shown]
        if shown < len(bullets):
            body.append(f"- … and {len(bullets) - shown} more, left out to fit "
                        f"{options.markdown_budget:,} bytes (`--format text` lists them)")
        if level in _FOLDED:
            body += ["", "</details>"]
        body.append("")
    return "\n".join(head + body + tail).rstrip()


def _bullet(change: Change) -> str:
    where = f"**`{change.operation}`**: " if change.operation else ""
    reaches = reaches_line(change)
    return (f"- {where}{_escape(message(change))} (`{change.rule_id}`)"
            + (f"; {_escape(reaches)}" if reaches else ""))


#: bytes a section's "… and N more" line and its framing may take
_RESERVE = 200


def _fit(sections: dict[Level, list[str]], budget: int) -> dict[Level, int]:
    """How many bullets of each section fit ``budget`` bytes, cutting the least severe
    level first."""
    kept = {level: len(bullets) for level, bullets in sections.items()}
    over = sum(_size(bullets) + _RESERVE for bullets in sections.values()) - budget
    for level in reversed(list(sections)):
        bullets = sections[level]
        while over > 0 and kept[level]:
            kept[level] -= 1
            over -= len(bullets[kept[level]].encode()) + 1
    return kept


def _size(lines: list[str]) -> int:
    return sum(len(line.encode()) + 1 for line in lines)


def _escape(text: str) -> str:
    # keep inline code spans; escape only what would start markup mid-line
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
