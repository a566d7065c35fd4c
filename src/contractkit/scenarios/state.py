"""Where scenarios keep their state: the seam between the rules and their counters.

A :class:`~contractkit.scenarios.engine.ScenarioEngine` decides; an :class:`EngineState`
remembers (request ordinals, how often each rule matched and fired, token buckets,
credential ages). A :class:`ScenarioState` remembers which scenario is active for the
server and for each session, and makes each engine's state. The in-process implementations
here are the default; a shared one (Redis, in ``server/redis_state.py``) lets several mock
processes behave as one provider. Every method that changes a counter is one atomic step
in every implementation, so an engine never reads a counter and writes it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from contractkit._bounded import Bounded
from contractkit.scenarios.faults import RateLimit
from contractkit.scenarios.ratelimit import Admission, TokenBucket

#: How many counters, buckets and credentials an engine keeps in process: one per session
#: (or credential) and rule, so a client sending a new session per request cannot grow it
#: without bound; the least recently used are forgotten first.
MAX_LIVE_STATE = 100_000


class EngineState(Protocol):
    """One scenario's counters. ``index`` is a rule's position in the scenario."""

    def started(self) -> float:
        """When the scenario's time windows began (server clock)."""

    def ordinal(self, session: str, target: str) -> int:
        """Count one more request of ``session`` to ``target``; return its number (from 1)."""

    def matched(self, index: int, session: str) -> int:
        """Count one more request the rule matched; return the count."""

    def fired(self, index: int, session: str) -> int:
        """How often the rule fired."""

    def claim(self, index: int, session: str, cap: int | None) -> int | None:
        """Count one firing if fewer than ``cap`` happened (None: no cap); return how many
        there were before it, or None when the cap is reached (nothing counted)."""

    def take(self, index: int, key: str, policy: RateLimit, now: float) -> Admission:
        """A token from the rule's bucket ``key`` at ``now``."""

    def use_credential(self, index: int, credential: str, now: float) -> tuple[float, int]:
        """Count one use of a credential; return when it was first seen and its uses."""

    def reset(self, now: float, session: str | None = None) -> None:
        """Start over (one session's counters and buckets, or everything and the windows)."""


class ScenarioState(Protocol):
    """Which scenario is active, and where engines keep their counters."""

    #: whether the state is shared with other processes (then a session's scenario may be
    #: set elsewhere, and every request asks)
    shared: bool

    def server(self) -> str | None: ...

    def set_server(self, name: str | None) -> None: ...

    def session(self, session: str) -> str | None: ...

    def set_session(self, session: str, name: str | None) -> None: ...

    def clear_sessions(self) -> None: ...

    def for_request(self, session: str) -> str | None:
        """The session's scenario, else the server's."""

    def in_use(self) -> bool:
        """Whether a scenario is active for the server or some session."""

    def reset(self, now: float, session: str | None = None) -> None:
        """Every scenario's counters start over, also those of engines this process has not
        made (a shared store; in process each engine resets its own)."""

    def engine_state(self, scenario: str, now: float) -> EngineState:
        """The counters of the scenario named ``scenario`` (fresh in process; in a shared
        store, those other processes already have)."""

    def publish(self, name: str, source: Mapping[str, Any]) -> None:
        """Make a scenario given as data (the admin API's inline scenarios) known to the
        other processes sharing the state."""

    def published(self, name: str) -> Mapping[str, Any] | None:
        """A scenario another process published, by name."""


@dataclass
class _RuleState:
    matched: int = 0
    fired: int = 0


@dataclass
class _Credential:
    first_seen: float
    uses: int = 0


class LocalEngineState:
    """Counters in this process, bounded (least recently used forgotten first). Not
    locked: the engine holds its lock around each decision."""

    def __init__(self, now: float) -> None:
        self.reset(now)

    def started(self) -> float:
        return self._started

    def reset(self, now: float, session: str | None = None) -> None:
        if session is None:
            self._started = now
            self._rules: Bounded[tuple[int, str], _RuleState] = Bounded(MAX_LIVE_STATE)
            self._ordinals: Bounded[tuple[str, str], int] = Bounded(MAX_LIVE_STATE)
            self._buckets: Bounded[tuple[int, str], TokenBucket] = Bounded(MAX_LIVE_STATE)
            self._credentials: Bounded[tuple[int, str], _Credential] = Bounded(MAX_LIVE_STATE)
            return
        for rule_key in [k for k in self._rules if k[1] == session]:
            self._rules.pop(rule_key)
        for ordinal_key in [k for k in self._ordinals if k[0] == session]:
            self._ordinals.pop(ordinal_key)
        for bucket_key in [k for k in self._buckets if k[1] == f"session:{session}"]:
            self._buckets.pop(bucket_key)

    def ordinal(self, session: str, target: str) -> int:
        key = (session, target)
        ordinal = self._ordinals[key] = (self._ordinals.get(key) or 0) + 1
        return ordinal

    def matched(self, index: int, session: str) -> int:
        state = self._rules.setdefault((index, session), _RuleState)
        state.matched += 1
        return state.matched

    def fired(self, index: int, session: str) -> int:
        state = self._rules.get((index, session))
        return state.fired if state is not None else 0

    def claim(self, index: int, session: str, cap: int | None) -> int | None:
        state = self._rules.setdefault((index, session), _RuleState)
        if cap is not None and state.fired >= cap:
            return None
        state.fired += 1
        return state.fired - 1

    def take(self, index: int, key: str, policy: RateLimit, now: float) -> Admission:
        bucket = self._buckets.get((index, key))
        if bucket is None:
            bucket = self._buckets[(index, key)] = TokenBucket(policy, now)
        return bucket.take(now)

    def use_credential(self, index: int, credential: str, now: float) -> tuple[float, int]:
        seen = self._credentials.get((index, credential))
        if seen is None:
            seen = self._credentials[(index, credential)] = _Credential(now)
        seen.uses += 1
        return seen.first_seen, seen.uses


class LocalScenarioState:
    """The default: everything in this process (each process its own counters)."""

    shared = False

    def __init__(self) -> None:
        self._server: str | None = None
        self._sessions: dict[str, str] = {}

    def server(self) -> str | None:
        return self._server

    def set_server(self, name: str | None) -> None:
        self._server = name

    def session(self, session: str) -> str | None:
        return self._sessions.get(session)

    def set_session(self, session: str, name: str | None) -> None:
        if name is None:
            self._sessions.pop(session, None)
        else:
            self._sessions[session] = name

    def clear_sessions(self) -> None:
        self._sessions.clear()

    def for_request(self, session: str) -> str | None:
        return self._sessions.get(session) or self._server

    def in_use(self) -> bool:
        return bool(self._server or self._sessions)

    def reset(self, now: float, session: str | None = None) -> None:
        return None

    def engine_state(self, scenario: str, now: float) -> EngineState:
        return LocalEngineState(now)

    def publish(self, name: str, source: Mapping[str, Any]) -> None:
        return None

    def published(self, name: str) -> Mapping[str, Any] | None:
        return None
