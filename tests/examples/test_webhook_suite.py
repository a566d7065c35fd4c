"""The webhook example works: its one receiver suite passes against the resilient
receiver and fails every test against the naive one, each failure saying what that
receiver did wrong. Each run is a subprocess, as in test_examples.py."""

from __future__ import annotations

import pytest
from tests.conftest import ROOT
from tests.examples.test_examples import OPTIONS, _failure_sections

SUITE = str(ROOT / "examples" / "webhook_suite")

#: every test of the suite, and the sentence its failure must contain against the naive
#: receiver
NAIVE_FAILURES = {
    "test_acknowledges_fast":
        "the receiver acknowledged 1 of 1 genuine delivery attempt(s) later than 0.2 s",
    "test_refuses_forged_signatures[webhook-forged]":
        "the receiver rejected a genuine, correctly signed delivery with 401",
    "test_refuses_stale_timestamps[webhook-forged]":
        "the receiver accepted a delivery signed 60 minutes ago (stale-timestamp",
    "test_refuses_replays[webhook-forged]":
        "the receiver accepted an exact replay of an acknowledged delivery",
    "test_applies_duplicates_once[webhook-duplicates]":
        "the receiver applied the events 3 times, for 1 distinct delivery acknowledged",
    "test_tolerates_unknown_events[unknown-events]":
        "the receiver answered 500 to an event type it does not know",
    "test_keeps_the_newest_state[webhook-out-of-order]":
        "the receiver ended in state 'created', not 'shipped', after the events arrived "
        "newest first",
}


def test_the_resilient_receiver_passes_the_suite(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(SUITE, *OPTIONS, "-v")
    result.assert_outcomes(passed=len(NAIVE_FAILURES))
    for name in NAIVE_FAILURES:
        assert any(f"::{name} PASSED" in line for line in result.outlines), name


def test_the_naive_receiver_fails_every_test_saying_why(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(SUITE, *OPTIONS, "--receiver=naive")
    result.assert_outcomes(failed=len(NAIVE_FAILURES))
    failures = _failure_sections(result.outlines)
    assert sorted(failures) == sorted(NAIVE_FAILURES)
    wrong = {name: sentence for name, sentence in NAIVE_FAILURES.items()
             if sentence not in failures[name]}
    assert not wrong, f"failures without their sentence: {wrong}"
    # judged from the outbound journal, each with the timeline of the attempts
    assert all("ContractViolation" in text and "delivery attempt" in text
               for text in failures.values())
