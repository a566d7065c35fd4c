"""Decide, per request, which rule of a scenario fires and what the mock does.

Deterministic: every random choice comes from a stream keyed by (seed, session, operation,
ordinal, rule), so a run replays exactly for a seed, yet each request draws afresh and
sessions are independent. Counters (``after``/``times``/``every``, sequences, buckets,
credential uses) are per session and rule, so parallel tests sharing one server do not
disturb each other. The clock is injected: ``decide(facts, now)``.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from contractkit._bounded import Bounded
from contractkit.scenarios.faults import InsufficientScope, RateLimit, TokenExpired
from contractkit.scenarios.model import RequestFacts, Rule, Scenario, Step
from contractkit.scenarios.ratelimit import Admission, TokenBucket


@dataclass(frozen=True)
class Decision:
    """What to do with one request. ``rule`` None: no rule fired (the normal answer), but
    ``headers`` (rate-limit counters) still go out with it."""

    rule: Rule | None
    step: Step
    headers: Mapping[str, str] = field(default_factory=dict)
    #: seeds this request's own random stream (latency samples, garbage bytes)
    seed: int = 0
    #: when a rate limit refused the request: its counters
    admission: Admission | None = None

    def rng(self) -> random.Random:
        return random.Random(self.seed)

    @property
    def fault(self) -> str | None:
        return None if self.rule is None or self.step.passes else self.step.describe()


#: How many counters, buckets and credentials an engine keeps: one per session (or
#: credential) and rule, so a client sending a new session per request cannot grow it
#: without bound; the least recently used are forgotten first.
MAX_LIVE_STATE = 100_000
_PASS = Step()
#: what most requests get: no rule fired, no counters to send
_NOTHING = Decision(None, _PASS)


def stream(*key: object) -> int:
    """A 64-bit number from a key: the root of every per-request random choice."""
    digest = hashlib.blake2b("\x1f".join(map(str, key)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def uniform(*key: object) -> float:
    """A number in [0, 1) from a key."""
    return stream(*key) / 2.0**64


@dataclass
class _RuleState:
    matched: int = 0
    fired: int = 0


@dataclass
class _Credential:
    first_seen: float
    uses: int = 0


class ScenarioEngine:
    """One scenario's rules and their state."""

    def __init__(self, scenario: Scenario, *, seed: int = 0, now: float = 0.0) -> None:
        self.scenario = scenario
        self.seed = scenario.seed if scenario.seed is not None else seed
        self._lock = threading.Lock()
        self._by_operation: dict[str | None, tuple[tuple[int, Rule], ...]] = {}
        self.reset(now)

    def reset(self, now: float, session: str | None = None) -> None:
        """Counters, sequences, buckets and credential ages start over (for one session,
        or all; the time windows restart only with all)."""
        with self._lock:
            if session is None:
                self.started = now
                self._rules: Bounded[tuple[int, str], _RuleState] = Bounded(MAX_LIVE_STATE)
                self._ordinals: Bounded[tuple[str, str], int] = Bounded(MAX_LIVE_STATE)
                self._buckets: Bounded[tuple[int, str], TokenBucket] = Bounded(MAX_LIVE_STATE)
                self._credentials: Bounded[tuple[int, str], _Credential] = Bounded(
                    MAX_LIVE_STATE)
                return
            for rule_key in [k for k in self._rules if k[1] == session]:
                self._rules.pop(rule_key)
            for ordinal_key in [k for k in self._ordinals if k[0] == session]:
                self._ordinals.pop(ordinal_key)
            for bucket_key in [k for k in self._buckets
                               if k[1] == f"session:{session}"]:
                self._buckets.pop(bucket_key)

    def decide(self, facts: RequestFacts, now: float) -> Decision:
        with self._lock:
            return self._decide(facts, now)

    def _candidates(self, operation_id: str | None) -> tuple[tuple[int, Rule], ...]:
        """The rules that may match an operation (those naming others are left out once,
        not matched on every request)."""
        found = self._by_operation.get(operation_id)
        if found is None:
            found = self._by_operation[operation_id] = tuple(
                (index, rule) for index, rule in enumerate(self.scenario.rules)
                if not rule.match.operations or operation_id in rule.match.operations)
        return found

    def _decide(self, facts: RequestFacts, now: float) -> Decision:
        target = facts.operation_id or f"{facts.method} {facts.path}"
        key = (facts.session, target)
        ordinal = self._ordinals[key] = (self._ordinals.get(key) or 0) + 1
        headers: dict[str, str] = {}
        for index, rule in self._candidates(facts.operation_id):
            if not rule.match(facts):
                continue
            state = self._rules.setdefault((index, facts.session), _RuleState)
            state.matched += 1
            if not self._triggered(rule, state, facts, ordinal, index, now):
                continue
            step_index = state.fired if rule.sequence else 0
            if step_index >= len(rule.steps):
                continue  # the sequence is spent: later rules decide
            step = rule.steps[step_index]
            seed = stream(self.seed, facts.session, target, ordinal, index)
            gate = self._gate(step, index, facts, now, headers)
            if gate is False:
                continue  # under the rate limit, the token still fresh: not this rule
            state.fired += 1
            admission = gate if isinstance(gate, Admission) else None
            return Decision(rule, step, headers, seed, admission)
        return Decision(None, _PASS, headers) if headers else _NOTHING

    def _triggered(self, rule: Rule, state: _RuleState, facts: RequestFacts, ordinal: int,
                   index: int, now: float) -> bool:
        trigger = rule.trigger
        if trigger.window is not None and (now - self.started) not in trigger.window:
            return False
        if state.matched <= trigger.after:
            return False
        if trigger.every is not None and (state.matched - trigger.after) % trigger.every:
            return False
        if trigger.times is not None and state.fired >= trigger.times:
            return False
        if trigger.probability is not None:
            target = facts.operation_id or f"{facts.method} {facts.path}"
            draw = uniform(self.seed, facts.session, target, ordinal, index, "p")
            return draw < trigger.probability
        return True

    def _gate(self, step: Step, index: int, facts: RequestFacts, now: float,
              headers: dict[str, str]) -> bool | Admission:
        """Stateful faults fire only when their condition holds: True/Admission to fire,
        False to let the request through (adding any counters to ``headers``)."""
        for fault in step.faults:
            if isinstance(fault, RateLimit):
                key = _bucket_key(fault, facts)
                bucket = self._buckets.get((index, key))
                if bucket is None:
                    bucket = self._buckets[(index, key)] = TokenBucket(fault, now)
                admission = bucket.take(now)
                if admission.admitted:
                    headers.update(admission.headers(fault.headers, _wall(now)))
                    return False
                return admission
            if isinstance(fault, TokenExpired):
                credential = facts.credential or ""
                seen = self._credentials.get((index, credential))
                if seen is None:
                    seen = self._credentials[(index, credential)] = _Credential(now)
                seen.uses += 1
                expired = ((fault.after_uses is not None and seen.uses > fault.after_uses)
                           or (fault.after is not None and now - seen.first_seen >= fault.after))
                return expired
            if isinstance(fault, InsufficientScope):
                return True
        return True


def _bucket_key(policy: RateLimit, facts: RequestFacts) -> str:
    if policy.key == "global":
        return "global"
    if policy.key == "session":
        return f"session:{facts.session}"
    return f"credential:{facts.credential or ''}"


def _wall(now: float) -> float:
    """Epoch seconds for ``now`` on the server's monotonic clock (X-RateLimit-Reset is an
    epoch time)."""
    return time.time() - time.monotonic() + now
