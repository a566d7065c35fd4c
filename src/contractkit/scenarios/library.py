"""Which scenario is active: for the server, per session, or per request.

The server asks :meth:`ScenarioLibrary.engine` for each request with its session and its
``X-Contractkit-Scenario`` header: the header wins, then the session's scenario, then the
server's. Each scenario has one engine; its state is kept per session inside it. Which
scenario is active, and each engine's counters, live in a
:class:`~contractkit.scenarios.state.ScenarioState`: this process by default, or a store
shared by several mock processes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Collection, Mapping
from typing import Any

from contractkit.errors import ScenarioError
from contractkit.scenarios.engine import ScenarioEngine
from contractkit.scenarios.loader import builtin_names, load_scenario, unknown_name
from contractkit.scenarios.model import Scenario
from contractkit.scenarios.state import LocalScenarioState, ScenarioState


class ScenarioLibrary:
    def __init__(self, *, seed: int = 0, operation_ids: Collection[str] | None = None,
                 now: float = 0.0, state: ScenarioState | None = None) -> None:
        self.seed = seed
        self.operation_ids = operation_ids
        self._lock = threading.Lock()
        self._known: dict[str, Scenario] = {}
        self._engines: dict[str, ScenarioEngine] = {}
        self.state: ScenarioState = state if state is not None else LocalScenarioState()
        self._now = now
        #: whether a scenario known here has a ``webhooks`` section (triggers, faults):
        #: until one does, served operations cause no deliveries
        self.with_webhooks = False

    # -- what exists -------------------------------------------------------------------

    def add(self, source: str | os.PathLike[str] | Mapping[str, Any] | Scenario) -> Scenario:
        """Load (if needed) and register a scenario; return it."""
        scenario = (source if isinstance(source, Scenario)
                    else load_scenario(source, operation_ids=self.operation_ids))
        if isinstance(source, Mapping) and self.state.shared:
            self.state.publish(scenario.name, source)
        with self._lock:
            self._known[scenario.name] = scenario
            self._engines.pop(scenario.name, None)
            self.with_webhooks = self.with_webhooks or bool(scenario.webhooks)
        return scenario

    def get(self, name: str) -> Scenario:
        with self._lock:
            found = self._known.get(name)
        if found is None:
            if name in builtin_names():
                return self.add(name)
            published = self.state.published(name) if self.state.shared else None
            if published is not None:
                return self.add(published)
            raise ScenarioError(_unknown(name, self.names()))
        return found

    def names(self) -> list[str]:
        with self._lock:
            return sorted({*self._known, *builtin_names()})

    # -- what is active ----------------------------------------------------------------

    def activate(self, name: str | None, *, session: str | None = None,
                 now: float | None = None) -> Scenario | None:
        """Make ``name`` the server's scenario (or the session's); None turns it off.
        Activating with ``now`` starts its counters and time windows afresh (in a shared
        state too: without ``now``, a process joining others keeps their counters)."""
        scenario = self.get(name) if name is not None else None
        with self._lock:
            if session is None:
                self.state.set_server(name)
            else:
                self.state.set_session(session, name)
            if scenario is not None:
                engine = self._engines.get(scenario.name)
                if engine is None:
                    start = now if now is not None else self._now
                    engine = self._engines[scenario.name] = ScenarioEngine(
                        scenario, seed=self.seed, now=start,
                        state=self.state.engine_state(scenario.name, start))
                    if now is not None and self.state.shared:
                        engine.reset(now, session)
                elif now is not None:
                    engine.reset(now, session)
        return scenario

    @property
    def in_use(self) -> bool:
        """Whether a scenario is active for the server or a session (if not, only a request
        that names one by header meets one)."""
        return self.state.in_use()

    def active(self, session: str | None = None) -> str | None:
        with self._lock:
            if session is not None:
                return self.state.for_request(session)
            return self.state.server()

    def engine(self, session: str, requested: str | None, now: float) -> ScenarioEngine | None:
        """The engine deciding this request, if any scenario applies."""
        name = requested or self.state.for_request(session)
        if name is None:
            return None
        engine = self._engines.get(name)
        if engine is None:
            scenario = self.get(name)  # raises ScenarioError for an unknown name
            with self._lock:
                engine = self._engines.get(name)
                if engine is None:
                    engine = self._engines[name] = ScenarioEngine(
                        scenario, seed=self.seed, now=now,
                        state=self.state.engine_state(name, now))
        return engine

    def reset(self, now: float, session: str | None = None) -> None:
        """Counters and sequences start over (``POST /__contractkit/reset``)."""
        with self._lock:
            engines = list(self._engines.values())
            if session is None:
                self.state.clear_sessions()
        self.state.reset(now, session)
        for engine in engines:
            engine.reset(now, session)


def _unknown(name: str, known: list[str]) -> str:
    return unknown_name("scenario", name, known) + f"; known: {', '.join(known)}"
