"""The assertions under virtual time, on a real mock: a Retry-After of 10 s and a 30 s
circuit-breaker reset cost milliseconds, and gaps and sleeps are exact."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from tests.conftest import ROOT

from contractkit.assertions import Calls
from contractkit.assertions.virtual_time import VirtualTime
from contractkit.errors import ContractViolation
from contractkit.server.runner import MockServer

PAYMENT = "/payments/pay_3Nf8aZq2LkP0sT7x"
AUTH = {"Authorization": "Bearer sk_test_1"}
DOWN = {"name": "down", "rules": [{"match": {"operation": "getPayment"}, "status": 503}]}


@pytest.fixture
def virtual() -> Iterator[tuple[MockServer, VirtualTime]]:
    clock = VirtualTime()
    with MockServer(ROOT / "contracts" / "payments.yaml", clock=clock.clock.now) as server:
        clock.exempt.add(server.thread_ident or 0)
        with clock.active():
            yield server, clock


def observed(server: MockServer, clock: VirtualTime) -> Calls:
    deadline = time.perf_counter() + 5.0
    while any(e.t_resp_end is None for e in server.journal.entries()):
        assert time.perf_counter() < deadline
    return Calls(server.journal.entries(), operation="getPayment", sleeps=clock.sleeps,
                 virtual=True)


def test_retry_after_and_backoff_are_exact(virtual: tuple[MockServer, VirtualTime]) -> None:
    server, clock = virtual
    server.use_scenario({"name": "recovering", "rules": [
        {"match": {"operation": "getPayment"}, "sequence": [
            {"status": {"code": 503, "retry_after": "10s"}}, {"status": 500},
            {"status": 502}, "pass"]}]})
    with httpx.Client(base_url=server.url, headers=AUTH) as client:
        for attempt in range(5):
            answer = client.get(PAYMENT)
            if answer.status_code == 200:
                break
            time.sleep(float(answer.headers.get("retry-after", 2.0 ** attempt)))
    assert clock.slept() == 10 + 2 + 4
    calls = observed(server, clock)
    calls.called(4).honoured_retry_after().backed_off(base=1.0, jitter="none") \
        .backed_off().retry_budget(total=17)
    with pytest.raises(ContractViolation) as raised:
        calls.backed_off(base=1.0, factor=3, jitter="none")
    message = str(raised.value)
    assert "slept 2.000 s before retry 2 (after 500), below the 3.000 s no jitter waits " \
        "exactly the delay allows there" in message
    assert "(the wait before retry 1, after a Retry-After, is judged by " \
        "honoured_retry_after)" in message
    assert "client slept 10.000 s" in message


class Breaker:
    """A minimal circuit breaker: open after 3 failures, half-open after 30 s."""

    def __init__(self) -> None:
        self.failures = 0
        self.opened_at: float | None = None

    def call(self, client: httpx.Client) -> int | None:
        if self.opened_at is not None and time.monotonic() - self.opened_at < 30:
            return None  # fail fast
        status = client.get(PAYMENT).status_code
        if status < 500:
            self.failures, self.opened_at = 0, None
            return status
        self.failures += 1
        if self.failures >= 3:
            self.opened_at = time.monotonic()
        return status


def test_circuit_breaker_opens_and_probes(virtual: tuple[MockServer, VirtualTime]) -> None:
    server, clock = virtual
    server.use_scenario(DOWN)
    breaker = Breaker()
    with httpx.Client(base_url=server.url, headers=AUTH) as client:
        for _ in range(70):  # one call a second for 70 s
            breaker.call(client)
            time.sleep(1.0)
    calls = observed(server, clock)
    calls.called(5).circuit_opened(after=3, reset_timeout=30) \
        .half_open_probe(reset_timeout=30).circuit_opened(after=3)


def test_a_client_without_a_breaker(virtual: tuple[MockServer, VirtualTime]) -> None:
    server, clock = virtual
    server.use_scenario(DOWN)
    with httpx.Client(base_url=server.url, headers=AUTH) as client:
        for _ in range(10):
            client.get(PAYMENT)
            time.sleep(1.0)
    with pytest.raises(ContractViolation) as raised:
        observed(server, clock).circuit_opened(after=3, reset_timeout=30)
    assert str(raised.value).startswith("getPayment: called the provider again 1.0")
    assert "while its breaker should be open (it opens after 3 failures in a row, for 30 s)" \
        in str(raised.value)
