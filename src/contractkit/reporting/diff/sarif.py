"""SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps).

Files are URI references relative to the repository (``uriBaseId`` ``%SRCROOT%``, whose
absolute ``file:`` URI ``originalUriBaseIds`` gives), as code scanning places them on a
pull request; a file outside the repository is an absolute ``file:`` URI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contractkit._version import __version__
from contractkit.diff.model import DiffReport
from contractkit.diff.rules import RULES_BY_ID
from contractkit.reporting.diff.view import (
    RenderOptions,
    artifact,
    merged,
    message,
    reach_text,
    reaches_line,
    repository_root,
)

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"breaking": "error", "dangerous": "warning", "safe": "note"}


def data(report: DiffReport, options: RenderOptions | None = None) -> dict[str, Any]:
    changes = (options or RenderOptions()).shown(report)
    base = repository_root()
    used = sorted({change.rule_id for change in changes})
    index = {rule_id: position for position, rule_id in enumerate(used)}
    rules = [{
        "id": rule_id,
        "shortDescription": {"text": RULES_BY_ID[rule_id].description},
        "defaultConfiguration": {"level": _LEVELS[RULES_BY_ID[rule_id].level]},
        "properties": {"area": RULES_BY_ID[rule_id].area},
    } for rule_id in used]
    results = []
    relative = False
    for change in changes:
        result: dict[str, Any] = {
            "ruleId": change.rule_id,
            "ruleIndex": index[change.rule_id],
            "level": _LEVELS[change.level],
            "message": {"text": message(change)},
            "partialFingerprints": {"contractkitLocation": f"{change.rule_id}|{change.location}"},
        }
        if merged(change):
            # one result per site; the operations it reaches go with it
            result["message"]["text"] += f" ({reaches_line(change)})"
            result["properties"] = {"reaches": [reach_text(reach) for reach in change.reaches]}
        line = change.source_line
        if line is not None:
            place = artifact(line.file, base)
            where: dict[str, Any] = {"uri": place.uri}
            if place.path is not None:
                where["uriBaseId"] = "%SRCROOT%"
                relative = True
            physical: dict[str, Any] = {"artifactLocation": where}
            if line.line is not None:
                physical["region"] = {"startLine": line.line,
                                      **({"startColumn": line.column} if line.column else {})}
            result["locations"] = [{
                "physicalLocation": physical,
                "logicalLocations": [{"fullyQualifiedName": change.location}],
            }]
        results.append(result)
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "contractkit",
            "version": __version__,
            "informationUri": "https://github.com/contractkit/contractkit",
            "rules": rules,
        }},
        "results": results,
    }
    if relative:
        root = (base or Path.cwd()).resolve().as_uri().rstrip("/") + "/"
        run["originalUriBaseIds"] = {"%SRCROOT%": {"uri": root}}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    }


def render(report: DiffReport, options: RenderOptions) -> str:
    return json.dumps(data(report, options), indent=2, ensure_ascii=False)
