"""JSON for tools: versioned (``"format_version"``), described by ``diff-report.schema.json``
shipped beside this module."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from contractkit.diff.model import Change, DiffReport, Reach
from contractkit.reporting.diff.view import RenderOptions

#: 2: a change in a component is one entry for its site, with the operations it reaches
FORMAT_VERSION = 2


def schema() -> dict[str, Any]:
    """The JSON Schema that every ``--format json`` output validates against."""
    text = resources.files(__package__).joinpath("diff-report.schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def data(report: DiffReport, options: RenderOptions | None = None) -> dict[str, Any]:
    options = options or RenderOptions()
    fail_on = options.fail_on
    return {
        "format": "contractkit-diff",
        "format_version": FORMAT_VERSION,
        "old": report.old,
        "new": report.new,
        "kind": report.kind,
        "old_version": report.old_version,
        "new_version": report.new_version,
        "fail_on": fail_on,
        "failed": report.fails(fail_on),
        "summary": report.counts(),
        "level": options.level,
        "not_shown": options.hidden(report),
        "changes": [_change(change) for change in options.shown(report)],
        "ignored": [{**_change(i.change), "reason": i.reason, "ignored_by": str(i.entry)}
                    for i in report.ignored],
        "notes": list(report.notes),
    }


def render(report: DiffReport, options: RenderOptions) -> str:
    return json.dumps(data(report, options), indent=2, ensure_ascii=False, default=str)


def _change(change: Change) -> dict[str, Any]:
    line = change.source_line
    return {
        "rule_id": change.rule_id,
        "level": change.level,
        "operation": change.operation,
        "location": change.location,
        "message": change.message,
        "old": change.old,
        "new": change.new,
        "file": line.file if line else None,
        "line": line.line if line else None,
        "column": line.column if line else None,
        "site": change.site,
        "reaches": [_reach(reach) for reach in change.reaches],
        **({} if change.used_by is None else {"used_by": list(change.used_by)}),
    }


def _reach(reach: Reach) -> dict[str, Any]:
    return {"operation": reach.operation, "operation_id": reach.operation_id,
            "direction": reach.direction, "status": reach.status,
            "location": reach.location, "level": reach.level}
