"""Runs the one payments suite against either client: ``--payments-client=resilient``
(the default) or ``--payments-client=naive``.

Every test runs in virtual time (the ``client`` fixture asks for ``virtual_time``): retry
waits, ``Retry-After`` and breaker timeouts cost nothing, and the journal still shows the
exact gaps. The mock's own faults (a hang, a slow answer) keep real time.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pybreaker
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the payments_client package

from payments_client import naive, resilient

CLIENTS = ("resilient", "naive")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--payments-client", choices=CLIENTS, default="resilient",
                     help="which example client the suite tests (default: resilient)")


def pytest_report_header(config: pytest.Config) -> str:
    return f"payments client under test: {config.getoption('payments_client')}"


class TokenVault:
    """A token provider that hands out a new token each time it is asked."""

    def __init__(self) -> None:
        self.issued: list[str] = []
        self._numbers = itertools.count(1)

    def __call__(self) -> str:
        token = f"sk_test_51Hx9q{next(self._numbers):04d}Tz7Qp"
        self.issued.append(token)
        return token


@pytest.fixture
def tokens() -> TokenVault:
    return TokenVault()


@pytest.fixture
def client_for(request: pytest.FixtureRequest, virtual_time: Any,
               tokens: TokenVault) -> Iterator[Callable[[str], Any]]:
    """``client_for(base_url)``: the client under test, configured for the suite."""
    kind = request.config.getoption("payments_client")
    made: list[Any] = []

    def make(base_url: str) -> Any:
        if kind == "naive":
            client: Any = naive.PaymentsClient(base_url, token_provider=tokens)
        else:
            virtual_time.patch_datetime(pybreaker)  # pybreaker reads datetime.now()
            client = resilient.PaymentsClient(
                base_url, token_provider=tokens, connect_timeout=0.5, read_timeout=0.5,
                max_attempts=4, backoff_base=0.25, backoff_cap=4.0, max_retry_after=5.0,
                breaker=pybreaker.CircuitBreaker(fail_max=4, reset_timeout=5,
                                                   throw_new_error_on_trip=False))
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(client_for: Callable[[str], Any], contract_server: Any) -> Any:
    """The client under test, pointed at the mock."""
    return client_for(contract_server.url)
