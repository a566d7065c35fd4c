"""A client that wakes exactly at a ``Retry-After`` HTTP-date, on a real mock in virtual time,
many times: whole-second dates and the virtual clock must agree every time (issue 13: 12 of
20 such runs failed "retried after 2.10 s although ... at least 2.11 s").

The client and the mock share this process, so a garbage collection between the client's
wake-up and the mock reading the retry's headers delays the retry by real time: after the
rest of the suite has filled the heap, a full collection takes 10-40 ms, more than the
20 ms by which the early client then woke (CI failed "DID NOT RAISE" this way). Collection is
off while each exchange runs (measured here: the longest wake-to-headers gap went from
38 ms to 1.4 ms)."""

from __future__ import annotations

import email.utils
import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from tests.conftest import ROOT

from contractkit.assertions import Calls
from contractkit.assertions.virtual_time import VirtualClock, VirtualTime
from contractkit.errors import ContractViolation
from contractkit.server.runner import MockServer

PAYMENT = "/payments/pay_3Nf8aZq2LkP0sT7x"
AUTH = {"Authorization": "Bearer sk_test_1"}
BUSY = {"name": "busy-until", "rules": [{"match": {"operation": "getPayment"}, "sequence": [
    {"status": {"code": 503, "retry_after": {"after": "2s", "format": "http-date"}}},
    "pass"]}]}
REPEATS = 100


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[MockServer, VirtualClock]]:
    shared = VirtualClock()
    with MockServer(ROOT / "contracts" / "payments.yaml", clock=shared.now) as server:
        yield server, shared


@contextmanager
def no_collection_pauses() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def waking_at_the_date(server: MockServer, shared: VirtualClock, early: float) -> Calls:
    clock = VirtualTime(shared)
    clock.exempt.add(server.thread_ident or 0)
    server.reset()
    server.use_scenario(BUSY)
    with no_collection_pauses(), clock.active(), \
            httpx.Client(base_url=server.url, headers=AUTH) as client:
        answer = client.get(PAYMENT)
        date = email.utils.parsedate_to_datetime(answer.headers["retry-after"])
        time.sleep(max(0.0, date.timestamp() - time.time() - early))
        assert client.get(PAYMENT).status_code == 200
        return Calls(server.journal.entries(), operation="getPayment", sleeps=clock.sleeps,
                     virtual=True)


def test_a_client_that_wakes_at_the_date_passes_every_time(
        running: tuple[MockServer, VirtualClock]) -> None:
    failures = []
    for _ in range(REPEATS):
        try:
            waking_at_the_date(*running, early=0.0).honoured_retry_after()
        except ContractViolation as error:
            failures.append(str(error).splitlines()[0])
    assert not failures, f"{len(failures)} of {REPEATS}: {failures[:3]}"


def test_a_client_that_wakes_before_the_date_fails_every_time(
        running: tuple[MockServer, VirtualClock]) -> None:
    # 250 ms early: the scheduler of a loaded machine can hold the client back for tens of
    # milliseconds between its wake-up and the mock reading its retry (1 run in 100 of
    # the flake check with 20 ms), which made it late enough to be right
    for _ in range(10):
        with pytest.raises(ContractViolation, match=r"retried 0\.[12]\d\d s before the date "
                                                    r"its 503 gave \(Retry-After: \w{3}, "):
            waking_at_the_date(*running, early=0.25).honoured_retry_after()
