"""One contract test suite for a payments client, run against each example client.

Each test puts the mock of ``contracts/payments.yaml`` in a failure mode (a scenario),
drives the client, then asserts on what the client *sent* (``contract_server.expect``) and
only after that on what it returned: when a client misbehaves, the failure says what it
did wrong rather than which exception came out.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
from payments_client.errors import (
    ConnectionFailed,
    InvalidResponse,
    NotFound,
    PaymentsError,
    Unavailable,
)
from payments_client.models import Payment, PaymentStatus

pytestmark = pytest.mark.contract("contracts/payments.yaml")

PAYMENT_ID = "pay_3Nf8aZq2LkP0sT7x"
CARD = {"type": "card", "number": "4242424242424242", "exp_month": 12, "exp_year": 2030,
        "cvc": "123"}


def outcome(call: Callable[[], Any]) -> Any:
    """What ``call()`` returned, or the exception it raised (checked after the journal)."""
    try:
        return call()
    except Exception as error:
        return error


# -- retries -----------------------------------------------------------------------------

@pytest.mark.scenarios("server-errors")
def test_retries_server_errors_with_backoff(client, contract_server):
    payment = outcome(lambda: client.get_payment(PAYMENT_ID))

    calls = contract_server.expect("getPayment")
    calls.called(times=4).retried_only_idempotent()
    calls.honoured_retry_after()  # the first 503 says Retry-After: 1
    calls.backed_off("exponential", base=0.25, cap=4.0, jitter=True)  # after the 500, 502
    assert isinstance(payment, Payment)
    assert payment.id == PAYMENT_ID


@pytest.mark.scenarios("rate-limited", "scenarios/retry-after-http-date.yaml")
def test_honours_retry_after(client, contract_server):
    payment = outcome(lambda: client.get_payment(PAYMENT_ID))

    contract_server.expect("getPayment").honoured_retry_after().called(times=2)
    assert isinstance(payment, Payment)


@pytest.mark.scenarios("server-errors")
def test_retried_payments_keep_their_idempotency_key(client, contract_server):
    first = outcome(lambda: client.create_payment(amount=2000, currency="EUR",
                                                  payment_method=CARD))
    second = outcome(lambda: client.create_payment(amount=2000, currency="EUR",
                                                   payment_method=CARD))

    calls = contract_server.expect("createPayment")
    calls.idempotency_key_stable().retried_only_idempotent().called(times=5)
    assert isinstance(first, Payment)
    assert isinstance(second, Payment)


@pytest.mark.scenarios("scenarios/not-found.yaml")
def test_does_not_retry_what_cannot_change(client, contract_server):
    error = outcome(lambda: client.get_payment(PAYMENT_ID))

    contract_server.expect("getPayment").no_retry_on({400, 401, 403, 404, 422}).called(times=1)
    assert isinstance(error, NotFound)


@pytest.mark.scenarios("scenarios/down.yaml")
def test_gives_up_after_a_bounded_number_of_attempts(client, contract_server):
    error = outcome(lambda: client.get_payment(PAYMENT_ID))

    calls = contract_server.expect("getPayment")
    calls.retry_budget(attempts=4, total=5.0)
    calls.backed_off("exponential", base=0.25, cap=4.0, jitter=True)
    assert isinstance(error, Unavailable)


# -- timeouts and unreachable providers ----------------------------------------------------

@pytest.mark.scenarios("scenarios/hang-once.yaml")
def test_abandons_a_hung_call_within_its_timeout(client, contract_server):
    payment = outcome(lambda: client.get_payment(PAYMENT_ID))

    contract_server.expect("getPayment").timeout_at_most(1.0).called(times=2)
    assert isinstance(payment, Payment)


def test_unreachable_provider_raises_a_typed_error(client_for, contract_server):
    client = client_for(contract_server.refused_url)

    contract_server.raises_typed(lambda: client.get_payment(PAYMENT_ID),
                                 errors=(ConnectionFailed,))


# -- circuit breaker ------------------------------------------------------------------------

@pytest.mark.scenarios("outage")
def test_circuit_breaker_opens_during_an_outage(client, contract_server):
    # The application calls once a (virtual) second for a minute; the outage lasts 30 s.
    # Which error each call raised is the business of the other tests.
    results = []
    for _ in range(60):
        results.append(outcome(lambda: client.get_payment(PAYMENT_ID)))
        time.sleep(1)

    calls = contract_server.expect("getPayment")
    calls.circuit_opened(after=4, reset_timeout=5).half_open_probe(count=1, reset_timeout=5)
    assert isinstance(results[-1], Payment), "the breaker closed again after the outage"


# -- authentication -------------------------------------------------------------------------

@pytest.mark.scenarios("scenarios/token-expiry.yaml")
def test_refreshes_an_expired_token(client, contract_server, tokens):
    results = [outcome(lambda: client.get_payment(PAYMENT_ID)) for _ in range(3)]

    contract_server.expect("getPayment").refreshed_token().called(times=4)
    assert all(isinstance(r, Payment) for r in results)
    assert len(tokens.issued) == 2


# -- what the client reads ------------------------------------------------------------------

@pytest.mark.scenarios("schema-drift")
def test_tolerates_schema_drift(client, contract_server):
    # The whole payment is compared field by field: drift may change what it touched (the
    # status and currency enums, the optional description), nothing else.
    payment = contract_server.tolerates(lambda: client.get_payment(PAYMENT_ID),
                                        scenario="schema-drift")
    assert payment.status is PaymentStatus.UNKNOWN


# A proxy's HTML "502 Bad Gateway" is left out: it is a server error, retried like one.
@pytest.mark.parametrize("broken", [
    {"malformed": "invalid_json"}, {"malformed": "wrong_content_type"},
    {"malformed": "invalid_utf8"}, {"malformed": "empty"}, {"fault": "truncate"},
], ids=["invalid_json", "wrong_content_type", "invalid_utf8", "empty", "truncate"])
def test_malformed_answers_raise_typed_errors(client, contract_server, broken):
    scenario = {"name": "broken-body", "rules": [{"match": {"any": True}, **broken}]}

    error = contract_server.raises_typed(lambda: client.get_payment(PAYMENT_ID),
                                         errors=(PaymentsError,), scenario=scenario)
    assert isinstance(error, InvalidResponse)


# -- what the client tells its operators ----------------------------------------------------

@pytest.mark.scenarios("server-errors")
def test_logs_never_contain_credentials(client, contract_server, caplog):
    caplog.set_level(logging.DEBUG)
    with contextlib.suppress(Exception):
        client.get_payment(PAYMENT_ID)

    contract_server.no_secrets_in(caplog.text)
    assert "/payments/" in caplog.text, "the client logs its calls"


@pytest.mark.scenarios("server-errors")
def test_every_attempt_carries_a_correlation_id(client, contract_server):
    with contextlib.suppress(Exception):
        client.get_payment(PAYMENT_ID)

    contract_server.expect("getPayment").carried_header("X-Request-Id")
    ids = {e.request_headers.get("X-Request-Id") for e in contract_server.entries()}
    assert len(ids) == 1, f"one logical call, one correlation id across its attempts: {ids}"
