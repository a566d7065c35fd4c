"""Render a :class:`~contractkit.verify.model.VerifyReport` for people and for CI, in the
diff's formats: ``text``, ``json``, ``markdown``, ``junit``, ``github`` (workflow
annotations) and ``sarif`` (code scanning). The CI formats reuse the diff reporters' limits
and helpers (annotation escaping, repository-relative paths)."""

from __future__ import annotations

from collections.abc import Callable

from contractkit.reporting.diff.view import MARKDOWN_BUDGET
from contractkit.reporting.verify import github, json_report, junit, markdown, sarif, text
from contractkit.verify.model import VerifyReport

FORMATS: dict[str, Callable[[VerifyReport], str]] = {
    "text": text.render,
    "json": json_report.render,
    "markdown": markdown.render,
    "junit": junit.render,
    "github": github.render,
    "sarif": sarif.render,
}


def render(report: VerifyReport, output_format: str, *, color: bool = False,
           markdown_budget: int = MARKDOWN_BUDGET) -> str:
    """``report`` in ``output_format``; ``color`` paints the text format's finding codes,
    ``markdown_budget`` caps the markdown output's bytes."""
    if output_format == "text":
        return text.render(report, color=color)
    if output_format == "markdown":
        return markdown.render(report, markdown_budget)
    return FORMATS[output_format](report)
