"""Webhook delivery (issue 15), each figure next to its baseline from the same run:

  - deliveries per second, signed (Standard Webhooks) and journalled, to a bare aiohttp
    receiver on 127.0.0.1 (its own process), one at a time and 100 at once (a burst),
    next to the same POSTs made by a bare aiohttp client;
  - the wall time of Stripe's three-day retry schedule (15 attempts, every answer a 500)
    under virtual time (target ≤ 0.5 s), next to the same 15 attempts with no waits.

    .venv/bin/python benchmarks/bench_webhooks.py [--deliveries 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

import aiohttp
from bench_server import ROOT, serving

from contractkit.assertions.virtual_time import VirtualClock
from contractkit.server.runner import MockServer
from contractkit.webhooks.schedule import PROVIDERS

ORDERS = ROOT / "examples" / "webhook_suite" / "contracts" / "orders.yaml"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
BURST = 100
RECEIVER = """
import asyncio, sys
from aiohttp import web

STATUS = int(sys.argv[1])

async def hook(request):
    await request.read()
    return web.Response(status=STATUS)

async def main():
    app = web.Application()
    app.router.add_post("/hooks", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    print(f"listening http://127.0.0.1:{runner.addresses[0][1]}/hooks", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


def receiver(status: int) -> Any:
    return serving([sys.executable, "-c", RECEIVER, str(status)])


async def bare_posts(url: str, body: bytes, count: int, concurrency: int) -> float:
    """Seconds for ``count`` POSTs of ``body`` by a bare aiohttp client."""
    async with aiohttp.ClientSession() as session:
        async def post() -> None:
            async with session.post(url, data=body,
                                    headers={"Content-Type": "application/json"}) as answer:
                await answer.read()

        started = time.perf_counter()
        for _ in range(count // concurrency):
            await asyncio.gather(*(post() for _ in range(concurrency)))
        return time.perf_counter() - started


def deliveries_per_second(count: int) -> None:
    burst = {"name": "burst", "rules": [], "webhooks": {"faults": [{"burst": BURST}]}}
    with receiver(204) as url, MockServer(ORDERS, webhooks_to=url,
                                          webhook_secret=SECRET) as server:
        body = server.app.webhooks.plan("orderCreated")[0].body
        server.deliver("orderCreated")  # warm: connection pool, caches
        started = time.perf_counter()
        for _ in range(count // 10):
            server.deliver("orderCreated")
        one = (count // 10) / (time.perf_counter() - started)
        server.use_scenario(burst)
        started = time.perf_counter()
        for _ in range(count // BURST):
            server.deliver("orderCreated")
        many = (count // BURST) * BURST / (time.perf_counter() - started)
        assert all(a.status == 204 for a in server.outbox.attempts())
        bare_one = (count // 10) / asyncio.run(bare_posts(url, body, count // 10, 1))
        bare_many = count / asyncio.run(bare_posts(url, body, count, BURST))
    print(f"{'deliveries to a bare aiohttp receiver':44} {'per s':>9} {'bare client':>12}")
    print(f"{'one at a time':44} {one:9.0f} {bare_one:12.0f}")
    print(f"{f'{BURST} at once (a burst)':44} {many:9.0f} {bare_many:12.0f}")


def three_day_schedule() -> None:
    clock = VirtualClock()
    stripe = PROVIDERS["stripe"]
    with receiver(500) as url, MockServer(ORDERS, clock=clock.now, webhooks_to=url,
                                          webhook_secret="whsec_test_secret_1234567890",
                                          webhook_signing="stripe") as server:
        def advance(seconds: float) -> bool:
            clock.advance(seconds)
            return True

        server.app.webhooks.sender.advance = advance
        server.deliver("orderCreated", retries="exponential:base=0,cap=0,retries=14",
                       signing="stripe", secret="whsec_test_secret_1234567890")  # warm
        started = time.perf_counter()
        waited = server.deliver("orderCreated")
        virtual = time.perf_counter() - started
        started = time.perf_counter()
        server.deliver("orderCreated", retries="exponential:base=0,cap=0,retries=14",
                       signing="stripe", secret="whsec_test_secret_1234567890")
        immediate = time.perf_counter() - started
    span = waited[-1].t_start - waited[0].t_start
    assert len(waited) == stripe.attempts
    assert waited[-1].final
    print(f"stripe schedule: {len(waited)} attempts over {span / 86_400:.2f} virtual days in "
          f"{virtual:.3f} s wall time   (target ≤ 0.5 s; the same attempts with no waits: "
          f"{immediate:.3f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    args = parser.parse_args()
    deliveries_per_second(args.deliveries)
    three_day_schedule()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
