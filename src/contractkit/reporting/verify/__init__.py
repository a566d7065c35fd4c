"""Render a :class:`~contractkit.verify.model.VerifyReport` for people and for CI, in the
diff's formats where they fit: ``text`` and ``json`` (more in later steps)."""

from __future__ import annotations

from collections.abc import Callable

from contractkit.reporting.verify import json_report, text
from contractkit.verify.model import VerifyReport

FORMATS: dict[str, Callable[[VerifyReport], str]] = {
    "text": text.render,
    "json": json_report.render,
}


def render(report: VerifyReport, output_format: str) -> str:
    return FORMATS[output_format](report)
