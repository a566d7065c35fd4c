"""Failure messages whose advice matches the cause, on real libraries: stamina's default
retry budget is not a missing timeout; a hanging request is; a breaker that reads wall
time under virtual time is told to patch datetime."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pybreaker
import pytest
import stamina
from tests.assertions.matrix import verdict
from tests.conftest import ROOT

from contractkit.assertions import Calls, raises_typed
from contractkit.assertions.virtual_time import VirtualClock, VirtualTime
from contractkit.consumer import ContractServer
from contractkit.errors import ContractViolation
from contractkit.server.runner import MockServer

PAYMENT = "/payments/pay_3Nf8aZq2LkP0sT7x"
AUTH = {"Authorization": "Bearer sk_test_1"}
DOWN = {"name": "down", "rules": [{"match": {"operation": "getPayment"}, "status": 503}]}


class PaymentsUnavailable(Exception):
    """The client's own error."""


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[MockServer, VirtualClock]]:
    shared = VirtualClock()
    with MockServer(ROOT / "contracts" / "payments.yaml", clock=shared.now) as server:
        yield server, shared


@pytest.fixture
def virtual(running: tuple[MockServer, VirtualClock]) -> Iterator[VirtualTime]:
    server, shared = running
    server.reset()
    server.use_scenario(None)
    clock = VirtualTime(shared)
    clock.exempt.add(server.thread_ident or 0)
    with clock.active():
        yield clock
    server.use_scenario(None)


def stamina_get(url: str, **budget: Any) -> Any:
    """A payment fetched with stamina's retries around httpx (1 s timeout), its errors
    raised as the client's own."""
    with httpx.Client(base_url=url, headers=AUTH, timeout=1.0) as client:
        try:
            for attempt in stamina.retry_context(on=httpx.TransportError, **budget):
                with attempt:
                    return client.get(PAYMENT).json()
        except httpx.TransportError as error:
            raise PaymentsUnavailable("the payments API is unreachable") from error
    return None


@verdict("stamina", "retry_context(timeout=2) around httpx, provider unreachable",
         "raises_typed", passes=True)
def test_a_stamina_budget_below_the_deadline_passes(
        running: tuple[MockServer, VirtualClock], virtual: VirtualTime) -> None:
    server = running[0]
    view = ContractServer(server, sleeps=lambda: virtual.sleeps, virtual=lambda: True)
    error = view.raises_typed(lambda: stamina_get(server.refused_url, timeout=2),
                              (PaymentsUnavailable,))
    assert isinstance(error, PaymentsUnavailable)
    # the budget is checked after each attempt, so the last wait may end past it: at
    # most 2 s + stamina's fifth wait (1.6 s + up to 1 s of jitter)
    assert 1.5 <= virtual.slept() < 4.6


@verdict("stamina", "retry_context() defaults (10 attempts, about 25 s) behind a 5 s "
         "deadline, provider unreachable", "raises_typed", passes=False)
def test_staminas_default_budget_is_called_a_retry_budget_not_a_missing_timeout(
        running: tuple[MockServer, VirtualClock], virtual: VirtualTime) -> None:
    server = running[0]
    view = ContractServer(server, sleeps=lambda: virtual.sleeps, virtual=lambda: True)
    with pytest.raises(ContractViolation) as raised:
        view.raises_typed(lambda: stamina_get(server.refused_url), (PaymentsUnavailable,))
    message = str(raised.value)
    assert message.startswith("the call took ")
    assert "s to raise PaymentsUnavailable, more than 5 s: it slept " in message
    assert " in 9 waits between attempts (0 request(s) reached the mock), so the time went " \
        "in retrying, not in waiting on the provider; give the retries a budget below it " \
        "(stamina's timeout= or attempts=" in message
    assert "set a timeout" not in message
    assert len(virtual.sleeps) == 9  # stamina's default: 10 attempts


def test_a_hanging_request_is_told_to_set_a_timeout(
        running: tuple[MockServer, VirtualClock]) -> None:
    server = running[0]
    server.reset()
    slow_and_cut = {"name": "slow-cut", "rules": [
        {"match": {"operation": "getPayment"}, "latency": "600ms",
         "malformed": "invalid_json"}]}

    def get() -> Any:
        with httpx.Client(base_url=server.url, headers=AUTH) as client:
            try:
                return client.get(PAYMENT).json()
            except ValueError as error:
                raise PaymentsUnavailable("broken answer") from error

    with pytest.raises(ContractViolation) as raised:
        raises_typed(get, (PaymentsUnavailable,), server=server, scenario=slow_and_cut,
                     within=0.3)
    message = str(raised.value)
    assert "more than 0.3 s: a request waited 0.6" in message
    assert "s for its answer; set a timeout (and a retry budget)" in message


def breaker_client(server: MockServer, breaker: pybreaker.CircuitBreaker) -> None:
    with httpx.Client(base_url=server.url, headers=AUTH) as client:
        for _ in range(70):  # one call a second for 70 s
            with contextlib.suppress(httpx.HTTPStatusError, pybreaker.CircuitBreakerError):
                breaker.call(lambda: client.get(PAYMENT).raise_for_status())
            time.sleep(1.0)


def observed(server: MockServer, clock: VirtualTime) -> Calls:
    return Calls(server.journal.entries(), operation="getPayment", sleeps=clock.sleeps,
                 virtual=True)


def test_a_breaker_reading_wall_time_is_told_to_patch_datetime(
        running: tuple[MockServer, VirtualClock], virtual: VirtualTime) -> None:
    server = running[0]
    server.use_scenario(DOWN)
    breaker_client(server, pybreaker.CircuitBreaker(fail_max=3, reset_timeout=30))
    calls = observed(server, virtual).called(3).circuit_opened(after=3, reset_timeout=30)
    with pytest.raises(ContractViolation) as raised:
        calls.half_open_probe(reset_timeout=30)
    message = str(raised.value)
    assert message.startswith("getPayment: never probed the provider after a pause")
    assert "The client slept 68 s of virtual time after its last request and never called " \
        "again: its breaker measures the reset timeout with a clock virtual time does not " \
        "move, most likely datetime.now() (pybreaker, aiobreaker); call " \
        "virtual_time.patch_datetime(<the breaker's module>), e.g. " \
        "patch_datetime(pybreaker)" in message
