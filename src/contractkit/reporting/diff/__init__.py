"""Render a :class:`~contractkit.diff.model.DiffReport` for people and for CI.

``text`` (a terminal), ``json`` (versioned, with a JSON Schema shipped beside it),
``markdown`` (a changelog), ``junit``, ``github`` (workflow annotations) and ``sarif``
(code scanning). :mod:`.rules` renders the rule catalogue.
"""

from __future__ import annotations

from collections.abc import Callable

from contractkit.diff.model import DiffReport, FailOn
from contractkit.reporting.diff import github, json_report, junit, markdown, sarif, text

FORMATS: dict[str, Callable[[DiffReport, FailOn], str]] = {
    "text": text.render,
    "json": json_report.render,
    "markdown": markdown.render,
    "junit": junit.render,
    "github": github.render,
    "sarif": sarif.render,
}


def render(report: DiffReport, output_format: str, *, fail_on: FailOn = "breaking") -> str:
    """``report`` in ``output_format``; ``fail_on`` decides what counts as a failure in
    the formats that have one (JUnit failures, annotation levels stay per change)."""
    return FORMATS[output_format](report, fail_on)
