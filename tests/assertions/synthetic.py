"""Journal entries built by hand, for assertions whose timing must be exact."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping

from contractkit.journal import JournalEntry

PAYMENT = "/v1/payments/pay_3Nf8aZq2LkP0sT7x"
_seq = itertools.count(1)


def entry(at: float, status: int | None = 200, *, method: str = "GET", path: str = PAYMENT,
          took: float = 0.01, headers: Mapping[str, str] | None = None,
          answer: Mapping[str, str] | None = None, body: bytes = b"",
          operation: str = "getPayment", fault: str | None = None, rule: str | None = None,
          outcome: str = "served", disconnect_after: float | None = None) -> JournalEntry:
    """An exchange whose headers arrived at ``at`` and whose answer took ``took`` s."""
    body_hash = hashlib.sha256(body).hexdigest()
    request_headers = {k.lower(): v for k, v in (headers or {}).items()}
    key = request_headers.get("idempotency-key") or f"{method} {path} {body_hash[:16]}"
    ended = at + took if disconnect_after is None else at + disconnect_after
    return JournalEntry(
        seq=next(_seq), session="default", connection_id=1, method=method, path=path,
        query=(), request_headers=request_headers, request_body_size=len(body),
        request_body_sha256=body_hash, operation_id=operation, mount="/v1", status=status,
        response_headers=dict(answer or {}), response_body_size=0, response_body_sha256="",
        t_headers=at, t_body_end=at, t_resp_start=at,
        t_resp_end=ended, t_disconnect=None if disconnect_after is None else ended,
        logical_key=key, fault=fault, rule=rule, outcome=outcome)


def retry_after(value: str) -> dict[str, str]:
    return {"Retry-After": value}
