"""Render a :class:`~contractkit.contract.checks.ValidationReport` as text or JSON."""

from __future__ import annotations

import json
from typing import Any

from contractkit.contract.checks import FileReport, ValidationReport
from contractkit.contract.model import Problem


def _summary_line(report: FileReport) -> str:
    summary = report.summary
    if summary.get("kind") == "GraphQL":
        return f"GraphQL schema, {summary['operations']} root fields"
    title = f"{summary.get('title') or 'untitled'} {summary.get('version', '')}".strip()
    return (f"{summary['kind']} {summary['spec_version']}, {title}: "
            f"{summary['operations']} operations, {summary['schemas']} schemas")


def render_text(report: ValidationReport) -> str:
    lines: list[str] = []
    for file in report.files:
        if file.ok:
            warnings = len(file.problems)
            suffix = f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
            lines.append(f"{file.file}: ok ({_summary_line(file)}){suffix}")
        else:
            errors = len(file.errors)
            lines.append(f"{file.file}: {errors} error{'s' if errors != 1 else ''}")
        lines.extend(f"  {problem}" for problem in file.problems)
    return "\n".join(lines)


def _problem_data(problem: Problem) -> dict[str, Any]:
    location = problem.location
    return {
        "severity": problem.severity,
        "code": problem.code,
        "file": location.file,
        "line": location.line,
        "column": location.column,
        "pointer": location.pointer,
        "message": problem.message,
    }


def render_json(report: ValidationReport) -> str:
    data = {
        "ok": report.ok,
        "files": [
            {
                "file": file.file,
                "ok": file.ok,
                "summary": file.summary,
                "problems": [_problem_data(p) for p in file.problems],
            }
            for file in report.files
        ],
    }
    return json.dumps(data, indent=2)
