"""A small real provider of contracts/payments.yaml (aiohttp on 127.0.0.1, port 0), for
replaying the examples' recorded consumer suite: conforming, or with any of
:data:`DEVIATIONS` seeded. It serves the two operations the suite calls."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiohttp import web
from tests.verify.provider import serve

#: deviation → the replay finding code it must cause
DEVIATIONS = {
    "amount-as-string": "CK-REPLAY-SHAPE",  # and the contract's type
    "no-status": "CK-REPLAY-CONTRACT",  # a required member missing
    "unknown-status": "CK-REPLAY-CONTRACT",  # a value outside the enum
    "create-refused": "CK-REPLAY-STATUS",  # 2xx for the consumer, 4xx now
    "hang": "CK-TIMEOUT",  # reading a payment never answers
}


def _payment(payment_id: str) -> dict[str, Any]:
    return {
        "id": payment_id, "object": "payment", "status": "succeeded", "amount": 2000,
        "amount_captured": 2000, "amount_refunded": 0, "currency": "EUR",
        "description": "Order 1042", "metadata": {"order_id": "1042"},
        "capture_method": "automatic",
        "payment_method": {"type": "card", "brand": "visa", "last4": "4242",
                           "exp_month": 12, "exp_year": 2030, "holder_name": "Ada Lovelace"},
        "billing_details": None, "last_error": None, "livemode": False,
        "created": "2024-05-01T12:00:00Z", "captured_at": "2024-05-01T12:00:01Z",
    }


class Payments:
    def __init__(self, deviations: frozenset[str]) -> None:
        assert deviations <= set(DEVIATIONS), deviations - set(DEVIATIONS)
        self.deviations = deviations

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/v1/payments/{id}", self.get_payment)
        app.router.add_post("/v1/payments", self.create_payment)
        return app

    def _answer(self, payment: dict[str, Any], status: int) -> web.Response:
        if "amount-as-string" in self.deviations:
            payment["amount"] = str(payment["amount"])
        if "no-status" in self.deviations:
            del payment["status"]
        if "unknown-status" in self.deviations:
            payment["status"] = "purple"
        return web.json_response(payment, status=status,
                                 headers={"X-Request-Id": "req_provider000001"})

    async def get_payment(self, request: web.Request) -> web.Response:
        if "hang" in self.deviations:
            await asyncio.Event().wait()  # until the client gives up and the server stops
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return web.json_response({"type": "about:blank", "title": "Unauthorized",
                                      "status": 401, "code": "unauthorized"}, status=401,
                                     content_type="application/problem+json")
        return self._answer(_payment(request.match_info["id"]), 200)

    async def create_payment(self, request: web.Request) -> web.Response:
        body = await request.json()
        cvc = body.get("payment_method", {}).get("cvc")
        if cvc is not None and not re.fullmatch(r"[0-9]{3,4}", cvc):
            # a careful provider: a replay that sent the recording's redacted cvc fails
            return web.json_response({"type": "about:blank", "title": "Bad cvc",
                                      "status": 400, "code": "invalid_request"}, status=400,
                                     content_type="application/problem+json")
        if "create-refused" in self.deviations:
            return web.json_response({"type": "about:blank", "title": "Bad request",
                                      "status": 400, "code": "invalid_request"}, status=400,
                                     content_type="application/problem+json")
        payment = _payment("pay_3Nf8aZq2LkP0sT7x")
        payment.update(amount=body["amount"], currency=body["currency"])
        return self._answer(payment, 201)


@contextmanager
def payments_provider(*deviations: str) -> Iterator[str]:
    """The payments provider's base URL (with ``/v1``), ``deviations`` seeded."""
    with serve(Payments(frozenset(deviations)).app()) as url:
        yield url + "/v1"
