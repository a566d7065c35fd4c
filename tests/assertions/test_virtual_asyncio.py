"""Virtual time under asyncio: the clock jumps only when every task waits for time, so
timeouts, concurrent sleeps and requests in flight order as in real time; and datetime
patched for modules that ``import datetime`` (backoff's ``max_time``)."""

from __future__ import annotations

import asyncio
import datetime
import time
from collections.abc import Iterator
from typing import Any

import aiohttp
import backoff
import backoff._async
import pytest
from tests.assertions.matrix import verdict
from tests.conftest import ROOT

from contractkit.assertions import Calls
from contractkit.assertions.virtual_time import VirtualClock, VirtualTime
from contractkit.server.runner import MockServer

PAYMENT = "/payments/pay_3Nf8aZq2LkP0sT7x"
AUTH = {"Authorization": "Bearer sk_test_1"}


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[MockServer, VirtualClock]]:
    shared = VirtualClock()
    with MockServer(ROOT / "contracts" / "payments.yaml", clock=shared.now) as server:
        yield server, shared


@pytest.fixture
def server(running: tuple[MockServer, VirtualClock]) -> Iterator[MockServer]:
    server = running[0]
    server.reset()
    server.use_scenario(None)
    yield server
    server.use_scenario(None)


def virtual(running: tuple[MockServer, VirtualClock]) -> VirtualTime:
    clock = VirtualTime(running[1])
    clock.exempt.add(running[0].thread_ident or 0)
    return clock


def test_concurrent_sleeps_and_timeouts_wake_in_real_time_order() -> None:
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        woke.append((name, round(asyncio.get_running_loop().time() - start, 3)))

    async def timed_out() -> None:
        try:
            await asyncio.wait_for(asyncio.sleep(5), 2.5)
        except TimeoutError:
            woke.append(("timeout", round(asyncio.get_running_loop().time() - start, 3)))

    async def main() -> None:
        await asyncio.gather(sleeper("3 s", 3), sleeper("1 s", 1), timed_out(),
                             sleeper("2 s", 2))

    clock = VirtualTime()
    with clock.active():
        start = time.monotonic()
        asyncio.run(main())
        elapsed = time.monotonic() - start
    assert [name for name, _ in woke] == ["1 s", "2 s", "timeout", "3 s"]
    assert [at for _, at in woke] == pytest.approx([1, 2, 2.5, 3], abs=0.05)
    assert elapsed == pytest.approx(3, abs=0.05)
    # the sleep the timeout cut short is recorded as slept until then
    assert sorted(round(s.seconds, 1) for s in clock.sleeps) == [1, 2, 2.5, 3]


def test_loop_time_is_the_shared_clock() -> None:
    async def main() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        before = (loop.time(), time.monotonic())
        await asyncio.sleep(60)
        return loop.time() - before[0], time.monotonic() - before[1]

    clock = VirtualTime()
    with clock.active():
        by_loop, by_monotonic = asyncio.run(main())
    assert by_loop == pytest.approx(60, abs=0.05)
    assert by_monotonic == pytest.approx(60, abs=0.05)
    assert clock.clock.offset == pytest.approx(60, abs=0.05)


def test_a_timeout_does_not_fire_while_its_request_is_on_the_way(
        running: tuple[MockServer, VirtualClock], server: MockServer) -> None:
    server.use_scenario({"name": "slow", "rules": [
        {"match": {"operation": "getPayment"}, "latency": "300ms"}]})

    async def main() -> int:
        async def heartbeat() -> None:
            await asyncio.sleep(60)

        async with aiohttp.ClientSession(headers=AUTH) as session:
            async def fetch() -> int:
                async with session.get(server.url + PAYMENT) as answer:
                    return answer.status
            status, _ = await asyncio.gather(asyncio.wait_for(fetch(), 2), heartbeat())
            return status

    with virtual(running).active():
        assert asyncio.run(main()) == 200


async def good_client(url: str, heartbeats: int) -> None:
    """A timeout per request, retries on a timeout, and another task that starts sleeping
    once the request is sent."""
    sent = asyncio.Event()

    async def on_sent(*_: Any) -> None:
        sent.set()

    async def heartbeat() -> None:
        await sent.wait()
        for _ in range(heartbeats):
            await asyncio.sleep(0.25)

    tracing = aiohttp.TraceConfig()
    tracing.on_request_headers_sent.append(on_sent)
    async with aiohttp.ClientSession(headers=AUTH, trace_configs=[tracing],
                                     timeout=aiohttp.ClientTimeout(total=0.6)) as session:
        async def fetch() -> None:
            for _ in range(3):
                try:
                    async with session.get(url + PAYMENT) as answer:
                        await answer.read()
                        return
                except TimeoutError:
                    continue
        await asyncio.gather(fetch(), heartbeat())


@verdict("aiohttp", "ClientTimeout(total=0.6), retried on timeout, another task sleeping",
         "called", passes=True)
def test_a_good_aiohttp_client_sends_as_many_requests_in_virtual_as_in_real_time(
        running: tuple[MockServer, VirtualClock], server: MockServer) -> None:
    server.use_scenario({"name": "slow", "rules": [
        {"match": {"operation": "getPayment"}, "latency": "200ms"}]})
    asyncio.run(good_client(server.url, heartbeats=4))
    real = len(server.journal.entries())
    server.reset()
    clock = virtual(running)
    with clock.active():
        asyncio.run(good_client(server.url, heartbeats=4))
    assert real == 1
    assert len(server.journal.entries()) == real
    assert clock.slept() == pytest.approx(1.0)


def test_patch_datetime_works_for_a_module_that_imports_datetime() -> None:
    clock = VirtualTime()
    with clock.active():
        clock.patch_datetime(backoff._async)
        assert backoff._async.datetime.timedelta is datetime.timedelta
        clock.clock.advance(3600)
        now = backoff._async.datetime.datetime.now()
        assert now - datetime.datetime.now() > datetime.timedelta(minutes=59)
    assert backoff._async.datetime is datetime


@verdict("backoff", "on_exception(backoff.expo, max_time=30, jitter=None), async, "
         "datetime patched", "retry_budget", passes=True)
def test_backoff_max_time_holds_in_virtual_time(
        running: tuple[MockServer, VirtualClock], server: MockServer) -> None:
    server.use_scenario({"name": "down", "rules": [
        {"match": {"operation": "getPayment"}, "status": 503}]})

    @backoff.on_exception(backoff.expo, aiohttp.ClientResponseError, max_time=30,
                          jitter=None)
    async def fetch(session: aiohttp.ClientSession) -> Any:
        async with session.get(server.url + PAYMENT, raise_for_status=True) as answer:
            return await answer.json()

    async def main() -> None:
        async with aiohttp.ClientSession(headers=AUTH) as session:
            await fetch(session)

    clock = virtual(running)
    with clock.active():
        clock.patch_datetime(backoff._async)
        with pytest.raises(aiohttp.ClientResponseError):
            asyncio.run(main())
    # 1 + 2 + 4 + 8 s, then the last wait cut to what is left of the 30 s
    assert [round(s.seconds, 2) for s in clock.sleeps][:4] == [1, 2, 4, 8]
    assert clock.slept() == pytest.approx(30, abs=0.1)
    assert len(server.journal.entries()) == 6
    Calls(server.journal.entries(), operation="getPayment", sleeps=clock.sleeps,
          virtual=True).called(6).retry_budget(total=30.1, attempts=6)
