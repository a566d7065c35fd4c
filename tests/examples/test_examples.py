"""The examples folder works: its one payments suite passes against the resilient client,
fails every test against the naive one with a sentence that says what that client did
wrong, and runs under pytest-xdist into one merged coverage report. Each run is a
subprocess (see tests/plugin/test_plugin.py for why)."""

from __future__ import annotations

import json
import re

import pytest
from tests.conftest import ROOT

SUITE = str(ROOT / "examples" / "test_suite")
OPTIONS = ("-p", "no:cacheprovider")

#: every test of the shared suite, and the sentence its failure must contain against the
#: naive client. Where that sentence holds a gap, it is a pattern: the naive client waits
#: a few milliseconds, printed as 0.00 s or 0.01 s or more on a loaded machine, so any gap
#: under the 1 s the answer asked for matches.
NAIVE_FAILURES: dict[str, str | re.Pattern[str]] = {
    "test_retries_server_errors_with_backoff[server-errors]":
        re.compile(r"retried after 0\.\d\d s although the 503 said Retry-After: 1"),
    "test_honours_retry_after[rate-limited]":
        re.compile(r"retried after 0\.\d\d s although the 429 said Retry-After: 1"),
    "test_honours_retry_after[retry-after-http-date]":
        "before the date its 503 gave (Retry-After: ",
    "test_retried_payments_keep_their_idempotency_key[server-errors]":
        "changed its Idempotency-Key between attempts of one operation",
    "test_does_not_retry_what_cannot_change[not-found]":
        "after a 404: the same request will get the same 404 again",
    "test_gives_up_after_a_bounded_number_of_attempts[down]":
        "made 10 attempts of one GET /v1/payments/pay_3Nf8aZq2LkP0sT7x, more than the "
        "budget of 4",
    "test_abandons_a_hung_call_within_its_timeout[hang-once]":
        "has no timeout: GET /v1/payments/pay_3Nf8aZq2LkP0sT7x waited 2.0 s until the mock "
        "gave up",
    "test_unreachable_provider_raises_a_typed_error":
        "instead of ConnectionFailed: a library error from deep inside leaked out",
    "test_circuit_breaker_opens_during_an_outage[outage]":
        "while its breaker should be open (it opens after 4 failures in a row, for 5 s)",
    "test_refreshes_an_expired_token[token-expiry]":
        "with the same Authorization after a 401 (invalid_token): the token had expired",
    "test_tolerates_schema_drift[schema-drift]":
        "is not a valid PaymentStatus under 'schema-drift', but returned",
    "test_malformed_answers_raise_typed_errors[invalid_json]":
        "the call raised requests.exceptions.JSONDecodeError",
    "test_malformed_answers_raise_typed_errors[wrong_content_type]":
        "instead of raising PaymentsError, although its last answer was broken (",
    "test_malformed_answers_raise_typed_errors[invalid_utf8]":
        "instead of raising PaymentsError, although its last answer was broken (",
    "test_malformed_answers_raise_typed_errors[empty]":
        "the call raised requests.exceptions.JSONDecodeError",
    "test_malformed_answers_raise_typed_errors[truncate]":
        "the call raised requests.exceptions.ChunkedEncodingError",
    "test_logs_never_contain_credentials[server-errors]":
        "1 credential(s) the client sent appear in the text",
    "test_every_attempt_carries_a_correlation_id[server-errors]":
        "without X-Request-Id (4 of 4 requests lacked it)",
}


def _says(text: str, sentence: str | re.Pattern[str]) -> bool:
    return bool(sentence.search(text)) if isinstance(sentence, re.Pattern) else sentence in text


def _failure_sections(stdout: list[str]) -> dict[str, str]:
    """The text of each failure, by the test name in its ``____ name ____`` header."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in stdout:
        header = re.fullmatch(r"_{3,} (\S+) _{3,}", line)
        if header:
            current = sections.setdefault(header.group(1), [])
        elif line.startswith(("=", "-")) and "summary" in line:
            current = None
        elif current is not None:
            current.append(line)
    return {name: "\n".join(lines) for name, lines in sections.items()}


def test_the_resilient_client_passes_the_suite(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(SUITE, *OPTIONS, "-v")
    result.assert_outcomes(passed=len(NAIVE_FAILURES))
    passed = [line for line in result.outlines if " PASSED" in line]
    for name in NAIVE_FAILURES:
        assert any(f"::{name} PASSED" in line for line in passed), name


def test_the_naive_client_fails_every_test_saying_why(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(SUITE, *OPTIONS, "--payments-client=naive")
    result.assert_outcomes(failed=len(NAIVE_FAILURES))
    failures = _failure_sections(result.outlines)
    assert sorted(failures) == sorted(NAIVE_FAILURES)
    wrong = {name: sentence for name, sentence in NAIVE_FAILURES.items()
             if not _says(failures[name], sentence)}
    assert not wrong, f"failures without their sentence: {wrong}"
    # the behaviour was judged from the journal, not from an exception the client raised
    assert all("ContractViolation" in text for text in failures.values())


def test_the_suite_runs_under_xdist_into_one_report(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(SUITE, *OPTIONS, "-n", "2",
                                           "--contractkit-report=cov.json")
    result.assert_outcomes(passed=len(NAIVE_FAILURES))
    result.stdout.fnmatch_lines(["*2 workers*"])
    report = json.loads((pytester.path / "cov.json").read_text())
    assert report["tests"] == len(NAIVE_FAILURES)  # both workers' tests, merged
    assert {"server-errors", "rate-limited", "outage", "schema-drift"} <= set(
        report["scenarios"])
    exercised = report["operations"]["getPayment"]["exercised"]
    assert {"200", "404", "429", "503"} <= set(exercised)
