"""oasdiff's own test pairs (../shared/corpus/diff/): our breaking / not-breaking verdict
agrees with the one oasdiff's tests assert, except where listed below, on purpose."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from tests.conftest import CORPUS
from tests.diff.oasdiff import load_expectations

import contractkit

PAIRS_FILE = CORPUS / "diff" / "pairs.json"
#: A fixed "today" so sunset dates in the pairs (2022, 2023, 9999) always read the same.
TODAY = dt.date(2026, 1, 1)

#: (base, revision) → why contractkit's verdict differs from oasdiff's.
DISAGREEMENTS: dict[tuple[str, str], str] = {}
#: the deprecation days (beta, stable) oasdiff's test of a pair configures (WithDeprecation)
POLICIES = {(p["base"], p["revision"]): p["deprecation"]
            for p in load_expectations()["pairs"] if p["deprecation"]}


def _pairs() -> list[Any]:
    if not PAIRS_FILE.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no corpus at {CORPUS}"))]
    params = []
    for pair in json.loads(PAIRS_FILE.read_text()):
        key = (pair["base"], pair["revision"])
        marks = [pytest.mark.xfail(reason=DISAGREEMENTS[key], strict=True)] \
            if key in DISAGREEMENTS else []
        params.append(pytest.param(pair, marks=marks, id=f"{key[0]}->{key[1]}"))
    return params


def _verdict(pair: dict[str, Any]) -> str:
    root = PAIRS_FILE.parent / "oasdiff"
    beta, stable = POLICIES.get((pair["base"], pair["revision"]), (0, 0))
    report = contractkit.diff(root / pair["base"], root / pair["revision"], today=TODAY,
                              deprecation_days_beta=beta, deprecation_days_stable=stable)
    if report.breaking:
        return "breaking"
    return "dangerous" if report.at_least("dangerous") else "safe"


@pytest.mark.parametrize("pair", _pairs())
def test_breaking_verdict_agrees_with_oasdiff(pair: dict[str, Any]) -> None:
    assert (_verdict(pair) == "breaking") == (pair["verdict"] == "breaking"), pair


def test_agreement_is_at_least_95_percent() -> None:
    if not PAIRS_FILE.is_file():
        pytest.skip(f"no corpus at {CORPUS}")
    pairs = json.loads(PAIRS_FILE.read_text())
    assert len(DISAGREEMENTS) <= 0.05 * len(pairs)
