"""Render a :class:`~contractkit.diff.model.DiffReport` for people and for CI.

``text`` (a terminal), ``json`` (versioned, with a JSON Schema shipped beside it),
``markdown`` (a changelog or step summary, within a byte budget), ``junit``, ``github``
(workflow annotations, within GitHub's per-step limits) and ``sarif`` (code scanning).
:mod:`.view` holds what every format shares (the level filter, repository-relative
paths); :mod:`.rules` renders the rule catalogue.
"""

from __future__ import annotations

from collections.abc import Callable

from contractkit.diff.model import DiffReport, FailOn
from contractkit.diff.rules import Level
from contractkit.reporting.diff import github, json_report, junit, markdown, sarif, text
from contractkit.reporting.diff.view import MARKDOWN_BUDGET, RenderOptions

FORMATS: dict[str, Callable[[DiffReport, RenderOptions], str]] = {
    "text": text.render,
    "json": json_report.render,
    "markdown": markdown.render,
    "junit": junit.render,
    "github": github.render,
    "sarif": sarif.render,
}


def render(report: DiffReport, output_format: str, *, fail_on: FailOn = "breaking",
           level: Level = "safe", color: bool = False,
           markdown_budget: int = MARKDOWN_BUDGET) -> str:
    """``report`` in ``output_format``. ``fail_on`` decides what counts as a failure in
    the formats that have one (JUnit, JSON); ``level`` hides changes below it (summaries
    still count them); ``color`` paints ``text``; ``markdown_budget`` caps ``markdown``."""
    options = RenderOptions(fail_on=fail_on, level=level, color=color,
                            markdown_budget=markdown_budget)
    return FORMATS[output_format](report, options)
