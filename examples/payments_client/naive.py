"""The same interface as :mod:`payments_client.resilient`, written the way many first
versions are. Each flaw below is deliberate, and ``examples/test_suite`` catches it:

* no timeout: a provider that stops answering stalls the caller for ever;
* blind retries: every failure (a 404 too) is retried at once, up to 10 times, with no
  backoff and no regard for ``Retry-After``;
* a new ``Idempotency-Key`` on every attempt, so a retried POST can charge twice;
* no circuit breaker, no token refresh, no correlation id;
* library errors (``requests.HTTPError``, ``JSONDecodeError``) reach the caller;
* strict parsing: an unknown status or a missing optional field crashes it;
* it logs the request headers, ``Authorization`` included.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

import requests

from payments_client.models import Payment, PaymentStatus

log = logging.getLogger(__name__)

ATTEMPTS = 10


class PaymentsClient:
    def __init__(self, base_url: str, *, token_provider: Callable[[], str]) -> None:
        self._base_url = base_url.rstrip("/")
        self._session = requests.Session()
        self._token = token_provider()

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> PaymentsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def create_payment(self, *, amount: int, currency: str, payment_method: dict[str, Any],
                       description: str | None = None,
                       metadata: dict[str, str] | None = None) -> Payment:
        body: dict[str, Any] = {"amount": amount, "currency": currency,
                                "payment_method": payment_method}
        if description is not None:
            body["description"] = description
        if metadata:
            body["metadata"] = metadata
        return _payment(self._call("POST", "/payments", body=body))

    def get_payment(self, payment_id: str) -> Payment:
        return _payment(self._call("GET", f"/payments/{payment_id}"))

    def list_payments(self, *, limit: int = 10) -> list[Payment]:
        page = self._call("GET", f"/payments?limit={limit}")
        return [_payment(item) for item in page["data"]]

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        error: Exception | None = None
        for _ in range(ATTEMPTS):
            headers = {"Authorization": f"Bearer {self._token}"}
            if method == "POST":
                headers["Idempotency-Key"] = str(uuid.uuid4())
            log.info("%s %s headers=%s", method, path, headers)
            try:
                response = self._session.request(method, self._base_url + path,
                                                 headers=headers, json=body)
                response.raise_for_status()
                return response.json()
            except requests.RequestException as failure:
                log.warning("%s %s failed: %s; retrying", method, path, failure)
                error = failure
        assert error is not None
        raise error


def _payment(data: dict[str, Any]) -> Payment:
    return Payment(
        id=data["id"], status=PaymentStatus(data["status"]), amount=data["amount"],
        currency=data["currency"], created=data["created"],
        description=data["description"], metadata=data["metadata"],
        captured_at=data["captured_at"])
