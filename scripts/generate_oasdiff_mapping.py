"""Write docs/reference/oasdiff-mapping.md: every oasdiff check with its contractkit rule
(contractkit/diff/oasdiff_map.py), from the catalogue in tests/diff/oasdiff_expectations.json.

    .venv/bin/python scripts/generate_oasdiff_mapping.py

tests/diff/test_oasdiff_agreement.py fails when the page is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "reference" / "oasdiff-mapping.md"


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from tests.diff import oasdiff  # noqa: PLC0415 - after the path is set

    PAGE.write_text(oasdiff.render_page(oasdiff.load_expectations()["catalogue"]))
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
