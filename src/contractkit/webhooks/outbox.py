"""The outbound journal: every delivery attempt the mock made, as data.

Each :class:`Attempt` holds what was sent (headers, body digest and a bounded prefix of the
body), what the receiver answered (status, answer time) and the outcome. Faults mark what a
correct receiver does with the attempt (``expected``: accept it, or reject it as forged,
stale or replayed), so the receiver assertions judge answers against that. Bounded like the
inbound journal: one ring of attempts, oldest dropped first.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

BODY_PREFIX_BYTES = 64 * 1024
DEFAULT_CAPACITY = 10_000

#: delivered: 2xx; rejected: any other status; timeout: no answer within the attempt
#: timeout; refused / unreachable: no connection; error: the request could not be sent
Outcome = Literal["delivered", "rejected", "timeout", "refused", "unreachable", "error"]
#: what a correct receiver does with an attempt
Expected = Literal["accept", "reject", "either"]
#: why a correct receiver refuses an attempt: its signature is spoiled, or it is an
#: attacker's exact copy of an acknowledged request
Forged = Literal["bad-signature", "wrong-secret", "stale-timestamp", "missing-signature",
                  "replay"]


@dataclass(frozen=True)
class Attempt:
    seq: int
    delivery_id: str
    event: str
    attempt: int  # 1 for the first, 2 for the first retry...
    url: str
    request_headers: dict[str, str]
    body_sha256: str
    body_size: int
    body: bytes = field(repr=False)  # the first BODY_PREFIX_BYTES
    t_start: float = 0.0
    t_end: float = 0.0
    status: int | None = None
    outcome: Outcome = "delivered"
    error: str = ""
    response_body: bytes = field(default=b"", repr=False)
    fault: str | None = None
    expected: Expected = "accept"
    #: the attempt's retry policy gave up after it (no more attempts will follow)
    final: bool = False
    #: correlates attempts that belong together (a burst, an out-of-order pair)
    group: str = ""
    #: set on an attacker's copy (``expected`` is then ``reject``): how it is forged
    forgery: Forged | None = None
    #: the delivery was signed (a scheme and a secret); unsigned, a forgery is no
    #: different from a genuine delivery
    signed: bool = False

    @property
    def answer_seconds(self) -> float:
        return self.t_end - self.t_start

    @property
    def ok(self) -> bool:
        return self.outcome == "delivered"

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq, "delivery_id": self.delivery_id, "event": self.event,
            "attempt": self.attempt, "url": self.url, "request_headers": self.request_headers,
            "body_sha256": self.body_sha256, "body_size": self.body_size,
            "status": self.status, "outcome": self.outcome, "error": self.error,
            "answer_seconds": round(self.answer_seconds, 6), "t_start": self.t_start,
            "fault": self.fault, "expected": self.expected, "final": self.final,
            "group": self.group, "forgery": self.forgery, "signed": self.signed,
        }

    def describe(self, origin: float) -> str:
        """One timeline line: when, which attempt, what fault, what answer."""
        answer = (f"{self.status}" if self.status is not None else self.outcome)
        extra = f" [{self.fault}]" if self.fault else ""
        return (f"+{self.t_start - origin:9.3f}s  {self.event} #{self.attempt} "
                f"id={self.delivery_id}{extra} → {answer} in "
                f"{self.answer_seconds * 1000:.0f} ms ({self.outcome}; a correct receiver "
                f"would {self.expected} it)")


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class Outbox:
    """The attempts, oldest first; safe to read from other threads while the server
    appends."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._attempts: deque[Attempt] = deque(maxlen=capacity)
        self._seq = 0
        self._changed = threading.Condition()
        #: deliveries started and not yet finished (their last attempt not journalled)
        self.pending = 0
        self.dropped = 0

    def next_seq(self) -> int:
        with self._changed:
            self._seq += 1
            return self._seq

    def append(self, attempt: Attempt) -> None:
        with self._changed:
            if len(self._attempts) == self._attempts.maxlen:
                self.dropped += 1
            self._attempts.append(attempt)
            self._changed.notify_all()

    def started(self) -> None:
        with self._changed:
            self.pending += 1

    def finished(self) -> None:
        with self._changed:
            self.pending -= 1
            self._changed.notify_all()

    def attempts(self, event: str | None = None, *, since_seq: int = 0) -> list[Attempt]:
        with self._changed:
            return [a for a in self._attempts
                    if a.seq > since_seq and (event is None or a.event == event)]

    def clear(self) -> None:
        with self._changed:
            self._attempts.clear()

    def wait_idle(self, timeout: float, predicate: Callable[[list[Attempt]], bool]
                  | None = None) -> list[Attempt]:
        """Block until no delivery is in flight (or ``predicate(attempts)`` holds), at most
        ``timeout`` real seconds; the attempts so far."""
        deadline = _real_monotonic() + timeout
        with self._changed:
            while True:
                current = list(self._attempts)
                if (predicate(current) if predicate is not None else self.pending <= 0):
                    return current
                left = deadline - _real_monotonic()
                if left <= 0:
                    return current
                self._changed.wait(left)

    def __len__(self) -> int:
        return len(self._attempts)


#: bound at import: virtual time patches ``time.monotonic``; waits here are real
_real_monotonic = time.monotonic
