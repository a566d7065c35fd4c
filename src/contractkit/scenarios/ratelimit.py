"""Token buckets for the ``rate_limit`` fault, on an injected clock (tests never sleep)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from email.utils import formatdate

from contractkit.scenarios.faults import RateLimit


@dataclass
class Admission:
    """One request's fate at a bucket, and the numbers its headers report."""

    admitted: bool
    limit: int
    remaining: int
    #: seconds until the bucket has a token again (0 when admitted with tokens left)
    reset: float
    window: float

    def headers(self, kinds: tuple[str, ...], wall_clock: float) -> dict[str, str]:
        """``Retry-After`` (only when refused), ``X-RateLimit-*`` (GitHub/Twitter style, reset
        as epoch seconds) and the IETF draft's ``RateLimit``/``RateLimit-Policy``."""
        reset_seconds = max(1, math.ceil(self.reset)) if self.reset > 0 else 0
        headers: dict[str, str] = {}
        if "retry-after" in kinds and not self.admitted:
            headers["Retry-After"] = str(max(1, reset_seconds))
        if "x-ratelimit" in kinds:
            headers["X-RateLimit-Limit"] = str(self.limit)
            headers["X-RateLimit-Remaining"] = str(self.remaining)
            headers["X-RateLimit-Reset"] = str(math.ceil(wall_clock + self.reset))
        if "ietf" in kinds:
            window = max(1, math.ceil(self.window))
            headers["RateLimit-Policy"] = f'"default";q={self.limit};w={window}'
            headers["RateLimit"] = f'"default";r={self.remaining};t={reset_seconds}'
        return headers


def http_date(epoch_seconds: float) -> str:
    return formatdate(epoch_seconds, usegmt=True)


class TokenBucket:
    """``limit`` tokens per ``per`` seconds.

    ``window``: the bucket is full again at each boundary ``start + k·per``, so exactly
    ``limit`` requests pass in every window. ``smooth``: one token comes back every
    ``per / limit`` seconds, up to ``limit``.
    """

    def __init__(self, policy: RateLimit, now: float) -> None:
        self.policy = policy
        self.tokens = float(policy.limit)
        self.start = now
        self.updated = now
        self.window_index = 0

    def take(self, now: float) -> Admission:
        policy = self.policy
        if policy.refill == "window":
            index = math.floor((now - self.start) / policy.per)
            if index != self.window_index:
                self.tokens, self.window_index = float(policy.limit), index
            reset = self.start + (index + 1) * policy.per - now
        else:
            rate = policy.limit / policy.per
            self.tokens = min(float(policy.limit), self.tokens + (now - self.updated) * rate)
            self.updated = now
            reset = 0.0 if self.tokens >= 1 else (1 - self.tokens) / rate
        if self.tokens >= 1:
            self.tokens -= 1
            remaining = int(self.tokens)
            if policy.refill == "smooth":
                reset = (policy.limit - self.tokens) / (policy.limit / policy.per)
            return Admission(True, policy.limit, remaining, reset, policy.per)
        return Admission(False, policy.limit, 0, reset, policy.per)
