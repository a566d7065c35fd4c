"""The assertions on a real mock: a scenario, a small retry loop written here with httpx
(one client that behaves, one that does not), then ``Calls`` on the journal."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from tests.conftest import ROOT

from contractkit.assertions import Calls
from contractkit.errors import ContractViolation
from contractkit.journal import JournalEntry
from contractkit.server.runner import MockServer

PAYMENT = "/payments/pay_3Nf8aZq2LkP0sT7x"
AUTH = {"Authorization": "Bearer sk_test_1"}
RETRYABLE = {429, 500, 502, 503, 504}
CARD = {"amount": 2000, "currency": "EUR", "payment_method": {
    "type": "card", "number": "4242424242424242", "exp_month": 12, "exp_year": 2030,
    "cvc": "123"}}


@pytest.fixture(scope="module")
def running() -> Iterator[MockServer]:
    with MockServer(ROOT / "contracts" / "payments.yaml") as server:
        yield server


@pytest.fixture
def server(running: MockServer) -> Iterator[MockServer]:
    running.use_scenario(None)
    running.reset()
    yield running
    running.use_scenario(None)


def settled(server: MockServer, operation: str) -> list[JournalEntry]:
    """The operation's entries once every exchange is complete (the server records a
    response's end just after the client has it)."""
    deadline = time.monotonic() + 5.0
    while True:
        entries = server.journal.entries(operation_id=operation)
        if all(e.t_resp_end is not None for e in entries) or time.monotonic() > deadline:
            return entries
        time.sleep(0.002)


def calls(server: MockServer, operation: str = "getPayment") -> Calls:
    return Calls(settled(server, operation), operation=operation)


def retrying(send: Callable[[], httpx.Response], *, attempts: int = 4, base: float = 0.02,
             honour_retry_after: bool = True,
             retry_on: set[int] = RETRYABLE) -> httpx.Response | None:
    """A client's retry loop: exponential backoff, Retry-After honoured (or not)."""
    answer = None
    for attempt in range(attempts):
        try:
            answer = send()
        except httpx.TransportError:
            answer = None
        else:
            if answer.status_code not in retry_on:
                return answer
        if attempt == attempts - 1:
            break
        delay = base * 2 ** attempt
        if honour_retry_after and answer is not None and "retry-after" in answer.headers:
            delay = max(delay, float(answer.headers["retry-after"]))
        time.sleep(delay)
    return answer


def test_server_errors_good_client(server: MockServer) -> None:
    server.use_scenario("server-errors")
    with httpx.Client(base_url=server.url, headers=AUTH) as client:
        answer = retrying(lambda: client.get(PAYMENT))
    assert answer is not None
    assert answer.status_code == 200
    calls(server).called(4).honoured_retry_after().backed_off(base=0.02) \
        .retried_only_idempotent().retry_budget(attempts=4, total=2.0)


def test_server_errors_client_ignoring_retry_after(server: MockServer) -> None:
    server.use_scenario("server-errors")
    with httpx.Client(base_url=server.url, headers=AUTH) as client:
        retrying(lambda: client.get(PAYMENT), honour_retry_after=False)
    with pytest.raises(ContractViolation) as raised:
        calls(server).honoured_retry_after()
    message = str(raised.value)
    assert message.startswith("getPayment: retried after 0.0")
    assert "although the 503 said Retry-After: 1" in message
    assert "fail-three-times" in message
    assert "503 Retry-After: 1" in message


def test_retrying_a_404(server: MockServer) -> None:
    server.use_scenario({"name": "gone", "rules": [
        {"match": {"operation": "getPayment"}, "status": 404}]})
    with httpx.Client(base_url=server.url, headers=AUTH) as client:
        retrying(lambda: client.get(PAYMENT), attempts=3, base=0.001, retry_on={404})
        calls(server).called(3)
        with pytest.raises(ContractViolation, match="after a 404: the same request will get"):
            calls(server).no_retry_on()
        server.reset()
        retrying(lambda: client.get(PAYMENT), attempts=3)
    calls(server).called(1).no_retry_on()


def create(client: httpx.Client, key: str) -> httpx.Response:
    return client.post("/payments", json=CARD, headers={"Idempotency-Key": key})


def test_idempotency_key_across_a_reset_connection(server: MockServer) -> None:
    server.use_scenario({"name": "flap", "rules": [
        {"match": {"operation": "createPayment"}, "sequence": [{"fault": "reset"}, "pass"]}]})
    key = str(uuid.uuid4())
    with httpx.Client(base_url=server.url, headers=AUTH) as client:
        answer = retrying(lambda: create(client, key), base=0.001)
        assert answer is not None
        assert answer.status_code == 201
        calls(server, "createPayment").called(2).idempotency_key_stable() \
            .retried_only_idempotent()
        server.reset()
        retrying(lambda: create(client, str(uuid.uuid4())), base=0.001)  # a new key each time
    with pytest.raises(ContractViolation, match="changed its Idempotency-Key between attempts"):
        calls(server, "createPayment").idempotency_key_stable()


def test_timeouts_measured_by_hanging(server: MockServer) -> None:
    server.use_scenario({"name": "hang", "rules": [
        {"match": {"operation": "getPayment"}, "hang": {"max": "300ms"}}]})
    with httpx.Client(base_url=server.url, headers=AUTH) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get(PAYMENT, timeout=0.1)
        calls(server).timeout_at_most(0.1)
        server.reset()
        with pytest.raises(httpx.TransportError):
            client.get(PAYMENT, timeout=5.0)  # no useful timeout: the mock's cap ends it
    with pytest.raises(ContractViolation, match="has no timeout: GET /v1/payments/"):
        calls(server).timeout_at_most(1.0)


def test_concurrency_of_a_fan_out(server: MockServer) -> None:
    server.use_scenario({"name": "slow", "rules": [
        {"match": {"operation": "getPayment"}, "latency": "150ms"}]})
    with httpx.Client(base_url=server.url, headers=AUTH) as client:
        threads = [threading.Thread(target=client.get, args=(PAYMENT,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        calls(server).max_concurrency(4)
        with pytest.raises(ContractViolation, match="had 4 requests in flight at once"):
            calls(server).max_concurrency(2)
        server.reset()
        for _ in range(3):
            client.get(PAYMENT)
    calls(server).called(3).max_concurrency(1)


def test_token_refresh_after_invalid_token(server: MockServer) -> None:
    server.use_scenario({"name": "expiring", "rules": [
        {"match": {"operation": "getPayment"}, "token_expired": {"after_uses": 1}}]})
    tokens = iter(f"Bearer sk_test_{n}" for n in range(2, 10))

    def refreshing(client: httpx.Client, refresh: bool) -> None:
        headers: dict[str, Any] = dict(AUTH)
        for _ in range(2):
            answer = client.get(PAYMENT, headers=headers)
            if answer.status_code != 401:
                return
            if refresh:
                headers["Authorization"] = next(tokens)

    with httpx.Client(base_url=server.url) as client:
        client.get(PAYMENT, headers=AUTH)  # the one use the token has
        refreshing(client, refresh=True)
        calls(server).called(3).refreshed_token().carried_header("Authorization")
        server.reset()
        client.get(PAYMENT, headers=AUTH)
        refreshing(client, refresh=False)
    with pytest.raises(ContractViolation, match="with the same Authorization after a 401"):
        calls(server).refreshed_token()
