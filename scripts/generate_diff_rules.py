"""Write docs/reference/diff-rules.md from the rule catalogue (contractkit/diff/rules.py).

    .venv/bin/python scripts/generate_diff_rules.py

tests/diff/test_rules_catalogue.py fails when the page and the catalogue differ.
"""

from __future__ import annotations

from pathlib import Path

from contractkit.reporting.diff.rules import render_markdown

PAGE = Path(__file__).resolve().parents[1] / "docs" / "reference" / "diff-rules.md"


def main() -> int:
    PAGE.write_text(render_markdown())
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
