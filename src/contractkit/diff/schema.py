"""Direction-aware comparison of two JSON Schemas, facet by facet.

One comparison serves every place a schema occurs; the caller says which side of the
exchange it is on (``request``, ``response``, or ``parameter`` — a request value that
arrives as text, so a change to ``type: string`` cannot reject what was sent before).
Findings name a :data:`~contractkit.diff.rules.SCHEMA_CHANGES` kind and the instance path
below the compared root; the caller turns them into rule ids and messages.

- ``$ref`` is followed before comparing, so moving a schema inline ↔ into components is
  not a change; ``allOf`` is flattened into one view first.
- Results are memoised per (old schema, new schema, mode): a component used by a thousand
  operations is compared once. A pair met again while being compared (a recursive schema)
  counts as equal, which is what the finished comparison establishes for it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from contractkit._types import JSON
from contractkit.contract._source import SourceDocument, join_pointer
from contractkit.contract.refs import Resolver
from contractkit.diff.rules import GENERIC_KEYWORDS

Mode = Literal["request", "response", "parameter"]
Site = tuple[str, str]  # (document uri, JSON pointer)

_REF = re.compile(rb'"\$ref":("(?:[^"\\]|\\.)*")')
_ALL_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array"})
_FORMAT_WIDER = {("int32", "int64"), ("float", "double"), ("int32", "double"),
                 ("int64", "double")}
_ANNOTATIONS = frozenset({"description", "title", "example", "examples", "deprecated",
                          "externalDocs", "xml", "$comment", "readOnly", "writeOnly",
                          "nullable", "default"})
_BOUNDS = (
    ("max-length", "maxLength"), ("max-items", "maxItems"),
    ("max-properties", "maxProperties"), ("max", "maximum"),
    ("exclusive-max", "exclusiveMaximum"), ("max-contains", "maxContains"),
    ("min-length", "minLength"), ("min-items", "minItems"),
    ("min-properties", "minProperties"), ("min", "minimum"),
    ("exclusive-min", "exclusiveMinimum"), ("min-contains", "minContains"),
)


@dataclass(frozen=True)
class Node:
    """A schema where it is written: value, document and pointer (for refs and lines).

    ``parts`` is set for a property declared in several ``allOf`` branches at once.
    """

    value: JSON
    document: SourceDocument
    pointer: str
    parts: tuple[Node, ...] = ()


@dataclass(frozen=True)
class SchemaFinding:
    change: str  # a SchemaChange name
    path: str  # instance path below the compared root, "" for the root itself
    old: JSON
    new: JSON
    site: Site  # where in the new contract; the parent schema for a removal


@dataclass
class _View:
    """A schema with refs followed and ``allOf`` merged into one set of facets."""

    site: Site
    types: frozenset[str] | None = None
    nullable: bool = False
    facets: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, list[Node]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    additional: Node | bool | None = None
    items: Node | None = None
    one_of: list[Node] | None = None
    any_of: list[Node] | None = None
    all_of: set[bytes] = field(default_factory=set)  # constraining allOf branches


class SchemaDiffer:
    """Compares schemas of one old and one new contract; keep one per pair of contracts."""

    def __init__(self, old: Resolver | None, new: Resolver | None) -> None:
        self._resolvers = (old, new)
        self._views: tuple[dict[Any, _View], dict[Any, _View]] = ({}, {})
        self._memo: dict[tuple[Any, Any, Mode], tuple[SchemaFinding, ...]] = {}
        self._open: set[tuple[Any, Any, Mode]] = set()
        self._identical: dict[tuple[Site, Site], bool] = {}
        self._targets: tuple[dict[Site, Node], dict[Site, Node]] = ({}, {})

    def compare(self, old: Node, new: Node, mode: Mode) -> tuple[SchemaFinding, ...]:
        if not old.parts and not new.parts and self._same(old, new):
            return ()
        old_view, new_view = self._view(0, old), self._view(1, new)
        key = (old_view.site, new_view.site, mode)
        if old.parts or new.parts:
            key = (_key(old), _key(new), mode)
        found = self._memo.get(key)
        if found is not None:
            return found
        if key in self._open:
            return ()
        self._open.add(key)
        try:
            found = tuple(_Comparison(self, old_view, new_view, mode).run())
        finally:
            self._open.discard(key)
        self._memo[key] = found
        return found

    def _same(self, old: Node, new: Node) -> bool:
        """Whether two schemas are written identically, down through every ref they use.

        Equal values compare in C; only the refs inside need following, each pair once.
        This settles most pairs of a large contract without building views.
        """
        old, new = self._follow(0, old), self._follow(1, new)
        key = ((old.document.uri, old.pointer), (new.document.uri, new.pointer))
        known = self._identical.get(key)
        if known is not None:
            return known
        self._identical[key] = True  # a recursive schema is the same if the rest is
        same: bool = old.value == new.value
        if same and isinstance(old.value, dict):
            for ref in dict.fromkeys(_REF.findall(_canonical(old.value))):
                text = orjson.loads(ref)
                same = self._same(Node({"$ref": text}, old.document, old.pointer),
                                  Node({"$ref": text}, new.document, new.pointer))
                if not same:
                    break
        self._identical[key] = same
        return same

    # -- views -------------------------------------------------------------------------

    def _follow(self, side: int, node: Node) -> Node:
        resolver = self._resolvers[side]
        value = node.value
        if resolver is None or not isinstance(value, dict) or "$ref" not in value:
            return node
        # what a ref names depends only on its text and the document it is written in
        key = (node.document.uri, str(value["$ref"]))
        cache = self._targets[side]
        found = cache.get(key)
        if found is None:
            target = resolver.follow(value, node.document, node.pointer)
            found = cache[key] = Node(target.value, target.document, target.pointer)
        return found

    def _view(self, side: int, node: Node) -> _View:
        cache = self._views[side]
        key = _key(node)
        view = cache.get(key)
        if view is None:
            view = cache[key] = self._build(side, node, set())
        return view

    def _build(self, side: int, node: Node, seen: set[Site]) -> _View:
        if node.parts:
            view = _View((node.parts[0].document.uri, node.parts[0].pointer))
            for part in node.parts:
                _merge(view, self._build(side, part, seen))
            return view
        node = self._follow(side, node)
        site = (node.document.uri, node.pointer)
        view = _View(site)
        value = node.value
        if value is False:
            view.types = frozenset()
        if not isinstance(value, dict) or site in seen:
            return view
        seen = seen | {site}
        _read_facets(view, value)
        for name, child in _mapping(value.get("properties")).items():
            pointer = join_pointer(node.pointer, "properties", name)
            view.properties[name] = [Node(child, node.document, pointer)]
        required = value.get("required")
        if isinstance(required, list):
            view.required.update(str(name) for name in required)
        if "additionalProperties" in value:
            extra = value["additionalProperties"]
            view.additional = extra if isinstance(extra, bool) else Node(
                extra, node.document, join_pointer(node.pointer, "additionalProperties"))
        if "items" in value and isinstance(value["items"], (dict, bool)):
            view.items = Node(value["items"], node.document, join_pointer(node.pointer, "items"))
        for keyword in ("oneOf", "anyOf"):
            branches = value.get(keyword)
            if isinstance(branches, list):
                self._branches(side, view, keyword, branches, node, seen)
        branches = value.get("allOf")
        if isinstance(branches, list):
            for index, branch in enumerate(branches):
                part = Node(branch, node.document, join_pointer(node.pointer, "allOf", index))
                followed = self._follow(side, part)
                if isinstance(followed.value, dict) and not set(followed.value) <= _ANNOTATIONS:
                    view.all_of.add(_canonical(followed.value))
                _merge(view, self._build(side, part, seen))
        return view

    def _branches(self, side: int, view: _View, keyword: str, branches: list[JSON],
                  node: Node, seen: set[Site]) -> None:
        kept = []
        for index, branch in enumerate(branches):
            part = Node(branch, node.document, join_pointer(node.pointer, keyword, index))
            if _only_null(self._follow(side, part).value):
                view.nullable = True  # the 3.1 spelling of nullable: oneOf [X, {type: null}]
            else:
                kept.append(part)
        if len(kept) == 1 and len(kept) < len(branches):
            _merge(view, self._build(side, kept[0], seen))
        elif keyword == "oneOf":
            view.one_of = kept
        else:
            view.any_of = kept


class _Comparison:
    """One comparison of two views; yields findings with paths relative to them."""

    def __init__(self, differ: SchemaDiffer, old: _View, new: _View, mode: Mode) -> None:
        self.differ, self.old, self.new, self.mode = differ, old, new, mode

    def finding(self, change: str, old: JSON, new: JSON, path: str = "",
                site: Site | None = None) -> SchemaFinding:
        return SchemaFinding(change, path, old, new, site or self.new.site)

    def run(self) -> Iterator[SchemaFinding]:
        old, new = self.old, self.new
        if old.nullable != new.nullable:
            yield self.finding("became-nullable" if new.nullable else "became-not-nullable",
                               old.nullable, new.nullable)
        # A schema that became (or stopped being) a oneOf/anyOf keeps its type, facets and
        # properties in the branches now: that one finding says it, piecemeal ones
        # (type widened, enum removed, every property removed) would only repeat it.
        reshaped = (old.one_of is None) != (new.one_of is None) or (
            old.any_of is None) != (new.any_of is None)
        if not reshaped:
            yield from self._types()
            yield from self._facets()
            yield from self._properties()
        yield from self._additional()
        if old.items is not None and new.items is not None:
            yield from self._child(old.items, new.items, "[]")
        yield from self._branches("one-of", old.one_of, new.one_of)
        yield from self._branches("any-of", old.any_of, new.any_of)
        yield from self._all_of()

    def _all_of(self) -> Iterator[SchemaFinding]:
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

    def _types(self) -> Iterator[SchemaFinding]:
        old, new = self.old.types, self.new.types
        if old == new:
            return
        textual = self.mode == "parameter"
        wider, narrower = _covers(new, old, textual), _covers(old, new, textual)
        change = ("type-widened" if wider and not narrower else
                  "type-narrowed" if narrower and not wider else "type-changed")
        if wider and narrower:
            return
        yield self.finding(change, _type_text(old), _type_text(new))

    def _facets(self) -> Iterator[SchemaFinding]:
        old, new = self.old.facets, self.new.facets
        if old == new:
            return
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
            yield from self._keyword(keyword, key, old, new)
        for keyword, on, off in (("readOnly", "became-read-only", "became-not-read-only"),
                                 ("writeOnly", "became-write-only", "became-not-write-only"),
                                 ("deprecated", "became-deprecated", "no-longer-deprecated")):
            a, b = old.get(keyword) is True, new.get(keyword) is True
            if a != b:
                yield self.finding(on if b else off, a, b)
        if old.get("default") != new.get("default"):
            yield self.finding("default-changed", old.get("default"), new.get("default"))
        sunset = new.get("x-sunset")
        if sunset != old.get("x-sunset") and sunset is not None and parse_date(sunset) is None:
            yield self.finding("sunset-invalid", old.get("x-sunset"), sunset)
        yield from self._discriminator(old.get("discriminator"), new.get("discriminator"))

    def _format(self, old: Any, new: Any) -> Iterator[SchemaFinding]:
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

    def _enum(self, keyword: str, old: Any, new: Any) -> Iterator[SchemaFinding]:
        if old == new:
            return
        prefix = "extensible-enum" if keyword != "enum" else "enum"
        if not isinstance(old, list) or not isinstance(new, list):
            if keyword == "enum":
                yield self.finding("became-enum" if old is None else "enum-removed", old, new)
            return
        old_values = {_canonical(v): v for v in old}
        new_values = {_canonical(v): v for v in new}
        for key, value in new_values.items():
            if key not in old_values:
                yield self.finding(f"{prefix}-value-added", None, value)
        for key, value in old_values.items():
            if key not in new_values:
                yield self.finding(f"{prefix}-value-removed", value, None)

    def _keyword(self, keyword: str, key: str, old: dict[str, Any],
                 new: dict[str, Any]) -> Iterator[SchemaFinding]:
        a, b = old.get(keyword), new.get(keyword)
        if a == b:
            return
        change = "added" if a is None else "removed" if b is None else "changed"
        yield self.finding(f"{key}-{change}", a, b)

    def _discriminator(self, old: Any, new: Any) -> Iterator[SchemaFinding]:
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

    def _properties(self) -> Iterator[SchemaFinding]:
        old, new = self.old, self.new
        if not old.properties and not new.properties and old.required == new.required:
            return
        differ = self.differ
        old_required = self._effective_required(0, old)
        new_required = self._effective_required(1, new)
        for name in sorted(old.properties.keys() | new.properties.keys()):
            path = "/" + name
            before, after = old.properties.get(name), new.properties.get(name)
            if before is None and after is not None:
                child = _node(after)
                if self._invisible(differ._view(1, child)):
                    continue
                kind = "required" if name in new_required else "optional"
                yield self.finding(f"{kind}-property-added", None, name, path,
                                   (child.document.uri, child.pointer))
            elif after is None and before is not None:
                if self._invisible(differ._view(0, _node(before))):
                    continue
                kind = "required" if name in old_required else "optional"
                yield self.finding(f"{kind}-property-removed", name, None, path)
            elif before is not None and after is not None:
                was, now = name in old_required, name in new_required
                if was != now:
                    site = differ._view(1, _node(after)).site
                    yield self.finding("became-required" if now else "became-optional",
                                       was, now, path, site)
                yield from self._child(_node(before), _node(after), path)

    def _effective_required(self, side: int, view: _View) -> set[str]:
        """``required`` as this side of the exchange sees it: readOnly properties are not
        required in requests, writeOnly ones not in responses (OpenAPI 3.x)."""
        hidden = "readOnly" if self.mode != "response" else "writeOnly"
        return {name for name in view.required
                if name in view.properties
                and self.differ._view(side, _node(view.properties[name])).facets.get(hidden)
                is not True} | (view.required - view.properties.keys())

    def _invisible(self, view: _View) -> bool:
        """A property this side never sees (readOnly in a request, writeOnly in a response)."""
        hidden = "readOnly" if self.mode != "response" else "writeOnly"
        return view.facets.get(hidden) is True

    def _additional(self) -> Iterator[SchemaFinding]:
        old, new = self.old.additional, self.new.additional
        if old is False and new is not False:
            yield self.finding("additional-properties-opened", False, _shown(new))
        elif new is False and old is not False:
            yield self.finding("additional-properties-closed", _shown(old), False)
        elif isinstance(old, Node) and isinstance(new, Node):
            yield from self._child(old, new, "/*")

    def _branches(self, kind: str, old: list[Node] | None,
                  new: list[Node] | None) -> Iterator[SchemaFinding]:
        if old is None and new is None:
            return
        if old is None or new is None:
            yield self.finding(f"{kind}-{'added' if old is None else 'removed'}",
                               None if old is None else len(old),
                               None if new is None else len(new))
            return
        pairs, removed, added = _match_branches(self.differ, old, new)
        keyword = "oneOf" if kind == "one-of" else "anyOf"
        for index in removed:
            yield self.finding(f"{kind}-branch-removed", _shown(old[index]), None,
                               f"/{keyword}[{index}]")
        for index in added:
            site = (new[index].document.uri, new[index].pointer)
            yield self.finding(f"{kind}-branch-added", None, _shown(new[index]),
                               f"/{keyword}[{index}]", site)
        for old_index, new_index in pairs:
            yield from self._child(old[old_index], new[new_index], f"/{keyword}[{new_index}]")

    def _child(self, old: Node, new: Node, path: str) -> Iterator[SchemaFinding]:
        for found in self.differ.compare(old, new, self.mode):
            yield SchemaFinding(found.change, path + found.path, found.old, found.new,
                                found.site)


def _match_branches(differ: SchemaDiffer, old: list[Node],
                    new: list[Node]) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair oneOf/anyOf branches: same component, then same content, then same title,
    then by position when as many remain on both sides."""
    pairs: list[tuple[int, int]] = []
    free_old, free_new = list(range(len(old))), list(range(len(new)))
    keys = (
        lambda side, node: _ref_name(node),
        lambda side, node: _canonical(differ._follow(side, node).value),
        lambda side, node: _title(differ._follow(side, node).value),
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
    if len(free_old) == len(free_new):
        pairs.extend(zip(free_old, free_new, strict=True))
        free_old, free_new = [], []
    return sorted(pairs), free_old, free_new


def _read_facets(view: _View, value: dict[str, Any]) -> None:
    kind = value.get("type")
    if isinstance(kind, str):
        kind = [kind]
    if isinstance(kind, list):
        names = {str(t) for t in kind}
        if "null" in names:
            view.nullable = True
        view.types = frozenset(names - {"null"})
    if value.get("nullable") is True or value.get("x-nullable") is True:
        view.nullable = True
    facets = view.facets
    for keyword, item in value.items():
        if keyword not in _STRUCTURE:
            facets[keyword] = item
    if "const" in facets:  # const: x is enum: [x] (3.1 spells the same thing both ways)
        const = facets.pop("const")
        facets.setdefault("enum", [const])
    # OpenAPI 3.0 spells exclusive bounds as booleans beside minimum/maximum
    for bound, exclusive in (("maximum", "exclusiveMaximum"), ("minimum", "exclusiveMinimum")):
        if facets.get(exclusive) is True and bound in facets:
            facets[exclusive] = facets.pop(bound)
        elif facets.get(exclusive) is False:
            del facets[exclusive]


_STRUCTURE = frozenset({"type", "nullable", "x-nullable", "properties", "required",
                        "additionalProperties", "items", "oneOf", "anyOf", "allOf",
                        "description", "title", "example", "examples", "externalDocs",
                        "xml", "$comment", "$ref"})


def _merge(into: _View, part: _View) -> None:
    if part.types is not None:
        into.types = part.types if into.types is None else into.types & part.types
    into.nullable = into.nullable or part.nullable
    for keyword, value in part.facets.items():
        into.facets.setdefault(keyword, value)
    for name, nodes in part.properties.items():
        into.properties.setdefault(name, []).extend(nodes)
    into.required |= part.required
    if into.additional is None or part.additional is False:
        into.additional = part.additional
    if into.items is None:
        into.items = part.items
    if into.one_of is None:
        into.one_of = part.one_of
    if into.any_of is None:
        into.any_of = part.any_of
    into.all_of |= part.all_of


def _node(nodes: list[Node]) -> Node:
    if len(nodes) == 1:
        return nodes[0]
    return Node(None, nodes[0].document, nodes[0].pointer, tuple(nodes))


def _key(node: Node) -> Any:
    if node.parts:
        return tuple(_key(part) for part in node.parts)
    return (node.document.uri, node.pointer)


def _covers(wide: frozenset[str] | None, narrow: frozenset[str] | None, textual: bool) -> bool:
    """Whether every value of type ``narrow`` is also of type ``wide``. A ``textual`` value
    (a parameter, an XML body) arrives as text, which ``type: string`` accepts whatever
    it held before."""
    wide = _ALL_TYPES if wide is None else wide
    narrow = _ALL_TYPES if narrow is None else narrow
    return all(kind in wide or (kind == "integer" and "number" in wide)
               or (textual and "string" in wide)
               for kind in narrow)


def _type_text(types: frozenset[str] | None) -> JSON:
    if types is None:
        return None
    return sorted(types)[0] if len(types) == 1 else sorted(types)


def _only_null(value: JSON) -> bool:
    return isinstance(value, dict) and value.get("type") in ("null", ["null"]) and not (
        set(value) - {"type", "description", "title"})


def _canonical(value: JSON) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


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


def _mapping(value: JSON) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def parse_date(value: JSON) -> dt.date | None:
    """An ``x-sunset`` value as a date: ``YYYY-MM-DD`` or an RFC 3339 date-time."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None
