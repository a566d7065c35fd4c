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

from contractkit.scenarios.faults import InsufficientScope, RateLimit, TokenExpired
from contractkit.scenarios.model import RequestFacts, Rule, Scenario, Step
from contractkit.scenarios.ratelimit import Admission
from contractkit.scenarios.state import MAX_LIVE_STATE, EngineState, LocalEngineState

__all__ = ["MAX_LIVE_STATE", "Decision", "ScenarioEngine", "stream", "uniform"]


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


class ScenarioEngine:
    """One scenario's rules and their state."""

    def __init__(self, scenario: Scenario, *, seed: int = 0, now: float = 0.0,
                 state: EngineState | None = None) -> None:
        self.scenario = scenario
        self.seed = scenario.seed if scenario.seed is not None else seed
        self._lock = threading.Lock()
        self._by_operation: dict[str | None, tuple[tuple[int, Rule], ...]] = {}
        #: where the counters live: this process (the default) or a shared store
        self.state: EngineState = state if state is not None else LocalEngineState(now)
        #: rules whose steps fire only when a condition holds (a rate limit, a token's age):
        #: their step is chosen before the condition is checked, and counted after
        self._gated = frozenset(
            index for index, rule in enumerate(scenario.rules)
            if any(isinstance(f, RateLimit | TokenExpired) for s in rule.steps for f in s.faults))

    @property
    def started(self) -> float:
        return self.state.started()

    def reset(self, now: float, session: str | None = None) -> None:
        """Counters, sequences, buckets and credential ages start over (for one session,
        or all; the time windows restart only with all)."""
        with self._lock:
            self.state.reset(now, session)

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
        state = self.state
        target = facts.operation_id or f"{facts.method} {facts.path}"
        ordinal = state.ordinal(facts.session, target)
        headers: dict[str, str] = {}
        gate: bool | Admission
        for index, rule in self._candidates(facts.operation_id):
            if not rule.match(facts):
                continue
            matched = state.matched(index, facts.session)
            if not self._triggered(rule, matched, facts, ordinal, index, now):
                continue
            cap = rule.trigger.times
            if rule.sequence:
                cap = len(rule.steps) if cap is None else min(cap, len(rule.steps))
            if index in self._gated:
                fired = state.fired(index, facts.session)
                if cap is not None and fired >= cap:
                    continue  # spent (times, or the sequence): later rules decide
                step = rule.steps[fired if rule.sequence else 0]
                gate = self._gate(step, index, facts, now, headers)
                if gate is False:
                    continue  # under the rate limit, the token still fresh: not this rule
                if state.claim(index, facts.session, cap) is None:
                    continue  # another process fired it the last time meanwhile
            else:
                # one atomic step: the firing is counted only if the cap allows it, so
                # processes sharing the state never fire a rule more than `times`
                claimed = state.claim(index, facts.session, cap)
                if claimed is None:
                    continue
                step = rule.steps[claimed if rule.sequence else 0]
                gate = True
            seed = stream(self.seed, facts.session, target, ordinal, index)
            admission = gate if isinstance(gate, Admission) else None
            return Decision(rule, step, headers, seed, admission)
        return Decision(None, _PASS, headers) if headers else _NOTHING

    def _triggered(self, rule: Rule, matched: int, facts: RequestFacts, ordinal: int,
                   index: int, now: float) -> bool:
        """Whether the rule's trigger holds for this request (``times`` is checked when
        the firing is counted)."""
        trigger = rule.trigger
        if trigger.window is not None and (now - self.state.started()) not in trigger.window:
            return False
        if matched <= trigger.after:
            return False
        if trigger.every is not None and (matched - trigger.after) % trigger.every:
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
                admission = self.state.take(index, _bucket_key(fault, facts), fault, now)
                if admission.admitted:
                    headers.update(admission.headers(fault.headers, _wall(now)))
                    return False
                return admission
            if isinstance(fault, TokenExpired):
                first_seen, uses = self.state.use_credential(index, facts.credential or "",
                                                             now)
                return ((fault.after_uses is not None and uses > fault.after_uses)
                        or (fault.after is not None and now - first_seen >= fault.after))
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
