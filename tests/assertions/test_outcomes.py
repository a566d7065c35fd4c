"""``tolerates`` and ``raises_typed`` against a real mock, with a tiny client written here."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.conftest import ROOT

from contractkit.assertions import Calls, no_secrets_in, raises_typed, tolerates
from contractkit.consumer import ContractServer
from contractkit.errors import ContractViolation
from contractkit.server.runner import MockServer

PAYMENT = "/payments/pay_3Nf8aZq2LkP0sT7x"
AUTH = {"Authorization": "Bearer sk_test_1"}
INVALID_JSON = {"name": "cut", "rules": [{"match": {"any": True},
                                          "malformed": "invalid_json"}]}


class PaymentsError(Exception):
    """The client's own error type."""


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(ROOT / "contracts" / "payments.yaml") as running:
        yield running


@pytest.fixture
def client(server: MockServer) -> Iterator[httpx.Client]:
    server.use_scenario(None)
    server.reset()
    with httpx.Client(base_url=server.url, headers=AUTH) as http:
        yield http


def payment(client: httpx.Client) -> dict[str, Any]:
    data: dict[str, Any] = client.get(PAYMENT).json()
    return data


def careful(client: httpx.Client) -> dict[str, Any]:
    try:
        return payment(client)
    except (ValueError, httpx.HTTPError) as error:
        raise PaymentsError("the payments API sent a broken answer") from error


def test_tolerates_a_reader_that_ignores_drift(server: MockServer,
                                               client: httpx.Client) -> None:
    assert tolerates(lambda: payment(client)["id"], server=server) == "pay_3Nf8aZq2LkP0sT7x"


def test_tolerates_fails_when_the_drift_raises(server: MockServer,
                                               client: httpx.Client) -> None:
    with pytest.raises(ContractViolation) as raised:
        tolerates(lambda: payment(client)["description"], server=server)
    message = str(raised.value)
    assert message.startswith("the call raised builtins.KeyError: 'description' under "
                              "'schema-drift', but returned")
    assert "a tolerant reader ignores unknown fields" in message
    assert "GET /v1/payments/pay_3Nf8aZq2LkP0sT7x" in message
    assert "mutate" in message


def test_tolerates_fails_when_the_drift_changes_the_result(server: MockServer,
                                                           client: httpx.Client) -> None:
    def amount() -> int:  # reads the optional amount_captured as if it were the amount
        data = payment(client)
        return int(data.get("amount_captured", data["amount"] // 2))

    with pytest.raises(ContractViolation) as raised:
        tolerates(lambda: {"id": payment(client)["id"], "amount": amount()}, server=server)
    assert str(raised.value).startswith("under 'schema-drift' the call's result changed in 1 "
                                        "place(s) the drift did not touch")
    assert "\n  amount: " in str(raised.value)


def test_tolerates_restores_the_scenario(server: MockServer, client: httpx.Client) -> None:
    server.use_scenario("flaky")
    tolerates(lambda: payment(client)["id"],
              scenario={"name": "extra", "rules": [
                  {"match": {"any": True}, "mutate": {"extra_fields": 1}}]}, server=server)
    assert server.app.scenarios.active() == "flaky"


def test_outcomes_restore_the_scenario_through_a_view(server: MockServer,
                                                      client: httpx.Client) -> None:
    server.use_scenario("flaky")
    tolerates(lambda: payment(client)["id"], server=ContractServer(server),
              scenario={"name": "extra", "rules": [
                  {"match": {"any": True}, "mutate": {"extra_fields": 1}}]})
    assert server.app.scenarios.active() == "flaky"
    server.use_scenario(None)
    raises_typed(lambda: careful(client), (PaymentsError,), server=ContractServer(server),
                 scenario=INVALID_JSON)
    assert server.app.scenarios.active() is None


def test_raises_typed_passes_for_the_clients_own_error(server: MockServer,
                                                       client: httpx.Client) -> None:
    error = raises_typed(lambda: careful(client), (PaymentsError,), server=server,
                         scenario=INVALID_JSON)
    assert isinstance(error, PaymentsError)
    assert server.app.scenarios.active() is None


def test_raises_typed_fails_when_a_library_error_leaks(server: MockServer,
                                                       client: httpx.Client) -> None:
    with pytest.raises(ContractViolation) as raised:
        raises_typed(lambda: payment(client), (PaymentsError,), server=server,
                     scenario=INVALID_JSON)
    assert str(raised.value).startswith(
        "the call raised json.decoder.JSONDecodeError: ")
    assert "instead of PaymentsError: a library error from deep inside leaked out" \
        in str(raised.value)
    assert isinstance(raised.value.__cause__, json.JSONDecodeError)


def test_raises_typed_accepts_idempotent_retries_that_end_in_a_good_answer(
        server: MockServer, client: httpx.Client) -> None:
    def strict() -> dict[str, Any]:
        try:
            answer = client.get(PAYMENT)
            answer.raise_for_status()
            if answer.headers.get("content-type", "").split(";")[0] != "application/json":
                raise PaymentsError(f"not JSON: {answer.headers.get('content-type')}")
            data: dict[str, Any] = answer.json()
        except (ValueError, httpx.HTTPError) as error:
            raise PaymentsError("the payments API sent a broken answer") from error
        return data

    def retrying() -> dict[str, Any]:
        for _ in range(9):
            try:
                return strict()
            except PaymentsError:
                continue
        raise PaymentsError("gave up")

    # malformed: six broken answers (one of each kind), then good ones
    assert raises_typed(retrying, (PaymentsError,), server=server, scenario="malformed") is None
    assert len(server.journal.entries()) == 7
    server.reset()
    error = raises_typed(retrying, (PaymentsError,), server=server, scenario=INVALID_JSON)
    assert isinstance(error, PaymentsError)


def test_raises_typed_fails_a_blind_retry_of_a_post(server: MockServer,
                                                    client: httpx.Client) -> None:
    body = {"amount": 2000, "currency": "EUR", "payment_method": {
        "type": "card", "number": "4242424242424242", "exp_month": 12, "exp_year": 2030,
        "cvc": "123"}}

    def create(key: bool) -> object:
        headers = {"Idempotency-Key": "k-1"} if key else {}
        for _ in range(3):
            try:
                return client.post("/payments", json=body, headers=headers).json()
            except ValueError:
                continue
        raise PaymentsError("gave up")

    with pytest.raises(ContractViolation) as raised:
        raises_typed(lambda: create(key=False), (PaymentsError,), server=server,
                     scenario=INVALID_JSON)
    message = str(raised.value)
    assert message.startswith("the call retried POST /v1/payments without an Idempotency-Key "
                              "after a broken answer (")
    assert re.search(r"\n>  \+[0-9.]+ s  POST /v1/payments", message), message  # marked
    server.reset()
    raises_typed(lambda: create(key=True), (PaymentsError,), server=server,
                 scenario=INVALID_JSON)


def test_raises_typed_fails_when_nothing_was_broken(server: MockServer,
                                                    client: httpx.Client) -> None:
    never = {"name": "never", "rules": [{"match": {"operation": "listPayments"},
                                         "malformed": "invalid_json"}]}
    with pytest.raises(ContractViolation, match=r"none of the 1 answer\(s\) the call got was "
                                                r"broken \(the scenario's rule did not fire\)"):
        raises_typed(lambda: careful(client), (PaymentsError,), server=server, scenario=never)


def test_raises_typed_fails_when_nothing_is_raised(server: MockServer,
                                                   client: httpx.Client) -> None:
    with pytest.raises(ContractViolation) as raised:
        raises_typed(lambda: careful(client), (PaymentsError,), server=server,
                     scenario={"name": "label", "rules": [
                         {"match": {"any": True}, "malformed": "wrong_content_type"}]})
    message = str(raised.value)
    assert "instead of raising PaymentsError, although its last answer was broken (200 " \
        "(malformed wrong_content_type)): the broken answer was taken for a good one" in message
    # the timeline shows the same answer, marked
    assert re.search(r"\n> .*200 \(malformed wrong_content_type\)", message), message


def test_raises_typed_fails_when_it_is_slow(server: MockServer, client: httpx.Client) -> None:
    slow_and_cut = {"name": "slow", "rules": [
        {"match": {"any": True}, "latency": "100ms", "malformed": "invalid_json"}]}
    with pytest.raises(ContractViolation, match=r"took 0\.1\d s to raise PaymentsError, more "
                                                r"than 0\.05 s"):
        raises_typed(lambda: careful(client), (PaymentsError,), server=server,
                     scenario=slow_and_cut, within=0.05)


class OtherError(Exception):
    """Another error of the client's own, not the one the test expects."""


def test_raises_typed_tells_a_wrong_own_error_from_a_library_leak(
        server: MockServer, client: httpx.Client) -> None:
    def wrong() -> object:
        try:
            return payment(client)
        except ValueError as error:
            raise OtherError("broken") from error

    with pytest.raises(ContractViolation) as raised:
        raises_typed(wrong, (PaymentsError,), server=server, scenario=INVALID_JSON)
    assert "the client's own error is not one of those the test expects" in str(raised.value)
    assert "leaked out" not in str(raised.value)


async def aget(client: httpx.AsyncClient) -> dict[str, Any]:
    try:
        data: dict[str, Any] = (await client.get(PAYMENT)).json()
    except ValueError as error:
        raise PaymentsError("the payments API sent a broken answer") from error
    return data


def test_outcomes_take_async_calls(server: MockServer) -> None:
    class Reader:  # an object whose __call__ is async
        def __init__(self, client: httpx.AsyncClient) -> None:
            self.client = client

        async def __call__(self) -> str:
            return str((await aget(self.client))["id"])

    async def main() -> tuple[Any, ...]:
        async with httpx.AsyncClient(base_url=server.url, headers=AUTH) as client:
            by_function = await tolerates(Reader(client), server=server)
            by_lambda = await tolerates(lambda: aget(client), server=server)
            error = await raises_typed(lambda: aget(client), (PaymentsError,),
                                       server=server, scenario=INVALID_JSON)
            return by_function, by_lambda["id"], error

    server.use_scenario(None)
    by_function, by_lambda, error = asyncio.run(main())
    assert by_function == by_lambda == "pay_3Nf8aZq2LkP0sT7x"
    assert isinstance(error, PaymentsError)
    assert server.app.scenarios.active() is None


def test_an_async_call_that_leaks_a_library_error_fails(server: MockServer) -> None:
    async def main() -> None:
        async with httpx.AsyncClient(base_url=server.url, headers=AUTH) as client:
            async def leaky() -> Any:
                return (await client.get(PAYMENT)).json()
            await raises_typed(leaky, (PaymentsError,), server=server, scenario=INVALID_JSON)

    with pytest.raises(ContractViolation, match=r"the call raised json\.decoder\.JSONDecodeError"):
        asyncio.run(main())


def test_calls_without_a_server_say_how_to_get_one() -> None:
    with pytest.raises(TypeError, match=r"use contract_server.expect\(...\)"):
        Calls([], operation=None).tolerates(lambda: 1)


def test_no_secrets_in_is_a_free_function_too(server: MockServer,
                                              client: httpx.Client) -> None:
    client.get(PAYMENT)
    no_secrets_in("GET /payments failed", server=server)
    with pytest.raises(ContractViolation, match="1 credential"):
        no_secrets_in("sent Bearer sk_test_1", server=server)
