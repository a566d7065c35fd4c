"""Write docs/reference/library-matrix.md from the verdicts the tests register
(tests/assertions/matrix.py).

    .venv/bin/python scripts/generate_library_matrix.py

tests/assertions/test_library_matrix.py fails when the page and the tests differ.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "reference" / "library-matrix.md"


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from tests.assertions import matrix  # noqa: PLC0415 - after the path is set

    for module in matrix.MODULES:
        importlib.import_module(module)
    PAGE.write_text(matrix.render(matrix.MATRIX))
    print(f"wrote {PAGE}: {len(matrix.MATRIX)} verdicts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
