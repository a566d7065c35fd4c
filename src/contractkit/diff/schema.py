"""Direction-aware comparison of two JSON Schemas, facet by facet.

One comparison serves every place a schema occurs; the caller says which side of the
exchange it is on (``request``, ``response``, or ``parameter`` — a request value that
arrives as text, so a change to ``type: string`` cannot reject what was sent before — and
``text-response``, its mirror: a response value read as text, a header or a body that is
not JSON, so a client reading ``type: string`` reads whatever it became).
Findings name a :data:`~contractkit.diff.rules.SCHEMA_CHANGES` kind and the instance path
below the compared root; the caller turns them into rule ids and messages.

- ``$ref`` is followed before comparing, so moving a schema inline ↔ into components is
  not a change; ``allOf`` is flattened into one view first.
- Each (old schema, new schema, mode) pair is compared once, and what it finds below it
  assembled once (:mod:`contractkit.diff.pairs`, which also says how reference cycles
  are reported): a component used by a thousand operations is compared once.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, Literal

import orjson

from contractkit._types import JSON
from contractkit.contract.refs import Resolver
from contractkit.diff.pairs import Edge, Pair, PairResults, SchemaFinding
from contractkit.diff.rules import GENERIC_KEYWORDS, STABILITY_LEVELS
from contractkit.diff.subsume import Subsumption, types_cover
from contractkit.diff.sunset import parse_date
from contractkit.diff.views import (
    SCHEMA_LISTS,
    SCHEMA_MAPS,
    SINGLE_SCHEMA,
    Node,
    Site,
    View,
    Views,
    canonical,
    merged_node,
    node_key,
)

SUBSCHEMA_KEYWORDS = frozenset((*SINGLE_SCHEMA, *SCHEMA_MAPS, *SCHEMA_LISTS))

Mode = Literal["request", "response", "parameter", "text-response"]
#: the modes that read a response, and those whose values travel as text
RESPONSE_MODES = frozenset({"response", "text-response"})
TEXTUAL_MODES = frozenset({"parameter", "text-response"})

_REF = re.compile(rb'"\$ref":("(?:[^"\\]|\\.)*")')
_ALL_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array"})
_NUMERIC = frozenset({"number", "integer"})
_NUMERIC_FORMATS = frozenset({None, "int32", "int64", "float", "double"})
_FORMAT_WIDER = {("int32", "int64"), ("float", "double"), ("int32", "double"),
                 ("int64", "double")}
_BOUNDS = (
    ("max-length", "maxLength"), ("max-items", "maxItems"),
    ("max-properties", "maxProperties"), ("max", "maximum"),
    ("exclusive-max", "exclusiveMaximum"), ("max-contains", "maxContains"),
    ("min-length", "minLength"), ("min-items", "minItems"),
    ("min-properties", "minProperties"), ("min", "minimum"),
    ("exclusive-min", "exclusiveMinimum"), ("min-contains", "minContains"),
)


class SchemaDiffer:
    """Compares schemas of one old and one new contract; keep one per pair of contracts."""

    def __init__(self, old: Resolver | None, new: Resolver | None) -> None:
        self.views = Views(old, new)
        self.subsumption = Subsumption(self.views)
        # weakly: a memo holding its differ's bound method is a cycle, and the diff's
        # whole working set (half a million objects on GitHub's contract) then waits for
        # the cyclic GC (0.3 s there) instead of going with the differ
        expand = weakref.WeakMethod(self._expand)

        def expand_pair(key: Hashable, old: Node, new: Node) -> Pair:
            method = expand()
            assert method is not None, "the differ is gone"
            return method(key, old, new)

        self._results = PairResults(expand_pair)
        self._identical: dict[tuple[Site, Site], bool] = {}
        self._checking = _OpenPairs()

    def compare(self, old: Node, new: Node, mode: Mode) -> tuple[SchemaFinding, ...]:
        """Every change from ``old`` to ``new``, read on the ``mode`` side."""
        return self._results.of(self.key(old, new, mode), old, new)

    def key(self, old: Node, new: Node, mode: Mode) -> Hashable:
        """What a comparison's result depends on: the schemas (refs followed) and mode."""
        if old.parts or new.parts:
            return (node_key(old), node_key(new), mode)
        old, new = self.views.follow(0, old), self.views.follow(1, new)
        return ((old.document.uri, old.pointer), (new.document.uri, new.pointer), mode)

    def _expand(self, key: Hashable, old: Node, new: Node) -> Pair:
        if not old.parts and not new.parts and self._same(old, new):
            return Pair((), ())
        assert isinstance(key, tuple)
        comparison = _Comparison(self, (old, new), key[2])
        findings: list[SchemaFinding] = []
        edges: list[Edge] = []
        for found in comparison.run():
            if isinstance(found, Edge):
                edges.append(found)
            else:
                findings.append(found)
        return Pair(tuple(findings), tuple(edges))

    def _same(self, old: Node, new: Node) -> bool:
        """Whether two schemas are written identically, down through every ref they use.

        Equal values compare in C; only the refs inside need following, each pair once.
        This settles most pairs of a large contract without building views.
        """
        old, new = self.views.follow(0, old), self.views.follow(1, new)
        key = ((old.document.uri, old.pointer), (new.document.uri, new.pointer))
        known = self._identical.get(key)
        if known is not None:
            return known
        if self._checking.meet(key):
            return True  # a recursive schema is the same if the rest of it is
        self._checking.enter(key)
        same: bool = old.value == new.value
        try:
            if same and isinstance(old.value, dict):
                for ref in dict.fromkeys(_REF.findall(canonical(old.value))):
                    text = orjson.loads(ref)
                    same = self._same(Node({"$ref": text}, old.document, old.pointer),
                                      Node({"$ref": text}, new.document, new.pointer))
                    if not same:
                        break
        finally:
            settled = self._checking.leave()
        if not same:
            self._identical[key] = False
        for member in settled:
            self._identical[member] = same
        return same


class _OpenPairs:
    """Tarjan's bookkeeping for the pairs being checked. An answer that assumed an open
    pair identical (met again through a cycle) is only known once that pair is done: the
    pairs of one cycle reach each other, so they are all identical or all not, as the
    first of them entered turns out. Until then they wait, and one met again while it
    waits counts as identical as an open one does, so that no pair is checked twice."""

    def __init__(self) -> None:
        self._index: dict[Any, int] = {}  # pairs open or waiting, by order of entry
        self._stack: list[Any] = []  # the same pairs, in that order
        self._frames: list[list[int]] = []  # per open pair: [its index, its low link]
        self._entered = 0

    def meet(self, key: Any) -> bool:
        """Whether ``key`` is open or waiting; if so, the innermost pair rests on it."""
        index = self._index.get(key)
        if index is None:
            return False
        frame = self._frames[-1]
        frame[1] = min(frame[1], index)
        return True

    def enter(self, key: Any) -> None:
        index = self._index[key] = self._entered
        self._entered += 1
        self._stack.append(key)
        self._frames.append([index, index])

    def leave(self) -> list[Any]:
        """Close the innermost pair. If its answer rests on no outer pair, return it and
        the pairs waiting on it, whose answers are now its answer; else let it wait."""
        index, low = self._frames.pop()
        if self._frames:
            self._frames[-1][1] = min(self._frames[-1][1], low)
        if low < index:
            return []
        settled = []
        while self._stack and self._index[self._stack[-1]] >= index:
            key = self._stack.pop()
            del self._index[key]
            settled.append(key)
        return settled


class _Comparison:
    """One comparison of two views; yields findings with paths relative to them."""

    def __init__(self, differ: SchemaDiffer, nodes: tuple[Node, Node], mode: Mode) -> None:
        self.differ, self.nodes, self.mode = differ, nodes, mode
        self.response, self.textual = mode in RESPONSE_MODES, mode in TEXTUAL_MODES
        self.old, self.new = differ.views.view(0, nodes[0]), differ.views.view(1, nodes[1])

    def covers(self, wide: tuple[int, Node], narrow: tuple[int, Node], *,
               null: bool = True) -> bool:
        """Whether ``wide`` accepts every value ``narrow`` does (see :mod:`.subsume`);
        ``null=False`` leaves null out (a branch, whose union is compared for it)."""
        return self.differ.subsumption.covers(wide, narrow, textual=self.textual,
                                              null=null)

    def finding(self, change: str, old: JSON, new: JSON, path: str = "",
                site: Site | None = None) -> SchemaFinding:
        return SchemaFinding(change, path, old, new, site or self.new.site)

    def run(self) -> Iterator[SchemaFinding | Edge]:
        old, new = self.old, self.new
        if old.nullable != new.nullable:
            yield self.finding("became-nullable" if new.nullable else "became-not-nullable",
                               old.nullable, new.nullable)
        # A schema that became (or stopped being) a oneOf/anyOf of whole alternatives
        # keeps its type, facets and properties in the branches now: they are compared
        # there (see _reshaped), piecemeal findings here (type widened, enum removed, every
        # property removed) would only repeat them. Branches that only add constraints to
        # the schema beside them (``required`` alternatives) leave it to be compared here.
        reshaped = any(_standalone(view) for view, kind in (
            (old, "one_of"), (new, "one_of"), (old, "any_of"), (new, "any_of"))
            if getattr(view, kind) is not None
            and (getattr(old, kind) is None) != (getattr(new, kind) is None))
        if not reshaped:
            yield from self._types()
            yield from self._facets()
            yield from self._properties()
        yield from self._additional()
        yield from self._subschemas()
        if old.items is not None and new.items is not None:
            yield from self._child(old.items, new.items, "[]")
        yield from self._branches("one-of", old.one_of, new.one_of)
        yield from self._branches("any-of", old.any_of, new.any_of)
        yield from self._all_of()

    def _all_of(self) -> Iterator[SchemaFinding | Edge]:
        """Constraints added or removed as whole allOf branches, when both sides use
        allOf (wrapping a schema in allOf, or unwrapping it, is a refactor that the
        flattened comparison judges). As many branches added as removed are edits,
        which the flattened comparison reports in detail."""
        old, new = self.old, self.new
        if not old.all_of or not new.all_of:
            return
        added, removed = sorted(new.all_of - old.all_of), sorted(old.all_of - new.all_of)
        if len(added) > len(removed):
            for branch in added:
                yield self.finding("all-of-branch-added", None, orjson.loads(branch))
        elif len(removed) > len(added):
            for branch in removed:
                yield self.finding("all-of-branch-removed", orjson.loads(branch), None)

    def _types(self) -> Iterator[SchemaFinding | Edge]:
        old, new = self.old.types, self.new.types
        if old == new:
            return
        textual = self.textual
        wider, narrower = _covers(new, old, textual), _covers(old, new, textual)
        change = ("type-widened" if wider and not narrower else
                  "type-narrowed" if narrower and not wider else "type-changed")
        if wider and narrower:
            return
        yield self.finding(change, _type_text(old), _type_text(new))

    def _facets(self) -> Iterator[SchemaFinding | Edge]:
        old, new = self.old.facets, self.new.facets
        if old == new:
            return
        if not self._numeric_retype(old.get("format"), new.get("format")):
            yield from self._format(old.get("format"), new.get("format"))
        yield from self._enum("enum", old.get("enum"), new.get("enum"))
        yield from self._enum("x-extensible-enum", old.get("x-extensible-enum"),
                              new.get("x-extensible-enum"))
        for key, keyword in _BOUNDS:
            a, b = old.get(keyword), new.get(keyword)
            if a == b:
                continue
            if a is None:
                yield self.finding(f"{key}-set", a, b)
            elif b is None:
                yield self.finding(f"{key}-removed", a, b)
            elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
                grew = b > a
                yield self.finding(f"{key}-{'increased' if grew else 'decreased'}", a, b)
        yield from self._keyword("pattern", "pattern", old, new)
        for keyword, key in GENERIC_KEYWORDS.items():
            if keyword == "prefixItems" and self._prefix_beside_items():
                yield from self._prefix_positions()
            elif not self._compared_inside(keyword):
                yield from self._keyword(keyword, key, old, new)
        for keyword, on, off in (("readOnly", "became-read-only", "became-not-read-only"),
                                 ("writeOnly", "became-write-only", "became-not-write-only"),
                                 ("deprecated", "became-deprecated", "no-longer-deprecated")):
            a, b = old.get(keyword) is True, new.get(keyword) is True
            if a != b:
                # a deprecation carries its sunset date, which a deprecation policy checks
                shown = new.get("x-sunset", b) if on == "became-deprecated" and b else b
                yield self.finding(on if b else off, a, shown)
        if old.get("default") != new.get("default"):
            yield self.finding("default-changed", old.get("default"), new.get("default"))
        sunset = new.get("x-sunset")
        if sunset != old.get("x-sunset") and sunset is not None and parse_date(sunset) is None:
            yield self.finding("sunset-invalid", old.get("x-sunset"), sunset)
        yield from self._stability(old.get("x-stability-level"), new.get("x-stability-level"))
        yield from self._discriminator(old.get("discriminator"), new.get("discriminator"))

    def _stability(self, old: Any, new: Any) -> Iterator[SchemaFinding | Edge]:
        """``x-stability-level`` of a property, read as an operation's is
        (:func:`contractkit.diff.lifecycle.stability`): none is ``stable``."""
        if old == new:
            return
        for value in (new, old):
            if value is not None and value not in STABILITY_LEVELS:
                yield self.finding("stability-invalid", old, new)
                return
        before = STABILITY_LEVELS.index(old or "stable")
        after = STABILITY_LEVELS.index(new or "stable")
        if before != after:
            yield self.finding("stability-decreased" if after < before else
                               "stability-increased", old or "stable", new or "stable")

    def _numeric_retype(self, old: Any, new: Any) -> bool:
        """Whether the type moved between number and integer and the formats only say
        which kind of number (``number/float → integer``): the type finding is the verdict,
        a ``format-removed`` beside it would contradict it."""
        before, after = self.old.types, self.new.types
        return (before is not None and after is not None and before != after
                and before | after <= _NUMERIC
                and old in _NUMERIC_FORMATS and new in _NUMERIC_FORMATS)

    def _prefix_beside_items(self) -> bool:
        """Whether ``prefixItems`` appeared (or went) beside an ``items`` that constrains the
        elements: the first positions then move from ``items`` to their own schemas, a
        change that may narrow, widen or both, as those schemas say (2020-12: ``items``
        applies after the prefix only)."""
        old, new = self.old, self.new
        if ("prefixItems" in old.facets) == ("prefixItems" in new.facets):
            return False
        other = old if "prefixItems" in new.facets else new
        return other.items is not None and other.items.value not in ({}, True)

    def _prefix_positions(self) -> Iterator[SchemaFinding | Edge]:
        """Each position of the prefix compared with the ``items`` it had (or will have)."""
        old, new = self.old, self.new
        added = "prefixItems" in new.facets
        prefixed = new if added else old
        for key in sorted((k for k in prefixed.subschemas if k.startswith("prefixItems/")),
                          key=lambda k: int(k.rsplit("/", 1)[1])):
            items = (old if added else new).items
            assert items is not None  # _prefix_beside_items
            position = prefixed.subschemas[key]
            yield from self._child(items, position, "/" + key) if added else \
                self._child(position, items, "/" + key)

    def _compared_inside(self, keyword: str) -> bool:
        """Whether the schemas under ``keyword`` exist on both sides with the same names,
        so comparing them one by one (:meth:`_subschemas`) says what changed."""
        a, b = self.old.facets.get(keyword), self.new.facets.get(keyword)
        if a is None or b is None or keyword not in SUBSCHEMA_KEYWORDS:
            return False
        prefix = keyword + "/"
        return ({k for k in self.old.subschemas if k == keyword or k.startswith(prefix)}
                == {k for k in self.new.subschemas if k == keyword or k.startswith(prefix)})

    def _subschemas(self) -> Iterator[SchemaFinding | Edge]:
        old, new = self.old.subschemas, self.new.subschemas
        for key in sorted(old.keys() & new.keys()):
            yield from self._child(old[key], new[key], "/" + key)

    def _format(self, old: Any, new: Any) -> Iterator[SchemaFinding | Edge]:
        if old == new:
            return
        if old is None or new is None:
            yield self.finding("format-added" if old is None else "format-removed", old, new)
        elif (old, new) in _FORMAT_WIDER:
            yield self.finding("format-widened", old, new)
        elif (new, old) in _FORMAT_WIDER:
            yield self.finding("format-narrowed", old, new)
        else:
            yield self.finding("format-changed", old, new)

    def _enum(self, keyword: str, old: Any, new: Any) -> Iterator[SchemaFinding | Edge]:
        if old == new:
            return
        prefix = "extensible-enum" if keyword != "enum" else "enum"
        if not isinstance(old, list) or not isinstance(new, list):
            if keyword == "enum":
                yield self.finding("became-enum" if old is None else "enum-removed", old, new)
            return
        old_values = {canonical(v): v for v in old}
        new_values = {canonical(v): v for v in new}
        if keyword == "enum" and old_values and new_values \
                and not old_values.keys() & new_values.keys():
            # no value survives (const: ok → success): every response now carries a value
            # the client never saw, so this is no mere addition
            yield self.finding("enum-replaced", old, new)
            return
        for key, value in new_values.items():
            if key not in old_values:
                yield self.finding(f"{prefix}-value-added", None, value)
        for key, value in old_values.items():
            if key not in new_values:
                yield self.finding(f"{prefix}-value-removed", value, None)

    def _keyword(self, keyword: str, key: str, old: dict[str, Any],
                 new: dict[str, Any]) -> Iterator[SchemaFinding | Edge]:
        a, b = old.get(keyword), new.get(keyword)
        if a == b:
            return
        change = "added" if a is None else "removed" if b is None else "changed"
        yield self.finding(f"{key}-{change}", a, b)

    def _discriminator(self, old: Any, new: Any) -> Iterator[SchemaFinding | Edge]:
        if old == new:
            return
        if not isinstance(old, dict) or not isinstance(new, dict):
            yield self.finding("discriminator-added" if old is None else
                               "discriminator-removed", old, new)
            return
        if old.get("propertyName") != new.get("propertyName"):
            yield self.finding("discriminator-property-changed", old.get("propertyName"),
                               new.get("propertyName"))
        if old.get("mapping") != new.get("mapping"):
            yield self.finding("discriminator-mapping-changed", old.get("mapping"),
                               new.get("mapping"))

    def _properties(self) -> Iterator[SchemaFinding | Edge]:
        old, new = self.old, self.new
        if not old.properties and not new.properties and old.required == new.required:
            return
        differ = self.differ
        for name in sorted(old.properties.keys() | new.properties.keys()):
            path = "/" + name
            before, after = old.properties.get(name), new.properties.get(name)
            if before is None and after is not None:
                child = merged_node(after)
                if self._invisible(differ.views.view(1, child)):
                    continue
                kind = "required" if self._required(1, new, name) else "optional"
                yield self.finding(f"{kind}-property-added", None, name, path,
                                   (child.document.uri, child.pointer))
            elif after is None and before is not None:
                if self._invisible(differ.views.view(0, merged_node(before))):
                    continue
                kind = "required" if self._required(0, old, name) else "optional"
                yield self.finding(f"{kind}-property-removed", name, None, path)
            elif before is not None and after is not None:
                if (name in old.required and name in new.required and len(before) == 1
                        and len(after) == 1 and differ._same(before[0], after[0])):
                    # required on both sides and written alike: its flags are alike too,
                    # so it is required as both sides see it or as neither does
                    was = now = True
                else:
                    was, now = self._required(0, old, name), self._required(1, new, name)
                drop: frozenset[str] = frozenset()
                if was != now:
                    site = differ.views.view(1, merged_node(after)).site
                    flipped = self._visibility_flip(name, merged_node(before),
                                                    merged_node(after), now)
                    if flipped is None:
                        yield self.finding("became-required" if now else "became-optional",
                                           was, now, path, site)
                    elif flipped:
                        yield self.finding(flipped[0], was, now, path, site)
                        drop = frozenset({flipped[1]})
                yield from self._child(merged_node(before), merged_node(after), path, drop)

    def _visibility_flip(self, name: str, before: Node, after: Node,
                         now: bool) -> tuple[str, str] | tuple[()] | None:
        """Why a property declared required on both sides became optional or required as
        this side sees it: its readOnly (requests) or writeOnly (responses) flag flipped.
        One finding says it: the parent's, replacing the property's own flag change, when
        it is the graver (a required response property no longer returned; a required
        request property clients never sent now required of them), else the property's
        flag change alone (``()``). ``None`` when the flag is not why."""
        if name not in self.old.required or name not in self.new.required:
            return None
        hidden = "writeOnly" if self.response else "readOnly"
        views = self.differ.views
        was_hidden = views.view(0, before).facets.get(hidden) is True
        is_hidden = views.view(1, after).facets.get(hidden) is True
        if was_hidden == is_hidden:
            return None
        if self.response and not now:
            return "required-became-write-only", "became-write-only"
        if not self.response and now:
            return "required-became-not-read-only", "became-not-read-only"
        return ()

    def _required(self, side: int, view: View, name: str) -> bool:
        """Whether ``name`` is required as this side of the exchange sees it: readOnly
        properties are not required in requests, writeOnly ones not in responses (OpenAPI
        3.x). Asked per property: building the view of every required property of every
        compared object cost more than the rest of a large diff."""
        if name not in view.required:
            return False
        declared = view.properties.get(name)
        if declared is None:
            return True
        hidden = "writeOnly" if self.response else "readOnly"
        return self.differ.views.view(side, merged_node(declared)).facets.get(hidden) is not True

    def _invisible(self, view: View) -> bool:
        """A property this side never sees (readOnly in a request, writeOnly in a response)."""
        hidden = "writeOnly" if self.response else "readOnly"
        return view.facets.get(hidden) is True

    def _additional(self) -> Iterator[SchemaFinding | Edge]:
        old, new = self.old.additional, self.new.additional
        if old is False and new is not False:
            yield self.finding("additional-properties-opened", False, _shown(new))
        elif new is False and old is not False:
            yield self.finding("additional-properties-closed", _shown(old), False)
        elif isinstance(old, Node) and isinstance(new, Node):
            yield from self._child(old, new, "/*")

    def _branches(self, kind: str, old: list[Node] | None,
                  new: list[Node] | None) -> Iterator[SchemaFinding | Edge]:
        if old is None and new is None:
            return
        if old is None or new is None:
            yield from self._reshaped(kind, old, new)
            return
        pairs, removed, added = _match_branches(
            self.differ, old, new, lambda wide, narrow: self.covers(wide, narrow, null=False))
        keyword = "oneOf" if kind == "one-of" else "anyOf"
        for index in removed:
            # merged into a branch that accepts all it did: that branch is its successor
            wider = [j for j in range(len(new)) if self.covers((1, new[j]), (0, old[index]),
                                                                null=False)]
            if wider and self.covers((1, self.nodes[1]), (0, old[index])):
                pairs.append((index, wider[0]))
                continue
            yield self.finding(f"{kind}-branch-removed", _shown(old[index]), None,
                               f"/{keyword}[{index}]")
        paired = {j for _, j in pairs}
        for index in added:
            if index in paired or any(self.covers((0, branch), (1, new[index]), null=False)
                                      for branch in old):
                continue  # split off a branch that was there: nothing new to receive
            yield self._branch_added(kind, new, index)
        for old_index, new_index in sorted(pairs):
            yield from self._child(old[old_index], new[new_index], f"/{keyword}[{new_index}]")

    def _branch_added(self, kind: str, new: list[Node], index: int) -> SchemaFinding:
        keyword = "oneOf" if kind == "one-of" else "anyOf"
        site = (new[index].document.uri, new[index].pointer)
        return self.finding(f"{kind}-branch-added", None, _shown(new[index]),
                            f"/{keyword}[{index}]", site)

    def _reshaped(self, kind: str, old: list[Node] | None,
                  new: list[Node] | None) -> Iterator[SchemaFinding | Edge]:
        """A schema that became a oneOf/anyOf, or stopped being one, judged by what it
        accepts: as the old schema paired with the new branches that accept what it did
        (or is most like), or the old branches with the new schema."""
        old_node, new_node = self.nodes
        keyword = "oneOf" if kind == "one-of" else "anyOf"
        union = self.new if new is not None else self.old
        if not _standalone(union):
            yield from self._constraint_union(kind, old, new)
            return
        if new is not None:  # became a union: the old schema is one of its branches
            wider = [j for j in range(len(new))
                     if self.covers((1, new[j]), (0, old_node), null=False)]
            if not wider or not self.covers((1, new_node), (0, old_node)):
                if not self.response or not all(
                        self.covers((0, old_node), (1, branch), null=False) for branch in new):
                    yield self.finding(f"{kind}-added", None, len(new))
                return
            match = _closest(self.differ, 1, new, wider, 0, old_node)
            yield from self._child(old_node, _as_branch(new[match], union),
                                   f"/{keyword}[{match}]")
            for index in range(len(new)):
                if index != match and not self.covers((0, old_node), (1, new[index]),
                                                                 null=False):
                    yield self._branch_added(kind, new, index)
            return
        assert old is not None
        if not old:
            return  # an empty oneOf/anyOf accepted no value: nobody relied on it
        wider = [i for i in range(len(old))
                 if self.covers((1, new_node), (0, old[i]), null=False)]
        kept = wider or [_closest(self.differ, 0, old, range(len(old)), 1, new_node)]
        for index in range(len(old)):
            if index in kept:
                yield from self._child(_as_branch(old[index], union), new_node, "")
            else:
                yield self.finding(f"{kind}-branch-removed", _shown(old[index]), None,
                                   f"/{keyword}[{index}]")

    def _constraint_union(self, kind: str, old: list[Node] | None,
                          new: list[Node] | None) -> Iterator[SchemaFinding | Edge]:
        """A oneOf/anyOf beside a schema's own type and properties only narrows it (the
        schema itself is compared facet by facet): added, it breaks requests unless a
        branch accepts every value the old schema did; removed, it widens responses unless
        the new schema is within the old one."""
        old_node, new_node = self.nodes
        if new is not None:
            if not self.response and not any(
                    self.covers((1, branch), (0, old_node), null=False) for branch in new):
                yield self.finding(f"{kind}-added", None, len(new))
        elif old is not None and self.response and not self.covers(
                (0, old_node), (1, new_node)):
            yield self.finding(f"{kind}-removed", len(old), None)

    def _child(self, old: Node, new: Node, path: str,
               drop: frozenset[str] = frozenset()) -> Iterator[Edge]:
        yield Edge(path, self.differ.key(old, new, self.mode), old, new, drop)


def _match_branches(differ: SchemaDiffer, old: list[Node], new: list[Node],
                    covers: Callable[[tuple[int, Node], tuple[int, Node]], bool],
                    ) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair oneOf/anyOf branches by structure, never by position alone: same component,
    then the same schema up to the order of its lists (branches, enum, required, type),
    then the same title, then a new branch that accepts all an old one did; as many
    branches left on both sides are paired most alike first (shared property names,
    types, enum values), position only breaking ties."""
    pairs: list[tuple[int, int]] = []
    free_old, free_new = list(range(len(old))), list(range(len(new)))
    keys = (
        lambda side, node: _ref_name(node),
        lambda side, node: canonical(_unordered(differ.views.follow(side, node).value)),
        lambda side, node: _title(differ.views.follow(side, node).value),
    )
    for key in keys:
        found: dict[Any, int] = {}
        for index in free_new:
            identity = key(1, new[index])
            if identity is not None:
                found.setdefault(identity, index)
        for index in list(free_old):
            identity = key(0, old[index])
            match = found.pop(identity, None) if identity is not None else None
            if match is not None and match in free_new:
                pairs.append((index, match))
                free_old.remove(index)
                free_new.remove(match)
    for index in list(free_old):
        wider = [j for j in free_new if covers((1, new[j]), (0, old[index]))]
        if wider:
            match = _closest(differ, 1, new, wider, 0, old[index])
            pairs.append((index, match))
            free_old.remove(index)
            free_new.remove(match)
    if len(free_old) == len(free_new):
        pairs.extend(_most_alike(differ, old, new, free_old, free_new))
        free_old, free_new = [], []
    return sorted(pairs), free_old, free_new


#: keywords whose list order means nothing
_UNORDERED = frozenset({"oneOf", "anyOf", "allOf", "enum", "required", "type"})


def _unordered(value: JSON) -> JSON:
    """``value`` with the lists whose order means nothing sorted, so that reordering
    them is no change."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            result[key] = _unordered(item)
            if key in _UNORDERED and isinstance(item, list):
                result[key] = sorted(result[key], key=canonical)
        return result
    if isinstance(value, list):
        return [_unordered(item) for item in value]
    return value


def _most_alike(differ: SchemaDiffer, old: list[Node], new: list[Node], free_old: list[int],
                free_new: list[int]) -> list[tuple[int, int]]:
    """Pair equally many branches, most similar first (Jaccard over their features)."""
    before = {i: _features(differ.views.follow(0, old[i]).value) for i in free_old}
    after = {j: _features(differ.views.follow(1, new[j]).value) for j in free_new}
    scored = sorted(
        (-len(before[i] & after[j]) / (len(before[i] | after[j]) or 1), abs(i - j), i, j)
         for i in free_old for j in free_new)
    pairs, used_old, used_new = [], set(), set()
    for _, _, i, j in scored:
        if i not in used_old and j not in used_new:
            pairs.append((i, j))
            used_old.add(i)
            used_new.add(j)
    return pairs


def _closest(differ: SchemaDiffer, side: int, branches: list[Node], among: Iterable[int],
             other_side: int, other: Node) -> int:
    """Which of ``among`` (indices into ``branches``) is most like ``other``."""
    target = _features(differ.views.follow(other_side, other).value)
    scored = []
    for index in among:
        found = _features(differ.views.follow(side, branches[index]).value)
        scored.append((-len(found & target) / (len(found | target) or 1), index))
    return min(scored)[1]


def _as_branch(branch: Node, union: View) -> Node:
    """A branch as its union sees it: `nullable` beside the branches (OpenAPI 3.0) makes
    each of them accept null, so that pairing a branch with a nullable schema does not
    read as "no longer nullable"."""
    if not union.nullable:
        return branch
    marker = Node({"nullable": True}, branch.document, branch.pointer + "#nullable")
    return merged_node([branch, marker])


def _standalone(view: View) -> bool:
    """Whether a oneOf/anyOf schema's branches are whole alternatives (nothing beside
    them says its type, properties or items), not constraints on the schema around."""
    return view.types is None and not view.properties and not view.required and (
        view.items is None)


def _features(value: JSON) -> set[str]:
    if not isinstance(value, dict):
        return {f"value:{canonical(value)!r}"}
    found = {f"key:{key}" for key in value}
    kind = value.get("type")
    found.update(f"type:{t}" for t in (kind if isinstance(kind, list) else [kind]) if t)
    properties = value.get("properties")
    if isinstance(properties, dict):
        found.update(f"property:{name}" for name in properties)
    for keyword in ("required", "enum"):
        items = value.get(keyword)
        if isinstance(items, list):
            found.update(f"{keyword}:{canonical(item)!r}" for item in items)
    for keyword in ("format", "title", "$ref"):
        if isinstance(value.get(keyword), str):
            found.add(f"{keyword}:{value[keyword]}")
    return found


def _covers(wide: frozenset[str] | None, narrow: frozenset[str] | None, textual: bool) -> bool:
    """Whether every value of type ``narrow`` is also of type ``wide`` (no type: any)."""
    return types_cover(_ALL_TYPES if wide is None else wide,
                       _ALL_TYPES if narrow is None else narrow, textual)


def _type_text(types: frozenset[str] | None) -> JSON:
    if types is None:
        return None
    return sorted(types)[0] if len(types) == 1 else sorted(types)


def _ref_name(node: Node) -> str | None:
    value = node.value
    if isinstance(value, dict) and isinstance(value.get("$ref"), str):
        return "ref:" + str(value["$ref"]).rpartition("/")[2]
    return None


def _title(value: JSON) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("title"), str):
        return "title:" + str(value["title"])
    return None


def _shown(value: Node | bool | None) -> JSON:
    if isinstance(value, Node):
        return value.value if value.parts == () else None
    return value


