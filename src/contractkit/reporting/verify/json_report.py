"""JSON: the report as data, versioned by ``format_version``."""

from __future__ import annotations

import json
from dataclasses import asdict

from contractkit.verify.model import VerifyReport

FORMAT_VERSION = 1


def render(report: VerifyReport) -> str:
    options = asdict(report.options)
    options["headers"] = sorted(report.options.headers)  # names only: values are secrets
    return json.dumps({
        "format_version": FORMAT_VERSION,
        "contract": report.contract,
        "title": report.title,
        "version": report.version,
        "options": options,
        "ok": report.ok,
        "operations": list(report.operations),
        "requests": report.requests,
        "findings": [asdict(finding) for finding in report.findings],
        "skipped": [asdict(skipped) for skipped in report.skipped],
        "stopped": report.stopped,
    }, indent=2, ensure_ascii=False)
