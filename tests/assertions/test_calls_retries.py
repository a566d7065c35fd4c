"""``Calls`` on hand-built journals: what was sent, and which answers were retried.
Each assertion has a passing case and a failing case whose message is checked."""

from __future__ import annotations

import re

import pytest
from tests.assertions.synthetic import entry, retry_after

from contractkit.assertions import Calls
from contractkit.errors import ConfigError, ContractViolation
from contractkit.journal import JournalEntry

POST = {"method": "POST", "path": "/v1/payments", "body": b'{"amount": 2000}',
        "operation": "getPayment"}


def calls(*entries: JournalEntry, virtual: bool = False) -> Calls:
    return Calls(entries, operation="getPayment", virtual=virtual, unix_offset=0.0)


def fails(check: Calls, method: str, *args: object, **kwargs: object) -> str:
    with pytest.raises(ContractViolation) as raised:
        getattr(check, method)(*args, **kwargs)
    return str(raised.value)


def test_called_counts_attempts_and_chains() -> None:
    check = calls(entry(0.0, 503), entry(1.0, 200))
    assert check.called(2).called(at_least=1, at_most=2) is check
    message = fails(check, "called", times=1)
    assert message.startswith("getPayment: was called twice, expected exactly once "
                              "(every attempt counts, retries included)\n\ntimeline (2 requests")
    assert "never" in fails(calls(), "called", at_least=1)


def test_other_operations_are_ignored() -> None:
    check = calls(entry(0.0), entry(0.1, operation="listPayments"))
    check.called(1)


def test_honoured_retry_after_in_seconds() -> None:
    calls(entry(0.0, 503, answer=retry_after("1"), took=0.01), entry(1.01, 200)) \
        .honoured_retry_after()
    message = fails(calls(entry(0.0, 503, answer=retry_after("1")), entry(0.21, 200)),
                    "honoured_retry_after")
    assert message.startswith("getPayment: retried after 0.20 s although the 503 said "
                              "Retry-After: 1 (wait at least 1.00 s")
    assert re.search(r"^>.*503 Retry-After: 1", message, re.MULTILINE)


def test_honoured_retry_after_tolerance_real_and_virtual() -> None:
    def gap(seconds: float, virtual: bool) -> Calls:
        return calls(entry(0.0, 429, answer=retry_after("1"), took=0.0),
                     entry(seconds, 200), virtual=virtual)

    gap(0.985, virtual=False).honoured_retry_after()  # 20 ms early is scheduling noise
    fails(gap(0.975, virtual=False), "honoured_retry_after")
    gap(0.9995, virtual=True).honoured_retry_after()
    fails(gap(0.997, virtual=True), "honoured_retry_after")


def test_honoured_retry_after_as_an_http_date() -> None:
    date = "Wed, 18 Nov 2026 11:07:40 GMT"  # 60 s after the answer was sent
    sent = 1_795_000_000.0

    def check(gap: float) -> Calls:
        return Calls([entry(sent, 503, answer=retry_after(date), took=0.0),
                      entry(sent + gap, 200)], operation="getPayment", unix_offset=0.0)

    check(60.0).honoured_retry_after()
    message = fails(check(5.0), "honoured_retry_after")
    assert message.startswith("getPayment: retried 55.000 s before the date its 503 gave "
                              "(Retry-After: Wed, 18 Nov 2026 11:07:40 GMT, 60.00 s after the "
                              "answer was sent; it retried after 5.00 s)")


def test_an_http_date_is_a_moment_however_long_the_answer_took() -> None:
    # the answer took 50 ms to send; a client that wakes at the date retried 1.95 s after
    # the answer ended, 2 s after it began: that is on time (it failed as "at least 2.00 s")
    date = "Wed, 18 Nov 2026 11:06:42 GMT"
    sent = 1_795_000_000.0

    def check(at: float) -> Calls:
        return Calls([entry(0.0, 503, answer=retry_after(date), took=0.05), entry(at, 200)],
                     operation="getPayment", unix_offset=sent, virtual=True)

    check(2.0).honoured_retry_after()
    check(1.9995).honoured_retry_after()  # the virtual tolerance
    assert "retried 0.003 s before the date" in fails(check(1.997), "honoured_retry_after")


def test_honoured_retry_after_needs_a_retry_after() -> None:
    message = fails(calls(entry(0.0, 503), entry(0.1, 200)), "honoured_retry_after")
    assert "no answer carried Retry-After, so there was nothing to honour" in message


def test_retried_only_idempotent() -> None:
    keyed = {**POST, "headers": {"Idempotency-Key": "k1"}}
    calls(entry(0.0, 503), entry(0.5, 200),
          entry(1.0, None, fault="reset", **keyed), entry(1.5, 201, **keyed)  # type: ignore[arg-type]
          ).retried_only_idempotent()
    message = fails(calls(entry(0.0, None, fault="reset", **POST),  # type: ignore[arg-type]
                          entry(0.5, 201, **POST)), "retried_only_idempotent")  # type: ignore[arg-type]
    assert message.startswith(
        "getPayment: retried POST /v1/payments without an Idempotency-Key after reset: the "
        "first attempt may already have been applied")


def test_no_retry_on_client_errors() -> None:
    other = "/v1/payments/pay_other"
    calls(entry(0.0, 404), entry(0.5, 503, path=other), entry(1.0, 200, path=other)).no_retry_on()
    message = fails(calls(entry(0.0, 422), entry(0.5, 422)), "no_retry_on")
    assert message.startswith("getPayment: retried GET /v1/payments/pay_3Nf8aZq2LkP0sT7x "
                              "after a 422: the same request will get the same 422 again")
    fails(calls(entry(0.0, 503), entry(0.5, 503)), "no_retry_on", {503})


def test_retry_checks_fail_when_nothing_exercised_them() -> None:
    # a scenario rule that never fired: every answer was a 200
    quiet = calls(entry(0.0, 200), entry(0.5, 200))
    message = fails(quiet, "no_retry_on")
    assert message.startswith("getPayment: no answer was a 400, 401, 403, 404 or 422 (2 "
                              "request(s)), so there was nothing the client should not retry "
                              "and this proves nothing")
    assert "no answer was a 409" in fails(quiet, "no_retry_on", {409})
    message = fails(quiet, "retried_only_idempotent")
    assert message.startswith("getPayment: no answer failed (2 request(s), none got a 5xx, "
                              "408, 429 or no answer), so the client had nothing to retry")
    assert "no answer failed (0 request(s)" in fails(calls(), "retried_only_idempotent")
    # a failure the client rightly did not retry is something judged
    calls(entry(0.0, 503, **POST)).retried_only_idempotent()  # type: ignore[arg-type]
    calls(entry(0.0, 404)).no_retry_on()
    with pytest.raises(ConfigError, match="at least one status"):
        quiet.no_retry_on(set())


def test_no_retry_on_lets_a_401_be_retried_with_a_new_token() -> None:
    calls(entry(0.0, 401, headers={"Authorization": "[redacted sha256:aaa]"}),
          entry(0.1, 200, headers={"Authorization": "[redacted sha256:bbb]"})).no_retry_on()
    same = {"Authorization": "[redacted sha256:aaa]"}
    assert "after a 401" in fails(calls(entry(0.0, 401, headers=same),
                                        entry(0.1, 401, headers=same)), "no_retry_on")


def key(value: str, body: bytes = POST["body"]) -> dict[str, object]:  # type: ignore[assignment]
    return {**POST, "body": body, "headers": {"Idempotency-Key": value}}


def test_idempotency_key_stable_across_attempts_and_distinct_across_operations() -> None:
    calls(entry(0.0, 503, **key("a")), entry(0.5, 201, **key("a")),  # type: ignore[arg-type]
          entry(1.0, 201, **key("b"))).idempotency_key_stable()  # type: ignore[arg-type]


def test_idempotency_key_changed_between_attempts() -> None:
    message = fails(calls(entry(0.0, 503, **key("a")), entry(0.5, 201, **key("b"))),  # type: ignore[arg-type]
                    "idempotency_key_stable")
    assert message.startswith("getPayment: changed its Idempotency-Key between attempts of "
                              "one operation ('a', then 'b')")


def test_idempotency_key_reused_for_another_operation_or_body() -> None:
    message = fails(calls(entry(0.0, 201, **key("a")), entry(0.5, 201, **key("a"))),  # type: ignore[arg-type]
                    "idempotency_key_stable")
    assert "reused Idempotency-Key 'a' for two different operations" in message
    message = fails(calls(entry(0.0, 503, **key("a")),  # type: ignore[arg-type]
                          entry(0.5, 201, **key("a", b'{"amount": 1}'))),  # type: ignore[arg-type]
                    "idempotency_key_stable")
    assert "reused Idempotency-Key 'a' for a request with a different body" in message


def test_idempotency_key_missing() -> None:
    message = fails(calls(entry(0.0, 201, **POST)), "idempotency_key_stable")  # type: ignore[arg-type]
    assert "sent POST /v1/payments without an Idempotency-Key header" in message
    assert "X-Key" in fails(calls(entry(0.0, 201, **key("a"))),  # type: ignore[arg-type]
                            "idempotency_key_stable", "X-Key")


EXPIRED = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


def token(value: str) -> dict[str, str]:
    return {"Authorization": f"[redacted sha256:{value}]"}


def test_refreshed_token_once_per_401() -> None:
    calls(entry(0.0, 200, headers=token("old")),
          entry(1.0, 401, answer=EXPIRED, headers=token("old")),
          entry(1.1, 200, headers=token("new"))).refreshed_token()


def test_refreshed_token_failures() -> None:
    same = fails(calls(entry(0.0, 401, answer=EXPIRED, headers=token("old")),
                       entry(0.1, 200, headers=token("old"))), "refreshed_token")
    assert "retried GET /v1/payments/pay_3Nf8aZq2LkP0sT7x with the same Authorization after " \
        "a 401 (invalid_token)" in same
    gave_up = fails(calls(entry(0.0, 401, answer=EXPIRED, headers=token("old"))),
                    "refreshed_token")
    assert "gave up on GET /v1/payments/pay_3Nf8aZq2LkP0sT7x after a 401 (invalid_token)" \
        in gave_up
    looped = fails(calls(entry(0.0, 401, answer=EXPIRED, headers=token("a")),
                         entry(0.1, 401, answer=EXPIRED, headers=token("b")),
                         entry(0.2, 401, answer=EXPIRED, headers=token("c"))), "refreshed_token")
    assert "again after its refreshed token was refused too" in looped
    assert "no answer was a 401" in fails(calls(entry(0.0)), "refreshed_token")


def test_carried_header() -> None:
    calls(entry(0.0, 503, headers={"X-Request-Id": "r1"}),
          entry(0.5, headers={"X-Request-Id": "r1"})).carried_header("x-request-id")
    message = fails(calls(entry(0.0, 503, headers={"traceparent": "00-ab-cd-01"}),
                          entry(0.5, headers={"traceparent": ""})), "carried_header", "traceparent")
    assert message.startswith("getPayment: sent GET /v1/payments/pay_3Nf8aZq2LkP0sT7x without "
                              "traceparent (1 of 2 requests lacked it)")
