"""The errors a payments client raises: callers catch these, never a library's own.

    PaymentsError
    ├── ConnectionFailed     no answer: refused, reset, closed before a response
    ├── Timeout              connect or read took longer than the client's timeout
    ├── Unavailable          5xx (after retries)
    │   └── CircuitOpen      the breaker is open: the provider was not called
    ├── RateLimited          429 (after retries)
    ├── InvalidResponse      an answer that cannot be read: bad JSON, wrong type, cut short
    └── RequestRejected      a 4xx that retrying cannot fix
        ├── Unauthorized     401 (after one token refresh)
        ├── NotFound         404
        └── Declined         422
"""

from __future__ import annotations


class PaymentsError(Exception):
    """Base of every error the client raises. ``request_id`` is the correlation id."""

    def __init__(self, message: str, *, request_id: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.request_id = request_id
        self.status = status


class ConnectionFailed(PaymentsError):
    pass


class Timeout(PaymentsError):
    pass


class Unavailable(PaymentsError):
    def __init__(self, message: str, *, retry_after: float | None = None,
                 request_id: str | None = None, status: int | None = None) -> None:
        super().__init__(message, request_id=request_id, status=status)
        self.retry_after = retry_after


class CircuitOpen(Unavailable):
    pass


class RateLimited(PaymentsError):
    def __init__(self, message: str, *, retry_after: float | None = None,
                 request_id: str | None = None, status: int | None = 429) -> None:
        super().__init__(message, request_id=request_id, status=status)
        self.retry_after = retry_after


class InvalidResponse(PaymentsError):
    pass


class RequestRejected(PaymentsError):
    pass


class Unauthorized(RequestRejected):
    pass


class NotFound(RequestRejected):
    pass


class Declined(RequestRejected):
    pass
