"""``backed_off`` against real retry libraries, each in its documented default (or good)
configuration and in a bad one, on a real mock under virtual time.

Every good client must pass bare ``backed_off()`` and ``backed_off()`` pinned to its
library's family and parameters; every bad one must fail bare ``backed_off()`` with the
text given. The table in docs/reference/assertions.md ("Which library defaults each
family covers") is checked against ``LIBRARIES`` below.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp_retry
import backoff
import httpx
import httpx_retries
import pytest
import requests
import stamina
import tenacity
import urllib3
from requests.adapters import HTTPAdapter
from tests.assertions.matrix import register
from tests.conftest import ROOT

from contractkit.assertions import Calls
from contractkit.assertions.virtual_time import VirtualClock, VirtualTime
from contractkit.errors import ContractViolation
from contractkit.server.runner import MockServer

PAYMENT = "/payments/pay_3Nf8aZq2LkP0sT7x"
AUTH = {"Authorization": "Bearer sk_test_1"}


def failing(times: int) -> dict[str, Any]:
    return {"name": f"fail-{times}", "rules": [{"match": {"operation": "getPayment"},
                                                 "sequence": [{"status": 502}] * times
                                                 + ["pass"]}]}


# -- the clients: one GET of a payment, retried as each library is documented to ---------

def tenacity_client(wait: Any) -> Callable[[str], None]:
    def get(url: str) -> None:
        with httpx.Client(base_url=url, headers=AUTH) as client:
            for attempt in tenacity.Retrying(wait=wait, stop=tenacity.stop_after_attempt(8),
                                             reraise=True):
                with attempt:
                    client.get(PAYMENT).raise_for_status()
    return get


def urllib3_client(**options: Any) -> Callable[[str], None]:
    def get(url: str) -> None:
        retry = urllib3.Retry(total=8, status_forcelist=[502], **options)
        with requests.Session() as session:
            session.mount("http://", HTTPAdapter(max_retries=retry))
            session.get(url + PAYMENT, headers=AUTH, timeout=5).raise_for_status()
    return get


def stamina_client(**options: Any) -> Callable[[str], None]:
    def get(url: str) -> None:
        with httpx.Client(base_url=url, headers=AUTH) as client:
            for attempt in stamina.retry_context(on=httpx.HTTPStatusError, **options):
                with attempt:
                    client.get(PAYMENT).raise_for_status()
    return get


def backoff_client(wait_gen: Any, **options: Any) -> Callable[[str], None]:
    def get(url: str) -> None:
        with httpx.Client(base_url=url, headers=AUTH) as client:
            @backoff.on_exception(wait_gen, httpx.HTTPStatusError, max_tries=8, **options)
            def fetch() -> None:
                client.get(PAYMENT).raise_for_status()
            fetch()
    return get


def backoff_async_client(wait_gen: Any, **options: Any) -> Callable[[str], None]:
    def get(url: str) -> None:
        @backoff.on_exception(wait_gen, httpx.HTTPStatusError, max_tries=8, **options)
        async def fetch(client: httpx.AsyncClient) -> None:
            (await client.get(PAYMENT)).raise_for_status()

        async def main() -> None:
            async with httpx.AsyncClient(base_url=url, headers=AUTH) as client:
                await fetch(client)
        asyncio.run(main())
    return get


def httpx_retries_client(**options: Any) -> Callable[[str], None]:
    def get(url: str) -> None:
        transport = httpx_retries.RetryTransport(retry=httpx_retries.Retry(total=8, **options))
        with httpx.Client(base_url=url, headers=AUTH, transport=transport) as client:
            client.get(PAYMENT).raise_for_status()
    return get


def aiohttp_retry_client(options: Any) -> Callable[[str], None]:
    def get(url: str) -> None:
        async def main() -> None:
            async with aiohttp_retry.RetryClient(retry_options=options,
                                                 raise_for_status=False) as client, \
                    client.get(url + PAYMENT, headers=AUTH) as answer:
                assert answer.status == 200
        asyncio.run(main())
    return get


def decorrelated_client(base: float, cap: float) -> Callable[[str], None]:
    """AWS's "decorrelated jitter" (Architecture Blog, "Exponential Backoff And Jitter"):
    sleep = min(cap, uniform(base, sleep × 3)); no mainstream Python library ships it."""
    def get(url: str) -> None:
        sleep = base
        with httpx.Client(base_url=url, headers=AUTH) as client:
            while client.get(PAYMENT).status_code == 502:
                sleep = min(cap, random.uniform(base, sleep * 3))
                time.sleep(sleep)
    return get


@dataclass(frozen=True)
class Library:
    """A client, how many 502s in a row it meets, and what ``backed_off`` must say."""

    name: str
    client: Callable[[str], None]
    failures: int = 3
    #: the pinned assertion a good client also passes (``backed_off(**pinned)``)
    pinned: dict[str, Any] = field(default_factory=dict)
    #: for a bad client: a regular expression its failure must match
    fails_with: str | None = None
    #: the family row of the docs table this client is listed under
    family: str | None = None


LIBRARIES = [
    # -- documented defaults and good configurations -------------------------------------
    Library("tenacity wait_exponential()", tenacity_client(tenacity.wait_exponential()),
            pinned={"base": 1, "jitter": "none"}, family="none"),
    Library("tenacity wait_exponential(multiplier=1, min=4, max=10)",
            tenacity_client(tenacity.wait_exponential(multiplier=1, min=4, max=10)),
            failures=5, family="none"),
    Library("tenacity wait_random_exponential(multiplier=1, max=60)",
            tenacity_client(tenacity.wait_random_exponential(multiplier=1, max=60)),
            pinned={"base": 1, "cap": 60, "jitter": "full"}, family="full"),
    Library("tenacity wait_exponential_jitter()",
            tenacity_client(tenacity.wait_exponential_jitter()),
            pinned={"base": 1, "cap": 60, "jitter": "additive"}, family="additive"),
    Library("urllib3 Retry(backoff_factor=0.5)", urllib3_client(backoff_factor=0.5),
            pinned={"base": 0.5, "jitter": "none"}, family="none"),
    Library("urllib3 Retry(backoff_factor=0.5, backoff_jitter=1)",
            urllib3_client(backoff_factor=0.5, backoff_jitter=1.0),
            pinned={"base": 0.5, "jitter": "additive"}, family="additive"),
    Library("stamina retry_context() defaults", stamina_client(),
            pinned={"base": 0.1, "cap": 5, "jitter": "additive"}, family="additive"),
    Library("backoff.on_exception(backoff.expo)", backoff_client(backoff.expo),
            pinned={"base": 1, "jitter": "full"}, family="full"),
    Library("backoff.on_exception(backoff.expo), async", backoff_async_client(backoff.expo),
            pinned={"base": 1, "jitter": "full"}, family="full"),
    Library("backoff.on_exception(backoff.fibo)", backoff_client(backoff.fibo),
            failures=5),
    Library("httpx-retries Retry(backoff_factor=0.5)",
            httpx_retries_client(backoff_factor=0.5),  # its first delay is 2 × factor
            pinned={"base": 1, "jitter": "full"}, family="full"),
    Library("httpx-retries Retry(backoff_factor=0.5, backoff_jitter=0.5)",
            httpx_retries_client(backoff_factor=0.5, backoff_jitter=0.5),
            pinned={"base": 1, "jitter": "equal"}, family="equal"),
    Library("aiohttp-retry ExponentialRetry()",
            aiohttp_retry_client(aiohttp_retry.ExponentialRetry(attempts=8)),
            pinned={"base": 0.2, "jitter": "none"}, family="none"),
    Library("AWS decorrelated jitter (hand-written)", decorrelated_client(0.5, 20),
            pinned={"base": 0.5, "cap": 20, "jitter": "decorrelated"}, family="decorrelated"),
    # -- bad configurations, one flaw each -------------------------------------------------
    Library("tenacity without wait= (retries at once)", tenacity_client(tenacity.wait_none()),
            fails_with=r"^getPayment: slept nothing before retry 2 \(after 502\): a retry "
                       r"without a wait after a retryable failure is a hot loop"),
    Library("tenacity wait_fixed(0.01)", tenacity_client(tenacity.wait_fixed(0.01)),
            fails_with=r"^getPayment: slept the same 0\.010 s before each of its 3 retries "
                       r"\(retry 1, retry 2, retry 3\): a constant delay is not a backoff"),
    Library("urllib3 Retry() without backoff_factor", urllib3_client(),
            fails_with=r"^getPayment: slept nothing before retry 2 \(after 502\)"),
    Library("stamina with wait_exp_base=1, wait_jitter=0 (constant 0.1 s)",
            stamina_client(wait_exp_base=1, wait_jitter=0),
            fails_with=r"^getPayment: slept the same 0\.100 s before each of its 3 retries"),
    Library("backoff.on_exception(backoff.constant, interval=0.05, jitter=None)",
            backoff_client(backoff.constant, interval=0.05, jitter=None),
            fails_with=r"^getPayment: slept the same 0\.050 s before each of its 3 retries"),
    Library("httpx-retries Retry() without backoff_factor", httpx_retries_client(),
            fails_with=r"^getPayment: slept nothing before retry 2 \(after 502\)"),
]


#: the library each client is built with, by the start of its name
LIBRARY_NAMES = {"tenacity": "tenacity", "urllib3": "urllib3 Retry", "stamina": "stamina",
                 "backoff": "backoff", "httpx-retries": "httpx-retries",
                 "aiohttp-retry": "aiohttp-retry", "AWS": "hand-written (AWS)"}
for _library in LIBRARIES:
    register(next(v for k, v in LIBRARY_NAMES.items() if _library.name.startswith(k)),
             _library.name, "backed_off", passes=_library.fails_with is None,
             test=f"test_backoff_libraries.py::test_backed_off_on_a_real_library"
                  f"[{_library.name}]")


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[MockServer, VirtualClock]]:
    shared = VirtualClock()
    with MockServer(ROOT / "contracts" / "payments.yaml", clock=shared.now) as server:
        yield server, shared


def run(running: tuple[MockServer, VirtualClock], library: Library) -> Calls:
    server, shared = running
    clock = VirtualTime(shared)
    clock.exempt.add(server.thread_ident or 0)
    server.reset()
    server.use_scenario(failing(library.failures))
    try:
        with clock.active():
            library.client(server.url)
            deadline = time.perf_counter() + 5.0
            while any(e.t_resp_end is None for e in server.journal.entries()):
                assert time.perf_counter() < deadline
    finally:
        server.use_scenario(None)
    entries = server.journal.entries(operation_id="getPayment")
    assert [e.status for e in entries] == [502] * library.failures + [200]
    return Calls(entries, operation="getPayment", sleeps=clock.sleeps, virtual=True)


@pytest.mark.parametrize("library", LIBRARIES, ids=[lib.name for lib in LIBRARIES])
def test_backed_off_on_a_real_library(running: tuple[MockServer, VirtualClock],
                                      library: Library) -> None:
    calls = run(running, library)
    if library.fails_with is None:
        calls.backed_off()
        if library.pinned:
            calls.backed_off(**library.pinned)
        return
    with pytest.raises(ContractViolation) as raised:
        calls.backed_off()
    assert re.search(library.fails_with, str(raised.value)), str(raised.value)
    # the how-to's `backed_off(kind="exponential")` without base judged these by a base
    # inferred from the first wait, so a client that never waited passed
    with pytest.raises(ContractViolation):
        calls.backed_off(kind="exponential")


def test_a_wrong_family_says_which_one_fits(
        running: tuple[MockServer, VirtualClock]) -> None:
    stamina_default = next(lib for lib in LIBRARIES if lib.name.startswith("stamina retry"))
    calls = run(running, stamina_default)
    with pytest.raises(ContractViolation) as raised:
        calls.backed_off(base=0.1, jitter="full")
    message = str(raised.value)
    assert re.search(r"^getPayment: slept \d\.\d{3} s before retry \d \(after 502\), above "
                     r"the 0\.000–0\.\d{3} s full jitter waits a random part of the delay "
                     r"allows there", message), message
    assert "that is jitter=\"additive\"" in message


def test_the_docs_table_lists_every_good_library() -> None:
    docs = (ROOT / "docs" / "reference" / "assertions.md").read_text()
    table = docs[docs.index("| family |"):]
    table = table[:table.index("\n\n")]
    for library in LIBRARIES:
        if library.family is None:
            continue
        row = next(line for line in table.splitlines()
                   if line.startswith(f"| `{library.family}` "))
        assert library.name.split(" ")[0].split(".")[0] in row, (library.name, row)
