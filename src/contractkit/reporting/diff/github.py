"""GitHub Actions workflow commands: annotations on the file and line of each change.

``::error file=api.yaml,line=42,title=…::message`` — breaking changes are errors,
dangerous ones warnings, safe ones notices. Values are escaped as the runner expects
(``%``, CR, LF everywhere; also ``:`` and ``,`` in properties). Files are named by their
path in the repository, where GitHub places annotations.

GitHub shows 10 annotations of each kind per step (and 50 per job) and drops the rest
silently. So at most 10 of each kind are written; when there are more, the tenth says how
many were left out, and every change is listed in the step's log, in a collapsed group.
"""

from __future__ import annotations

from pathlib import Path

from contractkit.diff.model import Change, DiffReport
from contractkit.diff.rules import LEVELS
from contractkit.reporting.diff import text
from contractkit.reporting.diff.view import (
    RenderOptions,
    artifact,
    message,
    reaches_line,
    repository_root,
)

_COMMANDS = {"breaking": "error", "dangerous": "warning", "safe": "notice"}
#: annotations of one kind that GitHub shows per step
PER_STEP = 10


def render(report: DiffReport, options: RenderOptions) -> str:
    base = repository_root()
    shown = options.shown(report)
    lines: list[str] = []
    left_out = False
    notes = list(report.notes)[:PER_STEP]
    for level in LEVELS:
        command = _COMMANDS[level]
        changes = [change for change in shown if change.level == level]
        budget = PER_STEP - (len(notes) if command == "warning" else 0)
        # past the limit, the last slot says how many were left out
        annotated = changes if len(changes) <= budget else changes[:max(budget - 1, 0)]
        lines.extend(_annotation(change, command, base) for change in annotated)
        rest = len(changes) - len(annotated)
        if rest:
            left_out = True
            lines.append(f"::{command} title={escape_property('contractkit diff')}::"
                         + escape_message(
                             f"{rest} more {level} change{'s' if rest > 1 else ''} not "
                             f"annotated (GitHub shows {PER_STEP} {command} annotations "
                             f"per step): the step's log lists every change"))
    lines.extend(f"::warning::{escape_message(note)}" for note in notes)
    if left_out:
        lines.append(f"::group::contractkit diff: every change ({len(shown)})")
        lines.append(text.render(report, RenderOptions(level=options.level)))
        lines.append("::endgroup::")
    lines.append(text.summary(report))
    return "\n".join(lines)


def _annotation(change: Change, command: str, base: Path | None) -> str:
    properties = []
    line = change.source_line
    if line is not None:
        place = artifact(line.file, base)
        properties.append(f"file={escape_property(place.path or line.file)}")
        if line.line is not None:
            properties.append(f"line={line.line}")
        if line.column is not None:
            properties.append(f"col={line.column}")
    properties.append(f"title={escape_property(f'{change.rule_id} ({change.location})')}")
    reaches = reaches_line(change)
    text = f"{message(change)}\n{reaches}" if reaches else message(change)
    return f"::{command} {','.join(properties)}::{escape_message(text)}"


def escape_message(value: str) -> str:
    """A workflow command's message, escaped as the runner expects."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A workflow command's property value (also `:` and `,` escaped)."""
    return escape_message(value).replace(":", "%3A").replace(",", "%2C")
