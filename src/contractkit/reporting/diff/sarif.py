"""SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps)."""

from __future__ import annotations

import json
from typing import Any

from contractkit._version import __version__
from contractkit.diff.model import DiffReport, FailOn
from contractkit.diff.rules import RULES_BY_ID

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"breaking": "error", "dangerous": "warning", "safe": "note"}


def data(report: DiffReport) -> dict[str, Any]:
    used = sorted({change.rule_id for change in report.changes})
    index = {rule_id: position for position, rule_id in enumerate(used)}
    rules = [{
        "id": rule_id,
        "shortDescription": {"text": RULES_BY_ID[rule_id].description},
        "defaultConfiguration": {"level": _LEVELS[RULES_BY_ID[rule_id].level]},
        "properties": {"area": RULES_BY_ID[rule_id].area},
    } for rule_id in used]
    results = []
    for change in report.changes:
        result: dict[str, Any] = {
            "ruleId": change.rule_id,
            "ruleIndex": index[change.rule_id],
            "level": _LEVELS[change.level],
            "message": {"text": change.message},
            "partialFingerprints": {"contractkitLocation": f"{change.rule_id}|{change.location}"},
        }
        line = change.source_line
        if line is not None:
            physical: dict[str, Any] = {"artifactLocation": {"uri": line.file}}
            if line.line is not None:
                physical["region"] = {"startLine": line.line,
                                      **({"startColumn": line.column} if line.column else {})}
            result["locations"] = [{
                "physicalLocation": physical,
                "logicalLocations": [{"fullyQualifiedName": change.location}],
            }]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "contractkit",
                "version": __version__,
                "informationUri": "https://github.com/contractkit/contractkit",
                "rules": rules,
            }},
            "results": results,
        }],
    }


def render(report: DiffReport, fail_on: FailOn = "breaking") -> str:
    del fail_on
    return json.dumps(data(report), indent=2, ensure_ascii=False)
