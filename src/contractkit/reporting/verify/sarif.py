"""SARIF 2.1.0 for code scanning: a rule per finding code, a result per finding, placed on
the contract file (a provider finding has no line in it) with the operation as its
logical location."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contractkit._version import __version__
from contractkit.reporting.diff.sarif import SARIF_SCHEMA
from contractkit.reporting.diff.view import artifact, repository_root
from contractkit.verify.model import Severity, VerifyReport

_LEVELS: dict[Severity, str] = {"critical": "error", "high": "error", "medium": "warning",
                                "low": "note"}


def data(report: VerifyReport) -> dict[str, Any]:
    base = repository_root()
    place = artifact(report.contract, base)
    where: dict[str, Any] = {"uri": place.uri}
    if place.path is not None:
        where["uriBaseId"] = "%SRCROOT%"
    titles: dict[str, str] = {}
    for finding in report.findings:  # one rule per code, described by its first title
        titles.setdefault(finding.code, finding.title)
    codes = sorted(titles)
    index = {code: position for position, code in enumerate(codes)}
    rules = [{"id": code, "shortDescription": {"text": titles[code]}} for code in codes]
    results = []
    for finding in report.findings:
        text = finding.message.strip()
        if finding.consumer:
            text += f"\nconsumer test: {finding.consumer}"
        results.append({
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": _LEVELS[finding.severity],
            "message": {"text": f"{finding.title}: {text}"},
            "locations": [{"physicalLocation": {"artifactLocation": where},
                           "logicalLocations": [{"fullyQualifiedName": finding.operation}]}],
            "partialFingerprints": {"contractkitFinding": "|".join(
                (finding.operation, finding.code, finding.title, finding.consumer))},
            "properties": {"check": finding.check, "status": finding.status,
                           "curl": finding.curl, "seed": finding.seed},
        })
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "contractkit", "version": __version__,
                            "informationUri": "https://github.com/contractkit/contractkit",
                            "rules": rules}},
        "results": results,
    }
    if place.path is not None:
        root = (base or Path.cwd()).resolve().as_uri().rstrip("/") + "/"
        run["originalUriBaseIds"] = {"%SRCROOT%": {"uri": root}}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: VerifyReport) -> str:
    return json.dumps(data(report), indent=2, ensure_ascii=False)
