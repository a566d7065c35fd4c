"""The acceptance check of the mock, in the suite: schemathesis (its positive and negative
runs, as scripts/schemathesis_mock.py makes them) against `contractkit mock` for each
bundled OpenAPI contract finds no failure that is the mock's. The corpus contracts are
checked by running the script itself (docs/explanation/conformance.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import CONTRACTS
from tests.test_schemathesis_known import _script

BUNDLED = sorted(p for p in CONTRACTS.glob("*") if p.suffix in (".yaml", ".json"))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_schemathesis_finds_no_failure_of_the_mock(path: Path) -> None:
    script = _script()
    outcome = script.run_one(path, max_examples=3, timeout=300,
                             known=script.load_known(script.KNOWN))
    assert outcome["test_cases"] > 100, outcome  # it really sent requests
    mine = [f for f in outcome["failures"] if f["class"] == "mock"]
    assert not mine, "\n".join([str(f) for f in mine] + outcome["details"])
