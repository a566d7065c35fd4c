"""GitHub Actions workflow commands: one annotation per change, on the file and line.

``::error file=api.yaml,line=42,title=…::message`` — breaking changes are errors,
dangerous ones warnings, safe ones notices. Values are escaped as the runner expects
(``%``, CR, LF everywhere; also ``:`` and ``,`` in properties).
"""

from __future__ import annotations

from contractkit.diff.model import DiffReport, FailOn
from contractkit.reporting.diff.text import summary

_COMMANDS = {"breaking": "error", "dangerous": "warning", "safe": "notice"}


def render(report: DiffReport, fail_on: FailOn = "breaking") -> str:
    del fail_on
    lines = []
    for change in report.changes:
        properties = []
        if change.source_line is not None:
            properties.append(f"file={_property(change.source_line.file)}")
            if change.source_line.line is not None:
                properties.append(f"line={change.source_line.line}")
            if change.source_line.column is not None:
                properties.append(f"col={change.source_line.column}")
        properties.append(f"title={_property(f'{change.rule_id} ({change.location})')}")
        lines.append(f"::{_COMMANDS[change.level]} {','.join(properties)}::"
                     f"{_data(change.message)}")
    lines.extend(f"::warning::{_data(note)}" for note in report.notes)
    lines.append(summary(report))
    return "\n".join(lines)


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
