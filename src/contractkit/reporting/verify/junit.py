"""JUnit XML: one test case per operation tested; an operation with findings fails, its
failure text listing them (the schema allows one failure per test case)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from contractkit.reporting.verify.text import summary
from contractkit.verify.model import Finding, VerifyReport


def render(report: VerifyReport) -> str:
    by_operation = {operation: list(found) for operation, found
                    in groupby(report.findings, key=lambda f: f.operation)}
    operations = list(dict.fromkeys([*report.operations, *by_operation]))
    skipped = {s.operation: s.reason for s in report.skipped}
    suites = ET.Element("testsuites", name="contractkit verify")
    suite = ET.SubElement(suites, "testsuite", {
        "name": f"contractkit verify {report.contract} at {report.options.base_url}",
        "tests": str(max(len(operations) + len(skipped), 1)),
        "failures": str(len(by_operation)),
        "errors": "0",
        "skipped": str(len(skipped)),
        "time": "0",
    })
    if not operations and not skipped:
        ET.SubElement(suite, "testcase", classname=report.title, name="no operations",
                      time="0")
    for operation in operations:
        case = ET.SubElement(suite, "testcase", classname=report.title, name=operation,
                             time="0")
        findings = by_operation.get(operation)
        if findings:
            failure = ET.SubElement(case, "failure", type=findings[0].code,
                                    message=_headline(findings))
            failure.text = "\n\n".join(_detail(finding) for finding in findings)
    for operation, reason in skipped.items():
        case = ET.SubElement(suite, "testcase", classname=report.title, name=operation,
                             time="0")
        ET.SubElement(case, "skipped", message=reason)
    ET.SubElement(suite, "system-out").text = summary(report)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode")


def _headline(findings: list[Finding]) -> str:
    first = findings[0]
    more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
    return f"{first.code} {first.title}{more}"


def _detail(finding: Finding) -> str:
    lines = [f"{finding.code} {finding.title}"
             + (f" [{finding.status}]" if finding.status is not None else ""),
             finding.message.strip()]
    if finding.consumer:
        lines.append(f"consumer test: {finding.consumer}")
    if finding.curl:
        lines.append(f"reproduce: {finding.curl.splitlines()[0]}")
    return "\n".join(lines)
