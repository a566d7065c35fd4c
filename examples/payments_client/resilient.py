"""A payments client built to survive a real provider (httpx, tenacity, pybreaker).

What makes it resilient, each point tested by ``examples/test_suite``:

* every request has a connect and a read timeout;
* transient failures (5xx, 429, timeouts, no answer) are retried with tenacity, but only
  for GETs and for POSTs that carry an ``Idempotency-Key``: one key per logical call, the
  same on every attempt;
* waits grow exponentially with full jitter, up to a cap; a ``Retry-After`` (seconds or
  HTTP-date) on a 429/503 replaces the backoff;
* a pybreaker circuit breaker stops calling a provider that keeps failing;
* a 401 ``invalid_token`` gets one retry with a new token from ``token_provider``;
* every attempt carries the call's correlation id (``X-Request-Id``);
* errors are this package's typed errors (:mod:`payments_client.errors`), never httpx's;
* answers are read tolerantly: unknown fields ignored, missing optionals and nulls as
  absent, unknown statuses as ``PaymentStatus.UNKNOWN``;
* logs say what happened (method, path, status, correlation id) and never a credential.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pybreaker
import tenacity

from payments_client.errors import (
    CircuitOpen,
    ConnectionFailed,
    Declined,
    InvalidResponse,
    NotFound,
    RateLimited,
    RequestRejected,
    Timeout,
    Unauthorized,
    Unavailable,
)
from payments_client.models import Payment, PaymentStatus

log = logging.getLogger(__name__)

#: failures worth another attempt (and that count against the breaker, but for 429)
TRANSIENT = (Unavailable, RateLimited, Timeout, ConnectionFailed)


class PaymentsClient:
    """``PaymentsClient("https://api.example.com/v1", token_provider=vault.payments_token)``.

    ``token_provider`` is called for the first token and again when the provider says the
    token expired. ``breaker`` is shared by every call of this client (pass your own to
    share it across clients). A ``Retry-After`` longer than ``max_retry_after`` is not
    waited for: the error goes to the caller at once.
    """

    def __init__(self, base_url: str, *, token_provider: Callable[[], str],
                 connect_timeout: float = 2.0, read_timeout: float = 10.0,
                 max_attempts: int = 4, backoff_base: float = 0.25,
                 backoff_cap: float = 8.0, max_retry_after: float = 60.0,
                 breaker: pybreaker.CircuitBreaker | None = None) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout))
        self._token_provider = token_provider
        self._token: str | None = None
        self._max_attempts = max_attempts
        self._backoff = tenacity.wait_random_exponential(multiplier=backoff_base,
                                                         max=backoff_cap)
        self._max_retry_after = max_retry_after
        self._breaker = breaker or pybreaker.CircuitBreaker(
            fail_max=5, reset_timeout=30, throw_new_error_on_trip=False,
            # a 4xx, a 429 or an unreadable body says nothing about the provider's health
            exclude=[lambda error: not isinstance(error, (Unavailable, Timeout,
                                                          ConnectionFailed))])

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PaymentsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the API ---------------------------------------------------------------------------

    def create_payment(self, *, amount: int, currency: str, payment_method: dict[str, Any],
                       description: str | None = None,
                       metadata: dict[str, str] | None = None) -> Payment:
        body: dict[str, Any] = {"amount": amount, "currency": currency,
                                "payment_method": payment_method}
        if description is not None:
            body["description"] = description
        if metadata:
            body["metadata"] = metadata
        return _payment(self._call("POST", "/payments", body=body,
                                   idempotency_key=str(uuid.uuid4())))

    def get_payment(self, payment_id: str) -> Payment:
        return _payment(self._call("GET", f"/payments/{payment_id}"))

    def list_payments(self, *, limit: int = 10) -> list[Payment]:
        page = self._call("GET", "/payments", params={"limit": limit})
        items = page.get("data")
        return [_payment(item) for item in items] if isinstance(items, list) else []

    # -- one logical call: retries around the breaker around one attempt --------------------

    def _call(self, method: str, path: str, *, body: Any = None,
              params: dict[str, Any] | None = None,
              idempotency_key: str | None = None) -> dict[str, Any]:
        request_id = f"req_{uuid.uuid4().hex}"
        may_retry = method == "GET" or idempotency_key is not None
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self._max_attempts if may_retry else 1),
            wait=self._wait,
            retry=tenacity.retry_if_exception(self._worth_retrying),
            before_sleep=lambda state: log.warning(
                "%s %s failed (%s), attempt %d of %d; retrying in %.2f s [%s]", method, path,
                state.outcome.exception() if state.outcome else "?", state.attempt_number,
                self._max_attempts, state.upcoming_sleep, request_id),
            reraise=True)
        return retrying(self._guarded, method, path, body, params, idempotency_key,
                        request_id)

    def _worth_retrying(self, error: BaseException) -> bool:
        if isinstance(error, CircuitOpen) or not isinstance(error, TRANSIENT):
            return False
        retry_after = getattr(error, "retry_after", None)
        return retry_after is None or retry_after <= self._max_retry_after

    def _wait(self, state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            return float(retry_after)  # the provider said when; jitter would only add to it
        return float(self._backoff(state))

    def _guarded(self, method: str, path: str, body: Any, params: dict[str, Any] | None,
                 idempotency_key: str | None, request_id: str) -> dict[str, Any]:
        try:
            return self._breaker.call(self._attempt, method, path, body, params,
                                      idempotency_key, request_id)
        except pybreaker.CircuitBreakerError as error:
            log.warning("%s %s not sent: the circuit breaker is open [%s]", method, path,
                        request_id)
            raise CircuitOpen("the payments provider keeps failing; not calling it until "
                              "the circuit breaker's reset timeout passes",
                              request_id=request_id) from error

    def _attempt(self, method: str, path: str, body: Any, params: dict[str, Any] | None,
                 idempotency_key: str | None, request_id: str) -> dict[str, Any]:
        refreshed = False
        while True:
            if self._token is None:
                self._token = self._token_provider()
            headers = {"Authorization": f"Bearer {self._token}", "X-Request-Id": request_id,
                       "Accept": "application/json, application/problem+json"}
            if idempotency_key is not None:
                headers["Idempotency-Key"] = idempotency_key
            sent_at = time.time()
            response = self._send(method, path, headers, body, params, request_id)
            log.info("%s %s → %d [%s]", method, path, response.status_code, request_id)
            if response.status_code == 401 and not refreshed and _token_expired(response):
                log.info("token expired; fetching a new one [%s]", request_id)
                self._token = self._token_provider()
                refreshed = True
                continue
            return _decoded(response, request_id, sent_at)

    def _send(self, method: str, path: str, headers: dict[str, str], body: Any,
              params: dict[str, Any] | None, request_id: str) -> httpx.Response:
        request = self._http.build_request(method, path, headers=headers, json=body,
                                           params=params)
        try:
            response = self._http.send(request, stream=True)
        except httpx.TimeoutException as error:
            raise Timeout(f"{method} {path}: no answer in time ({type(error).__name__})",
                          request_id=request_id) from error
        except httpx.TransportError as error:
            raise ConnectionFailed(f"{method} {path}: no answer ({type(error).__name__})",
                                   request_id=request_id) from error
        try:
            response.read()
        except httpx.TimeoutException as error:
            raise Timeout(f"{method} {path}: the answer's body came too slowly",
                          request_id=request_id, status=response.status_code) from error
        except httpx.TransportError as error:
            # the provider answered, then the body broke: not transient, not retried
            raise InvalidResponse(f"{method} {path}: the answer was cut short",
                                  request_id=request_id,
                                  status=response.status_code) from error
        finally:
            response.close()
        return response


# -- reading answers -------------------------------------------------------------------------

def _token_expired(response: httpx.Response) -> bool:
    return "invalid_token" in response.headers.get("WWW-Authenticate", "")


def _retry_after(response: httpx.Response, sent_at: float) -> float | None:
    """Seconds to wait: delay-seconds, or an HTTP-date counted from when the request was
    sent (the answer cannot predate it, so the wait is never too short)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - sent_at)


def _decoded(response: httpx.Response, request_id: str, sent_at: float) -> dict[str, Any]:
    status = response.status_code
    where = f"{response.request.method} {response.request.url.path} → {status}"
    if status == 429:
        raise RateLimited(f"{where}: rate limited", request_id=request_id,
                          retry_after=_retry_after(response, sent_at))
    if status >= 500:
        raise Unavailable(f"{where}: the provider failed", request_id=request_id,
                          status=status, retry_after=_retry_after(response, sent_at))
    if status >= 400:
        kind: type[RequestRejected] = {401: Unauthorized, 404: NotFound,
                                       422: Declined}.get(status, RequestRejected)
        raise kind(f"{where}: {_problem_title(response)}", request_id=request_id,
                   status=status)
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    if content_type != "application/json":
        raise InvalidResponse(f"{where}: expected application/json, got "
                              f"{content_type or 'no content type'}",
                              request_id=request_id, status=status)
    try:
        data = json.loads(response.content)
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError alike
        raise InvalidResponse(f"{where}: the body is not valid JSON ({error})",
                              request_id=request_id, status=status) from error
    if not isinstance(data, dict):
        raise InvalidResponse(f"{where}: expected a JSON object, got "
                              f"{type(data).__name__}", request_id=request_id, status=status)
    return data


def _problem_title(response: httpx.Response) -> str:
    try:
        problem = json.loads(response.content)
    except ValueError:
        return "rejected"
    return str(problem.get("title", "rejected")) if isinstance(problem, dict) else "rejected"


def _payment(data: dict[str, Any]) -> Payment:
    """A tolerant reader: required fields must be there, the rest may drift."""
    try:
        identifier, amount = data["id"], data["amount"]
    except KeyError as error:
        raise InvalidResponse(f"a payment without its required field {error}") from error
    try:
        status = PaymentStatus(data.get("status"))
    except ValueError:
        status = PaymentStatus.UNKNOWN
    metadata = data.get("metadata")
    return Payment(
        id=str(identifier), status=status, amount=int(amount),
        currency=str(data.get("currency") or ""), created=str(data.get("created") or ""),
        description=data.get("description"),
        metadata=dict(metadata) if isinstance(metadata, dict) else {},
        captured_at=data.get("captured_at"))

