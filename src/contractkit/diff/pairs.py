"""The graph of compared schema pairs, and what each pair's comparison finds below it.

Comparing two schemas finds changes of the pair itself (its facets, its properties added
or removed) and pairs of child schemas to compare in turn (a property on both sides, the
items, matched branches). Each pair's own findings and edges are worked out once; what a
pair finds *below* it is then assembled from those, once per pair, in the order of the
strongly connected components of the pair graph (Tarjan), children first:

- a pair outside any reference cycle finds its own changes, then each child's, once per
  path that reaches it (the child's result is reused under each path);
- the pairs of one cycle (``Customer.default_source`` → ``Source.customer`` → ``Customer``,
  Stripe's expandable fields) reach each other along endless paths; a comparison entering
  the cycle at one pair reports every pair of the cycle once, at the shortest path from
  where it entered (breadth-first), and what the cycle reaches outside it as above.

Every result then depends only on its pair, never on the route that reached it, so each is
memoised for good: the work is linear in the pairs and edges, where re-exploring a cycle
from every pair on it grew exponentially with the cycle's density.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from contractkit._types import JSON
from contractkit.diff.views import Node, Site


@dataclass(frozen=True)
class SchemaFinding:
    change: str  # a SchemaChange name
    path: str  # instance path below the compared root, "" for the root itself
    old: JSON
    new: JSON
    site: Site  # where in the new contract; the parent schema for a removal


@dataclass(frozen=True)
class Edge:
    """A pair of child schemas to compare, ``path`` below their parents.

    ``drop`` names changes of the child itself that the parent already reported in its
    own terms (a required property that became writeOnly: the parent's finding says
    what the flag did to the response), so they are not reported twice.
    """

    path: str
    key: Hashable
    old: Node
    new: Node
    drop: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Pair:
    findings: tuple[SchemaFinding, ...]  # the pair's own, paths relative to it
    edges: tuple[Edge, ...]


Expand = Callable[[Hashable, Node, Node], Pair]


class PairResults:
    """Every finding below each compared pair, memoised per pair key.

    ``expand(key, old, new)`` compares one pair without descending (called once per key).
    """

    def __init__(self, expand: Expand) -> None:
        self._expand = expand
        self._pairs: dict[Hashable, Pair] = {}
        self._results: dict[Hashable, tuple[SchemaFinding, ...]] = {}
        self._cycles: dict[Hashable, frozenset[Hashable]] = {}  # member → its cycle

    def of(self, key: Hashable, old: Node, new: Node) -> tuple[SchemaFinding, ...]:
        found = self._results.get(key)
        if found is None:
            if key not in self._cycles:
                self._solve(key, old, new)
            found = self._result(key)
        return found

    def _pair(self, key: Hashable, old: Node, new: Node) -> Pair:
        pair = self._pairs.get(key)
        if pair is None:
            pair = self._pairs[key] = self._expand(key, old, new)
        return pair

    def _known(self, key: Hashable) -> bool:
        return key in self._results or key in self._cycles

    def _solve(self, root: Hashable, old: Node, new: Node) -> None:
        """Tarjan's algorithm over the pairs below ``root`` not solved before; each
        component is settled as soon as it is complete (its children are by then)."""
        index: dict[Hashable, int] = {}
        low: dict[Hashable, int] = {}
        stack: list[Hashable] = []
        on_stack: set[Hashable] = set()
        work: list[tuple[Hashable, Any]] = []

        def enter(key: Hashable, pair: Pair) -> None:
            index[key] = low[key] = len(index)
            stack.append(key)
            on_stack.add(key)
            work.append((key, iter(pair.edges)))

        enter(root, self._pair(root, old, new))
        while work:
            key, edges = work[-1]
            for edge in edges:
                child = edge.key
                if self._known(child):
                    continue
                if child not in index:
                    enter(child, self._pair(child, edge.old, edge.new))
                    break
                if child in on_stack:
                    low[key] = min(low[key], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[key])
                if low[key] == index[key]:
                    members = [stack.pop()]
                    while members[-1] != key:
                        members.append(stack.pop())
                    on_stack.difference_update(members)
                    self._settle(members)

    def _settle(self, members: list[Hashable]) -> None:
        if len(members) == 1:
            key = members[0]
            pair = self._pairs[key]
            if all(edge.key != key for edge in pair.edges):
                found = list(pair.findings)
                for edge in pair.edges:
                    found.extend(_below(edge.path, self._result(edge.key), edge.drop))
                self._results[key] = tuple(found)
                return
        cycle = frozenset(members)
        if not self._reaches_findings(cycle):
            for key in members:
                self._results[key] = ()
            return
        for key in members:
            self._cycles[key] = cycle

    def _reaches_findings(self, cycle: frozenset[Hashable]) -> bool:
        for key in cycle:
            pair = self._pairs[key]
            if pair.findings or any(edge.key not in cycle and self._result(edge.key)
                                    for edge in pair.edges):
                return True
        return False

    def _result(self, key: Hashable) -> tuple[SchemaFinding, ...]:
        """The solved result of ``key``; for a pair on a cycle, assembled on first use,
        breadth-first from it (only the pairs where a comparison enters a cycle pay)."""
        found = self._results.get(key)
        if found is not None:
            return found
        cycle = self._cycles[key]
        out: list[SchemaFinding] = []
        order: list[tuple[Hashable, str, frozenset[str]]] = [(key, "", frozenset())]
        seen = {key}
        for member, path, drop in order:  # grows while it is read: a breadth-first walk
            pair = self._pairs[member]
            out.extend(_below(path, pair.findings, drop))
            for edge in pair.edges:
                child = edge.key
                if child in cycle:
                    if child not in seen:
                        seen.add(child)
                        order.append((child, path + edge.path, edge.drop))
                else:
                    out.extend(_below(path + edge.path, self._result(child), edge.drop))
        found = self._results[key] = tuple(out)
        return found


def _below(path: str, findings: tuple[SchemaFinding, ...],
           drop: frozenset[str] = frozenset()) -> list[SchemaFinding]:
    """``findings`` of a child, ``path`` below its parent, less the child's own changes
    named in ``drop``."""
    if drop:
        findings = tuple(f for f in findings if f.path or f.change not in drop)
    if not path:
        return list(findings)
    return [SchemaFinding(f.change, path + f.path, f.old, f.new, f.site) for f in findings]
