"""The fault vocabulary (DESIGN §5): small frozen values, registered by name.

A fault says *what* a misbehaving provider does; the server (``server/faults.py``) is the
only code that turns one into bytes on a socket. Each fault is built from its value in a
scenario file by :func:`build_fault`, which raises ``ValueError`` with the accepted forms.

======================  ==========================================================
group                   faults
======================  ==========================================================
timing                  ``latency``, ``ttfb``, ``hang``, ``slow_body``
status                  ``status`` (with ``retry_after``), ``rate_limit``
transport               ``fault: reset | close | garbage | bad_chunk | truncate``
body                    ``malformed``, ``mutate``
event streams           ``stream`` (cut mid-stream, slow events, a malformed event)
auth                    ``token_expired``, ``insufficient_scope``
GraphQL                 ``graphql_error``
======================  ==========================================================
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from contractkit.scenarios._duration import format_duration, parse_duration


class Fault:
    """Base of every fault; ``name`` is the key a scenario file uses."""

    name: ClassVar[str]
    #: "delay" faults run before the answer; "answer" faults replace it; "body" faults
    #: change the normal answer's body or how it is sent. A step has at most one "answer".
    role: ClassVar[Literal["delay", "answer", "body"]]

    @property
    def label(self) -> str:
        """The fault's short name, for metrics: its key, or a transport fault's kind."""
        return self.name

    def describe(self) -> str:
        return self.name


# -- timing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Latency(Fault):
    """Wait before answering: ``fixed`` (``value``), ``uniform`` (``min``..``max``) or
    ``lognormal`` (``median``, ``sigma``), never more than ``max``."""

    name: ClassVar[str] = "latency"
    role: ClassVar[Literal["delay", "answer", "body"]] = "delay"
    distribution: Literal["fixed", "uniform", "lognormal"] = "fixed"
    value: float = 0.0
    low: float = 0.0
    high: float | None = None
    median: float = 0.0
    sigma: float = 0.5

    def sample(self, rng: random.Random) -> float:
        if self.distribution == "fixed":
            seconds = self.value
        elif self.distribution == "uniform":
            seconds = rng.uniform(self.low, self.high if self.high is not None else self.low)
        else:
            seconds = self.median * math.exp(self.sigma * rng.gauss(0.0, 1.0))
        return min(seconds, self.high) if self.high is not None else seconds

    def describe(self) -> str:
        if self.distribution == "fixed":
            return f"latency {format_duration(self.value)}"
        if self.distribution == "uniform":
            return (f"latency uniform {format_duration(self.low)}.."
                    f"{format_duration(self.high or self.low)}")
        cap = f" max {format_duration(self.high)}" if self.high is not None else ""
        return f"latency lognormal median {format_duration(self.median)}{cap}"


@dataclass(frozen=True)
class Ttfb(Fault):
    """The status line and headers leave ``delay`` late (time to first byte)."""

    name: ClassVar[str] = "ttfb"
    role: ClassVar[Literal["delay", "answer", "body"]] = "delay"
    delay: float = 0.0

    def describe(self) -> str:
        return f"ttfb {format_duration(self.delay)}"


@dataclass(frozen=True)
class Hang(Fault):
    """Never answer: wait until the client gives up, or close after ``max`` (the cap keeps
    a client without a timeout from holding the mock forever)."""

    name: ClassVar[str] = "hang"
    role: ClassVar[Literal["delay", "answer", "body"]] = "answer"
    max: float = 60.0

    def describe(self) -> str:
        return f"hang (max {format_duration(self.max)})"


@dataclass(frozen=True)
class SlowBody(Fault):
    """Headers at once, then the body in ``chunks`` pieces spread over ``duration``."""

    name: ClassVar[str] = "slow_body"
    role: ClassVar[Literal["delay", "answer", "body"]] = "body"
    duration: float = 5.0
    chunks: int = 10

    def describe(self) -> str:
        return f"slow body over {format_duration(self.duration)}"


# -- status ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryAfter:
    """A ``Retry-After`` header: delay-seconds, or an HTTP-date that far in the future."""

    seconds: float
    format: Literal["seconds", "http-date"] = "seconds"


@dataclass(frozen=True)
class Status(Fault):
    """Answer ``code``: the body of the contract's declared response for it if any, else
    an RFC 9457 problem; optional ``Retry-After`` and extra headers."""

    name: ClassVar[str] = "status"
    role: ClassVar[Literal["delay", "answer", "body"]] = "answer"
    code: int = 503
    retry_after: RetryAfter | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        return f"status {self.code}"


RateLimitKey = Literal["credential", "session", "global"]
RateLimitHeaders = Literal["retry-after", "x-ratelimit", "ietf"]


@dataclass(frozen=True)
class RateLimit(Fault):
    """A token bucket of ``limit`` requests ``per`` window, one bucket per ``key``.

    ``refill: window`` refills the bucket whole at each window boundary (what
    ``X-RateLimit-Reset`` describes, as GitHub's and Stripe's limits do); ``refill: smooth``
    adds one token every ``per / limit`` seconds. Over the limit: ``status`` (429) with the
    chosen ``headers``; under it, the normal answer, with the same headers counting down.
    """

    name: ClassVar[str] = "rate_limit"
    role: ClassVar[Literal["delay", "answer", "body"]] = "answer"
    limit: int = 10
    per: float = 1.0
    key: RateLimitKey = "credential"
    headers: tuple[RateLimitHeaders, ...] = ("retry-after", "x-ratelimit", "ietf")
    refill: Literal["window", "smooth"] = "window"
    status: int = 429

    def describe(self) -> str:
        return f"rate limit {self.limit}/{format_duration(self.per)} per {self.key}"


# -- transport -------------------------------------------------------------------------

TransportKind = Literal["reset", "close", "garbage", "bad_chunk", "truncate"]


@dataclass(frozen=True)
class Transport(Fault):
    """Break the HTTP exchange itself.

    ``reset``: TCP RST (SO_LINGER 0) instead of an answer; ``close``: close without a byte;
    ``garbage``: ``size`` random bytes then close; ``bad_chunk``: a chunked answer whose
    chunk size is not hex; ``truncate``: ``Content-Length`` of the whole body, ``keep`` of
    it sent, then close.
    """

    name: ClassVar[str] = "fault"
    role: ClassVar[Literal["delay", "answer", "body"]] = "answer"
    kind: TransportKind = "reset"
    size: int = 64
    keep: float = 0.5

    @property
    def label(self) -> str:
        return self.kind

    def describe(self) -> str:
        return self.kind


# -- body ------------------------------------------------------------------------------

MalformedKind = Literal["invalid_json", "wrong_content_type", "invalid_utf8", "html",
                        "empty"]


@dataclass(frozen=True)
class Malformed(Fault):
    """A broken body: JSON cut short, ``text/plain`` for JSON, bytes that are not UTF-8,
    an HTML error page from a proxy (502 by default), or an empty 200."""

    name: ClassVar[str] = "malformed"
    role: ClassVar[Literal["delay", "answer", "body"]] = "answer"
    kind: MalformedKind = "invalid_json"
    status: int | None = None

    def describe(self) -> str:
        return f"malformed {self.kind}"


@dataclass(frozen=True)
class Mutate(Fault):
    """Schema-aware changes to an otherwise valid JSON body: what a provider's next
    release does to a client's parser."""

    name: ClassVar[str] = "mutate"
    role: ClassVar[Literal["delay", "answer", "body"]] = "body"
    #: unknown properties the contract allows (its additionalProperties' schema; none
    #: where it forbids them)
    extra_fields: int = 0
    #: unknown properties of any type, even where the contract forbids them: a breach
    undeclared_fields: int = 0
    drop_optional: bool = False
    nulls: bool = False
    unknown_enum: bool = False
    type_drift: bool = False
    huge: bool = False

    def describe(self) -> str:
        chosen = [f"{name}={getattr(self, name)}" for name in ("extra_fields",
                                                               "undeclared_fields")
                  if getattr(self, name)]
        chosen += [flag for flag in ("drop_optional", "nulls", "unknown_enum", "type_drift",
                                     "huge") if getattr(self, flag)]
        return "mutate " + ",".join(chosen)


@dataclass(frozen=True)
class Stream(Fault):
    """A ``text/event-stream`` answer misbehaving as LLM and event APIs do: events
    ``interval`` apart; the ``malformed``-th event (1-based) with data that is not JSON;
    the connection closed after ``cut_after`` events, before the end (and before OpenAI's
    ``[DONE]``). Other answers are sent as they are."""

    name: ClassVar[str] = "stream"
    role: ClassVar[Literal["delay", "answer", "body"]] = "body"
    cut_after: int | None = None
    interval: float = 0.0
    malformed: int | None = None

    def describe(self) -> str:
        parts = []
        if self.cut_after is not None:
            parts.append(f"cut after {self.cut_after} event(s)")
        if self.interval:
            parts.append(f"events {format_duration(self.interval)} apart")
        if self.malformed is not None:
            parts.append(f"event {self.malformed} malformed")
        return "stream " + ", ".join(parts)


# -- auth ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenExpired(Fault):
    """``401`` with ``WWW-Authenticate: Bearer error="invalid_token"`` once a credential
    has been used ``after_uses`` times or is ``after`` seconds old; a new credential works."""

    name: ClassVar[str] = "token_expired"
    role: ClassVar[Literal["delay", "answer", "body"]] = "answer"
    after_uses: int | None = None
    after: float | None = None

    def describe(self) -> str:
        if self.after_uses is not None:
            return f"token expires after {self.after_uses} use(s)"
        return f"token expires after {format_duration(self.after or 0)}"


@dataclass(frozen=True)
class InsufficientScope(Fault):
    """``403`` with ``WWW-Authenticate: Bearer error="insufficient_scope"``."""

    name: ClassVar[str] = "insufficient_scope"
    role: ClassVar[Literal["delay", "answer", "body"]] = "answer"
    scope: str = ""

    def describe(self) -> str:
        return f"insufficient scope {self.scope}".rstrip()


# -- GraphQL ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GraphQLError(Fault):
    """A GraphQL error at a field ``path`` (``payment.amount``): the field is nulled and
    the null propagates to the nearest nullable parent, as a GraphQL server does;
    the rest of ``data`` is served (partial data)."""

    name: ClassVar[str] = "graphql_error"
    role: ClassVar[Literal["delay", "answer", "body"]] = "body"
    path: str = ""
    message: str = "Internal server error"
    code: str | None = None

    def describe(self) -> str:
        return f"graphql error at {self.path or 'the root'}"


# -- building faults from scenario values ----------------------------------------------


def _latency(value: Any) -> Latency:
    if not isinstance(value, Mapping):
        return Latency(value=parse_duration(value))
    distribution = value.get("distribution", "fixed")
    cap = parse_duration(value["max"]) if "max" in value else None
    if distribution == "fixed":
        return Latency(value=parse_duration(value.get("value", 0)), high=cap)
    if distribution == "uniform":
        low = parse_duration(value.get("min", 0))
        if cap is None:
            raise ValueError("a uniform latency needs 'max'")
        if cap < low:
            raise ValueError("a uniform latency needs min ≤ max")
        return Latency(distribution="uniform", low=low, high=cap)
    if distribution == "lognormal":
        if "median" not in value:
            raise ValueError("a lognormal latency needs 'median'")
        sigma = value.get("sigma", 0.5)
        if not isinstance(sigma, int | float) or sigma < 0:
            raise ValueError(f"sigma must be a number ≥ 0, not {sigma!r}")
        return Latency(distribution="lognormal", median=parse_duration(value["median"]),
                       sigma=float(sigma), high=cap)
    raise ValueError(f"unknown distribution {distribution!r}; use fixed, uniform or lognormal")


def _retry_after(value: Any) -> RetryAfter:
    if isinstance(value, Mapping):
        return RetryAfter(parse_duration(value.get("after", 0)),
                          value.get("format", "seconds"))
    return RetryAfter(parse_duration(value))


def _status(value: Any) -> Status:
    if not isinstance(value, Mapping):
        value = {"code": value}
    code = value.get("code")
    if not isinstance(code, int) or isinstance(code, bool) or not 100 <= code <= 599:
        raise ValueError(f"status code must be an integer 100–599, not {code!r}")
    retry = value.get("retry_after")
    return Status(code=code, retry_after=_retry_after(retry) if retry is not None else None,
                  headers={str(k): str(v) for k, v in (value.get("headers") or {}).items()})


def _rate_limit(value: Any) -> RateLimit:
    limit = value.get("limit")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError(f"limit must be an integer ≥ 1, not {limit!r}")
    per = parse_duration(value.get("per", "1s"))
    if per <= 0:
        raise ValueError("per must be longer than 0s")
    return RateLimit(limit=limit, per=per, key=value.get("key", "credential"),
                     headers=tuple(value.get("headers", RateLimit.headers)),
                     refill=value.get("refill", "window"), status=value.get("status", 429))


def _transport(value: Any) -> Transport:
    if isinstance(value, str):
        return Transport(kind=value)  # type: ignore[arg-type]
    keep = float(value.get("keep", 0.5))
    if not 0 <= keep < 1:
        raise ValueError(f"keep is the fraction of the body sent, 0 ≤ keep < 1, not {keep}")
    return Transport(kind=value["name"], size=int(value.get("size", 64)), keep=keep)


def _malformed(value: Any) -> Malformed:
    if isinstance(value, str):
        return Malformed(kind=value)  # type: ignore[arg-type]
    return Malformed(kind=value["kind"], status=value.get("status"))


def _hang(value: Any) -> Hang:
    if value is True:
        return Hang()
    if isinstance(value, Mapping):
        return Hang(max=parse_duration(value.get("max", 60)))
    return Hang(max=parse_duration(value))


def _slow_body(value: Any) -> SlowBody:
    if not isinstance(value, Mapping):
        return SlowBody(duration=parse_duration(value))
    return SlowBody(duration=parse_duration(value.get("duration", 5)),
                    chunks=int(value.get("chunks", 10)))


def _stream(value: Any) -> Stream:
    if value == "cut":
        return Stream(cut_after=1)
    cut, bad = value.get("cut_after"), value.get("malformed")
    interval = parse_duration(value.get("interval", 0))
    if cut is None and bad is None and not interval:
        raise ValueError("a stream fault needs cut_after, interval or malformed")
    return Stream(cut_after=cut, interval=interval, malformed=bad)


def _token_expired(value: Any) -> TokenExpired:
    uses, after = value.get("after_uses"), value.get("after")
    if (uses is None) == (after is None):
        raise ValueError("token_expired needs exactly one of after_uses or after")
    return TokenExpired(after_uses=uses, after=parse_duration(after) if after else None)


def _insufficient_scope(value: Any) -> InsufficientScope:
    if isinstance(value, Mapping):
        return InsufficientScope(scope=str(value.get("scope", "")))
    return InsufficientScope(scope="" if value is True else str(value))


def _graphql_error(value: Any) -> GraphQLError:
    if isinstance(value, str):
        return GraphQLError(path=value)
    return GraphQLError(path=str(value.get("path", "")),
                        message=str(value.get("message", GraphQLError.message)),
                        code=value.get("code"))


#: scenario key → builder; the JSON Schema checks the shapes, these the meanings
BUILDERS: dict[str, Callable[[Any], Fault]] = {
    "latency": _latency,
    "ttfb": lambda value: Ttfb(parse_duration(value)),
    "hang": _hang,
    "slow_body": _slow_body,
    "status": _status,
    "rate_limit": _rate_limit,
    "fault": _transport,
    "malformed": _malformed,
    "mutate": lambda value: Mutate(**dict(value)),
    "stream": _stream,
    "token_expired": _token_expired,
    "insufficient_scope": _insufficient_scope,
    "graphql_error": _graphql_error,
}


def build_fault(key: str, value: Any) -> Fault:
    """The fault a scenario's ``key: value`` describes (``ValueError`` if it is wrong)."""
    return BUILDERS[key](value)
