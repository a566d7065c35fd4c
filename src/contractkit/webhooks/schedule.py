"""Retry policies as providers run them: a timeout per attempt, the delays between
attempts (exponential with a cap), and when they give up.

The named schedules follow each provider's documentation: Standard Webhooks (Svix: 5 s,
5 min, 30 min, 2 h, 5 h, 10 h, 10 h), Stripe (exponential over up to three days), Shopify (8
retries over about four hours), Slack (three retries: at once, after 1 and 5 minutes,
3 s timeout), GitHub and Twilio (no automatic retries).
"""

from __future__ import annotations

from dataclasses import dataclass

from contractkit.errors import WebhookError

DAY = 86_400.0


@dataclass(frozen=True)
class RetryPolicy:
    """``delays[i]``: seconds between attempt ``i + 1`` and the retry after it."""

    name: str
    timeout: float = 10.0
    delays: tuple[float, ...] = ()

    @property
    def attempts(self) -> int:
        return 1 + len(self.delays)

    @property
    def span(self) -> float:
        """Seconds from the first attempt to the last (before the give-up)."""
        return sum(self.delays)

    def with_timeout(self, timeout: float | None) -> RetryPolicy:
        return self if timeout is None else RetryPolicy(self.name, timeout, self.delays)

    def describe(self) -> str:
        if not self.delays:
            return f"{self.name}: one attempt, {self.timeout:g} s timeout, no retries"
        return (f"{self.name}: {self.attempts} attempts over {_human(self.span)}, "
                f"{self.timeout:g} s timeout each")


def exponential(name: str, *, base: float, factor: float = 2.0, cap: float,
                give_up: float | None = None, retries: int | None = None,
                timeout: float = 10.0) -> RetryPolicy:
    """``base * factor**i`` capped at ``cap``, until ``retries`` retries or until the next
    retry would start later than ``give_up`` seconds after the first attempt."""
    if base < 0 or factor < 1 or cap < 0:
        raise WebhookError("an exponential schedule needs base >= 0, factor >= 1, cap >= 0")
    if retries is None and give_up is None:
        raise WebhookError("an exponential schedule needs retries= or give_up=")
    delays: list[float] = []
    total, delay = 0.0, base
    while retries is None or len(delays) < retries:
        step = min(delay, cap)
        if give_up is not None and total + step > give_up:
            break
        delays.append(step)
        total += step
        delay *= factor
        if len(delays) > 10_000:
            raise WebhookError("the schedule has more than 10,000 retries; raise base or cap")
    return RetryPolicy(name, timeout, tuple(delays))


PROVIDERS: dict[str, RetryPolicy] = {
    "none": RetryPolicy("none"),
    "standard": RetryPolicy("standard", 15.0, (5.0, 300.0, 1800.0, 7200.0, 18000.0,
                                              36000.0, 36000.0)),
    "stripe": exponential("stripe", base=60.0, factor=2.0, cap=12 * 3600.0, give_up=3 * DAY,
                          timeout=30.0),
    "shopify": exponential("shopify", base=60.0, factor=2.0, cap=3600.0, retries=8,
                           timeout=5.0),
    "slack": RetryPolicy("slack", 3.0, (0.0, 60.0, 300.0)),
    "github": RetryPolicy("github", 10.0),
    "twilio": RetryPolicy("twilio", 15.0),
}
PROVIDERS["hmac"] = PROVIDERS["standard"]


def policy(spec: str, *, timeout: float | None = None) -> RetryPolicy:
    """A policy by name (``stripe``, ``none``…) or ``exponential:base=1,factor=2,cap=60,
    retries=5`` (or ``give_up=SECONDS`` instead of ``retries``)."""
    name, _, options = spec.partition(":")
    if name in PROVIDERS and not options:
        return PROVIDERS[name].with_timeout(timeout)
    if name != "exponential":
        raise WebhookError(f"unknown retry schedule {spec!r}; use one of "
                           + ", ".join(sorted(PROVIDERS)) + " or exponential:base=…,cap=…,"
                           "retries=…")
    values: dict[str, float] = {}
    for part in filter(None, options.split(",")):
        key, _, raw = part.partition("=")
        if key not in ("base", "factor", "cap", "retries", "give_up"):
            raise WebhookError(f"exponential option {part!r}: expected base, factor, cap, "
                               "retries or give_up")
        try:
            values[key] = float(raw)
        except ValueError:
            raise WebhookError(f"exponential option {part!r}: not a number") from None
    retries = values.get("retries")
    return exponential("exponential", base=values.get("base", 1.0),
                       factor=values.get("factor", 2.0), cap=values.get("cap", 3600.0),
                       give_up=values.get("give_up"),
                       retries=int(retries) if retries is not None else None,
                       timeout=timeout if timeout is not None else 10.0)


def _human(seconds: float) -> str:
    if seconds >= DAY:
        return f"{seconds / DAY:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:g} s"
