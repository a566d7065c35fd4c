"""``tolerates`` judged on real pydantic v2 readers of the payments contract: the tolerant
ones (``extra="ignore"``, optionals with defaults, enums with a fallback) pass; each
intolerant one fails on its flaw, and the message says which field and why."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Any, Literal

import httpx
import pydantic
import pytest
from pydantic import BaseModel, ConfigDict
from tests.assertions.matrix import verdict
from tests.conftest import ROOT

from contractkit.assertions import tolerates
from contractkit.consumer import ContractServer
from contractkit.errors import ContractViolation
from contractkit.server.runner import MockServer

PAYMENT = "/payments/pay_3Nf8aZq2LkP0sT7x"


class Status(str, enum.Enum):
    REQUIRES_CAPTURE = "requires_capture"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    UNKNOWN = "unknown"

    @classmethod
    def _missing_(cls, value: object) -> Status:
        return cls.UNKNOWN


class Payment(BaseModel):
    """As the pydantic docs advise for an API's answers: unknown fields ignored, optional
    fields defaulted, an enum that maps values it does not know to a fallback."""

    model_config = ConfigDict(extra="ignore")
    id: str
    amount: int
    currency: str
    status: Status
    description: str | None = None
    metadata: dict[str, str] = pydantic.Field(default_factory=dict)
    amount_refunded: int = 0


class StrictPayment(Payment):
    """Every property the contract declares, and nothing else allowed."""

    model_config = ConfigDict(extra="forbid")
    object: str
    payment_method: dict[str, Any]
    created: str
    livemode: bool
    amount_captured: int = 0
    capture_method: str = "automatic"
    billing_details: dict[str, Any] | None = None
    last_error: dict[str, Any] | None = None
    captured_at: str | None = None


class DescribedPayment(Payment):
    description: str | None  # the contract says optional; the reader requires it


class ClosedPayment(BaseModel):
    id: str
    status: Literal["requires_capture", "processing", "succeeded", "failed", "canceled"]


class Page(BaseModel):
    data: list[Payment]
    has_more: bool
    next_cursor: str | None


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(ROOT / "contracts" / "payments.yaml") as running:
        yield running


@pytest.fixture
def client(server: MockServer) -> Iterator[httpx.Client]:
    server.use_scenario(None)
    server.reset()
    with httpx.Client(base_url=server.url,
                      headers={"Authorization": "Bearer sk_test_1"}) as http:
        yield http


def body(client: httpx.Client, path: str = PAYMENT) -> Any:
    answer = client.get(path)
    answer.raise_for_status()
    return answer.json()


def violation(call: Any, server: MockServer) -> str:
    with pytest.raises(ContractViolation) as raised:
        tolerates(call, server=server)
    return str(raised.value)


# -- good readers ------------------------------------------------------------------------

@verdict("pydantic v2", 'BaseModel, extra="ignore", optionals defaulted, enum with a fallback',
         "tolerates", passes=True)
def test_a_tolerant_pydantic_reader_passes(server: MockServer, client: httpx.Client) -> None:
    baseline = Payment.model_validate(body(client))
    assert baseline.description is not None  # the premise: the mock sends the optionals
    result = tolerates(lambda: Payment.model_validate(body(client)), server=server)
    assert result.status is Status.UNKNOWN
    assert result.description is None
    assert (result.id, result.amount) == (baseline.id, baseline.amount)


@verdict("pydantic v2", "a page model (list of payments, nullable cursor)", "tolerates",
         passes=True)
def test_a_tolerant_page_reader_passes_through_the_fixture_view(
        server: MockServer, client: httpx.Client) -> None:
    page = tolerates(lambda: Page.model_validate(body(client, "/payments")),
                     server=ContractServer(server))
    assert page.next_cursor is None or isinstance(page.next_cursor, str)


def test_a_plain_dict_reader_that_keeps_unknown_values_passes(
        server: MockServer, client: httpx.Client) -> None:
    def read() -> dict[str, Any]:
        data = body(client)
        return {"id": data["id"], "amount": data["amount"], "status": data["status"],
                "description": data.get("description"), "extra": {
                    k: v for k, v in data.items() if k.startswith("x_")}}

    assert tolerates(read, server=server)["status"] == "unknown_value"


def test_a_reader_that_maps_an_unknown_enum_to_its_own_fallback_passes(
        server: MockServer, client: httpx.Client) -> None:
    known = {"requires_capture", "processing", "succeeded", "failed", "canceled"}

    def read() -> tuple[str, str]:
        data = body(client)
        return data["id"], data["status"] if data["status"] in known else "other"

    assert tolerates(read, server=server) == ("pay_3Nf8aZq2LkP0sT7x", "other")


# -- bad readers -------------------------------------------------------------------------

@verdict("pydantic v2", 'extra="forbid"', "tolerates", passes=False)
def test_extra_forbid_fails_naming_the_unknown_field(server: MockServer,
                                                     client: httpx.Client) -> None:
    message = violation(lambda: StrictPayment.model_validate(body(client)), server)
    assert message.startswith("the call raised pydantic_core._pydantic_core.ValidationError")
    assert "x_contractkit_extra_0_0\n  Extra inputs are not permitted" in message
    assert "under 'schema-drift', but returned StrictPayment(" in message
    assert "a tolerant reader ignores unknown fields" in message


@verdict("pydantic v2", "an optional field declared required", "tolerates", passes=False)
def test_a_required_optional_fails(server: MockServer, client: httpx.Client) -> None:
    message = violation(lambda: DescribedPayment.model_validate(body(client)), server)
    assert "description\n  Field required" in message


@verdict("pydantic v2", "a closed Literal enum", "tolerates", passes=False)
def test_a_closed_literal_enum_fails(server: MockServer, client: httpx.Client) -> None:
    message = violation(lambda: ClosedPayment.model_validate(body(client)), server)
    assert "status\n  Input should be 'requires_capture', 'processing'" in message
    assert "maps unknown enum values to a fallback" in message


def test_a_reader_that_crashes_on_null_fails(server: MockServer,
                                             client: httpx.Client) -> None:
    def cursor() -> int:
        return len(body(client, "/payments")["next_cursor"])

    server.use_scenario(None)
    with pytest.raises(ContractViolation) as raised:
        # next_cursor is required and nullable: only `nulls` touches it
        tolerates(cursor, server=server, scenario={"name": "nulls", "rules": [
            {"match": {"any": True}, "mutate": {"nulls": True}}]})
    assert str(raised.value).startswith(
        "the call raised builtins.TypeError: object of type 'NoneType' has no len() under "
        "'nulls', but returned ")


@verdict("pydantic v2", "a blank model returned on a ValidationError", "tolerates",
         passes=False)
def test_a_reader_that_blanks_the_answer_on_surprise_fails_with_a_field_diff(
        server: MockServer, client: httpx.Client) -> None:
    def read() -> Payment:
        try:
            data = body(client)
            ClosedPayment.model_validate(data)
            return Payment.model_validate(data)
        except pydantic.ValidationError:
            return Payment(id="", amount=0, currency="EUR", status=Status.UNKNOWN)

    message = violation(read, server)
    first, *rest = message.splitlines()
    assert first == ("under 'schema-drift' the call's result changed in 2 place(s) the drift "
                     "did not touch: a tolerant reader keeps what the answer still says, "
                     "and only fields the drift dropped, nulled or gave an unknown enum "
                     "value may differ")
    assert rest[0] == "  amount: 2000 → 0"
    assert rest[1] == "  id: 'pay_3Nf8aZq2LkP0sT7x' → ''"
    assert rest[2] == "handled:"
    assert "  status: Status.FAILED → Status.UNKNOWN (enum, given an unknown value)" in rest
    assert len(message) < 3000  # a field diff, not two reprs of the whole payment
