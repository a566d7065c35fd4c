"""Scenarios as data: a named list of rules; the first rule that matches a request and fires
decides what the mock does (DESIGN §5)."""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contractkit._types import JSON
from contractkit.scenarios.faults import Fault


@dataclass(slots=True)
class RequestFacts:
    """What a rule may look at: the request, its operation and its session."""

    method: str
    path: str
    operation_id: str | None = None
    #: the operation's path template (``/payments/{id}``), when one matched
    template: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    query: tuple[tuple[str, str], ...] = ()
    body: JSON = None  # parsed JSON body, else None
    session: str = "default"
    #: the credential sent (Authorization, an API key...), to key rate limits and expiry
    credential: str | None = None


@dataclass(frozen=True)
class Match:
    """Every given condition must hold; none given (or ``any: true``) matches all."""

    operations: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    #: a path template (compared with the operation's) or a glob on the request path
    paths: tuple[str, ...] = ()
    #: header → value (``True``: present, ``False``: absent)
    headers: Mapping[str, str | bool] = field(default_factory=dict)
    query: Mapping[str, str | bool] = field(default_factory=dict)
    #: JSON pointer into the request body → value it must equal
    body: Mapping[str, JSON] = field(default_factory=dict)
    sessions: tuple[str, ...] = ()

    def __call__(self, facts: RequestFacts) -> bool:
        if self.operations and facts.operation_id not in self.operations:
            return False
        if self.methods and facts.method.upper() not in self.methods:
            return False
        if self.paths and not any(_path_matches(p, facts) for p in self.paths):
            return False
        if self.sessions and facts.session not in self.sessions:
            return False
        for name, wanted in self.headers.items():
            if not _present(facts.headers.get(name.lower()), wanted):
                return False
        if self.query:
            query = dict(facts.query)
            for name, wanted in self.query.items():
                if not _present(query.get(name), wanted):
                    return False
        return not self.body or all(_pointer(facts.body, pointer) == wanted
                                    for pointer, wanted in self.body.items())


def _path_matches(pattern: str, facts: RequestFacts) -> bool:
    if "{" in pattern:
        return facts.template is not None and _same_template(pattern, facts.template)
    return fnmatch.fnmatchcase(facts.path, pattern)


@functools.lru_cache(maxsize=4096)
def _same_template(a: str, b: str) -> bool:
    """``/pets/{id}`` is ``/pets/{petId}``: variable names do not matter."""
    sa, sb = a.strip("/").split("/"), b.strip("/").split("/")
    return len(sa) == len(sb) and all(
        x == y or (x.startswith("{") and y.startswith("{")) for x, y in zip(sa, sb, strict=True))


def _present(actual: str | None, wanted: str | bool) -> bool:
    if wanted is True:
        return actual is not None
    if wanted is False:
        return actual is None
    return actual == wanted


_ABSENT = object()


def _pointer(document: JSON, pointer: str) -> Any:
    node: Any = document
    for raw in pointer.lstrip("/").split("/") if pointer else ():
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return _ABSENT
    return node


@dataclass(frozen=True)
class Step:
    """What the mock does when a rule fires: faults applied together (a delay, then at most
    one answer, or the normal answer changed by body faults). No faults: answer normally."""

    faults: tuple[Fault, ...] = ()

    @property
    def passes(self) -> bool:
        return not self.faults

    def describe(self) -> str:
        return " + ".join(f.describe() for f in self.faults) or "pass"


@dataclass(frozen=True)
class Window:
    """Active from ``start`` to ``end`` seconds after the scenario was activated or reset."""

    start: float = 0.0
    end: float | None = None

    def __contains__(self, elapsed: float) -> bool:
        return elapsed >= self.start and (self.end is None or elapsed < self.end)


@dataclass(frozen=True)
class Trigger:
    """When a matching request makes the rule fire. Counts are per session and rule."""

    probability: float | None = None
    #: fire only once this many matching requests have passed
    after: int = 0
    #: fire at most this many times
    times: int | None = None
    #: fire on every Nth matching request (N, 2N, ...)
    every: int | None = None
    window: Window | None = None


@dataclass(frozen=True)
class Rule:
    name: str
    match: Match
    trigger: Trigger
    #: one step, or (``sequence``) one per matching request, then the rule falls through
    steps: tuple[Step, ...]
    sequence: bool = False
    #: where the rule is in its file, for messages: ``scenarios/x.yaml:12``
    origin: str = ""

    def describe(self) -> str:
        if self.sequence:
            return "sequence [" + ", ".join(step.describe() for step in self.steps) + "]"
        return self.steps[0].describe()


@dataclass(frozen=True)
class Scenario:
    name: str
    rules: tuple[Rule, ...]
    description: str = ""
    seed: int | None = None
    #: what a client that handles this scenario well does (for docs and `scenarios show`)
    expect: str = ""
    source: str = ""
    #: the ``webhooks`` section as written (triggers and webhook faults; checked by the
    #: schema, read by the server with ``contractkit.webhooks.faults``)
    webhooks: Mapping[str, Any] = field(default_factory=dict, compare=False)
