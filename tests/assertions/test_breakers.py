"""``circuit_opened`` and ``half_open_probe`` on real circuit breakers, under virtual time:
pybreaker (sync, reads ``datetime.now()``: patched) and purgatory (async, reads
``time.time()``), each in a good configuration and with a reset timeout shorter than the
provider's outage (30 s, as its ``Retry-After`` says)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Iterator

import aiohttp
import httpx
import purgatory
import pybreaker
import pytest
from purgatory.domain.model import OpenedState
from tests.assertions.matrix import verdict
from tests.conftest import ROOT

from contractkit.assertions import Calls
from contractkit.assertions.virtual_time import VirtualClock, VirtualTime
from contractkit.errors import ContractViolation
from contractkit.server.runner import MockServer

PAYMENT = "/payments/pay_3Nf8aZq2LkP0sT7x"
AUTH = {"Authorization": "Bearer sk_test_1"}
DOWN = {"name": "down", "rules": [{"match": {"operation": "getPayment"},
                                   "status": {"code": 503, "retry_after": "30s"}}]}


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[MockServer, VirtualClock]]:
    shared = VirtualClock()
    with MockServer(ROOT / "contracts" / "payments.yaml", clock=shared.now) as server:
        yield server, shared


@pytest.fixture
def virtual(running: tuple[MockServer, VirtualClock]) -> Iterator[VirtualTime]:
    server, shared = running
    server.reset()
    server.use_scenario(DOWN)
    clock = VirtualTime(shared)
    clock.exempt.add(server.thread_ident or 0)
    with clock.active():
        yield clock
    server.use_scenario(None)


def observed(server: MockServer, clock: VirtualTime) -> Calls:
    return Calls(server.journal.entries(), operation="getPayment", sleeps=clock.sleeps,
                 virtual=True)


def gap(message: str) -> float:
    match = re.match(r"getPayment: called the provider again ([0-9.]+) s after a failure",
                     message)
    assert match, message
    return float(match[1])


def pybreaker_client(server: MockServer, reset_timeout: float) -> None:
    breaker = pybreaker.CircuitBreaker(fail_max=3, reset_timeout=reset_timeout)
    with httpx.Client(base_url=server.url, headers=AUTH) as client:
        for _ in range(70):  # one call a second for 70 s
            with contextlib.suppress(httpx.HTTPStatusError, pybreaker.CircuitBreakerError):
                breaker.call(lambda: client.get(PAYMENT).raise_for_status())
            time.sleep(1.0)


def purgatory_client(server: MockServer, ttl: float) -> None:
    breakers = purgatory.AsyncCircuitBreakerFactory(default_threshold=3, default_ttl=ttl)

    async def main() -> None:
        async with aiohttp.ClientSession(headers=AUTH, raise_for_status=True) as session:
            @breakers("payments")
            async def fetch() -> None:
                async with session.get(server.url + PAYMENT) as answer:
                    await answer.read()

            for _ in range(70):
                with contextlib.suppress(aiohttp.ClientResponseError, OpenedState):
                    await fetch()
                await asyncio.sleep(1.0)
    asyncio.run(main())


@verdict("pybreaker", "CircuitBreaker(fail_max=3, reset_timeout=30), datetime patched",
         "circuit_opened", passes=True)
@verdict("pybreaker", "CircuitBreaker(fail_max=3, reset_timeout=30), datetime patched",
         "half_open_probe", passes=True)
def test_pybreaker_opens_and_probes(running: tuple[MockServer, VirtualClock],
                                    virtual: VirtualTime) -> None:
    virtual.patch_datetime(pybreaker)
    pybreaker_client(running[0], reset_timeout=30)
    observed(running[0], virtual).called(5).circuit_opened(after=3, reset_timeout=30) \
        .half_open_probe(reset_timeout=30)


@verdict("pybreaker", "CircuitBreaker(fail_max=3, reset_timeout=5): reopens too soon",
         "circuit_opened", passes=False)
def test_pybreaker_with_a_short_reset_timeout_fails(running: tuple[MockServer, VirtualClock],
                                                    virtual: VirtualTime) -> None:
    virtual.patch_datetime(pybreaker)
    pybreaker_client(running[0], reset_timeout=5)
    with pytest.raises(ContractViolation) as raised:
        observed(running[0], virtual).circuit_opened(after=3, reset_timeout=30)
    message = str(raised.value)
    assert 5 <= gap(message) < 5.1
    assert "s after a failure, while its breaker should be open (it opens after 3 failures " \
        "in a row, for 30 s); an open breaker fails fast without calling" in message


@verdict("purgatory", "AsyncCircuitBreakerFactory(default_threshold=3, default_ttl=30)",
         "circuit_opened", passes=True)
@verdict("purgatory", "AsyncCircuitBreakerFactory(default_threshold=3, default_ttl=30)",
         "half_open_probe", passes=True)
def test_purgatory_opens_and_probes(running: tuple[MockServer, VirtualClock],
                                    virtual: VirtualTime) -> None:
    purgatory_client(running[0], ttl=30)
    observed(running[0], virtual).called(5).circuit_opened(after=3, reset_timeout=30) \
        .half_open_probe(reset_timeout=30)


@verdict("purgatory", "AsyncCircuitBreakerFactory(default_threshold=3, default_ttl=5): "
         "reopens too soon", "circuit_opened", passes=False)
def test_purgatory_with_a_short_ttl_fails(running: tuple[MockServer, VirtualClock],
                                          virtual: VirtualTime) -> None:
    purgatory_client(running[0], ttl=5)
    with pytest.raises(ContractViolation) as raised:
        observed(running[0], virtual).circuit_opened(after=3, reset_timeout=30)
    assert 5 <= gap(str(raised.value)) < 6.1  # purgatory waits for time() > opened + ttl
