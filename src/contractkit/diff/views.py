"""Schemas as the differ sees them: refs followed and ``allOf`` merged into one
:class:`View` of facets, properties and branches, built once per schema and side."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from contractkit._types import JSON
from contractkit.contract._source import SourceDocument, join_pointer
from contractkit.contract.refs import Resolver

Site = tuple[str, str]  # (document uri, JSON pointer)

#: Keywords that describe a schema without constraining its values.
ANNOTATIONS = frozenset({"description", "title", "example", "examples", "deprecated",
                         "externalDocs", "xml", "$comment", "readOnly", "writeOnly",
                         "nullable", "default"})


@dataclass(frozen=True)
class Node:
    """A schema where it is written: value, document and pointer (for refs and lines).

    ``parts`` is set for a property declared in several ``allOf`` branches at once.
    """

    value: JSON
    document: SourceDocument
    pointer: str
    parts: tuple[Node, ...] = ()


@dataclass
class View:
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
    #: schemas inside other keywords, by ``keyword`` or ``keyword/name`` (contains, then,
    #: patternProperties/^x-, prefixItems/0 …), compared one by one
    subschemas: dict[str, Node] = field(default_factory=dict)


class Views:
    """Builds and caches the views of one old and one new contract's schemas."""

    def __init__(self, old: Resolver | None, new: Resolver | None) -> None:
        self._resolvers = (old, new)
        self._views: tuple[dict[Any, View], dict[Any, View]] = ({}, {})
        self._targets: tuple[dict[Site, Node], dict[Site, Node]] = ({}, {})

    def follow(self, side: int, node: Node) -> Node:
        """``node`` with its ``$ref`` chain followed (side 0 is the old contract)."""
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

    def view(self, side: int, node: Node) -> View:
        """The (cached) view of a schema of the old (0) or new (1) contract."""
        cache = self._views[side]
        key = node_key(node)
        view = cache.get(key)
        if view is None:
            view = cache[key] = self._build(side, node, set())
        return view

    def _build(self, side: int, node: Node, seen: set[Site]) -> View:
        if node.parts:
            view = View((node.parts[0].document.uri, node.parts[0].pointer))
            for part in node.parts:
                merge(view, self._build(side, part, seen))
            return view
        node = self.follow(side, node)
        site = (node.document.uri, node.pointer)
        view = View(site)
        value = node.value
        if value is False:
            view.types = frozenset()
        if not isinstance(value, dict) or site in seen:
            return view
        seen = seen | {site}
        _read_facets(view, value)
        _subschemas(view, value, node)
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
                followed = self.follow(side, part)
                if isinstance(followed.value, dict) and not set(followed.value) <= ANNOTATIONS:
                    view.all_of.add(canonical(followed.value))
                merge(view, self._build(side, part, seen))
        return view

    def _branches(self, side: int, view: View, keyword: str, branches: list[JSON],
                  node: Node, seen: set[Site]) -> None:
        kept = []
        for index, branch in enumerate(branches):
            part = Node(branch, node.document, join_pointer(node.pointer, keyword, index))
            if _only_null(self.follow(side, part).value):
                view.nullable = True  # the 3.1 spelling of nullable: oneOf [X, {type: null}]
            else:
                kept.append(part)
        if len(kept) == 1 and len(kept) < len(branches):
            merge(view, self._build(side, kept[0], seen))
        elif self._fold_enums(side, view, kept):
            pass
        elif keyword == "oneOf":
            view.one_of = kept
        else:
            view.any_of = kept


    def _fold_enums(self, side: int, view: View, branches: list[Node]) -> bool:
        """``oneOf``/``anyOf`` of enums of one type is the enum of all their values
        (``enum [A, B]`` rewritten as ``oneOf [enum [A], enum [B]]`` is no change): fold
        them into the view and return True, or leave the view alone."""
        if len(branches) < 2 or "enum" in view.facets or "const" in view.facets:
            return False
        values: list[JSON] = []
        kinds: set[str] = set()
        for branch in branches:
            value = self.follow(side, branch).value
            if not isinstance(value, dict) or not set(value) <= _ENUM_BRANCH:
                return False
            found = value.get("enum", [value["const"]] if "const" in value else None)
            kind = value.get("type")
            if not isinstance(found, list) or not isinstance(kind, (str, type(None))):
                return False
            kinds.add(kind or "")
            values.extend(found)
        if len(kinds) != 1:
            return False
        kind = kinds.pop()
        if kind:
            view.types = frozenset({kind}) if view.types is None else view.types & {kind}
        unique = {canonical(item): item for item in values}
        view.facets["enum"] = list(unique.values())
        return True


#: Keys an enum-only branch may have.
_ENUM_BRANCH = frozenset({"type", "enum", "const", "title", "description", "example",
                          "examples", "$comment"})


def _read_facets(view: View, value: dict[str, Any]) -> None:
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
    if facets.get("pattern") in _ANY_STRING:  # matches every string: no constraint
        del facets["pattern"]
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


def merge(into: View, part: View) -> None:
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
    for key, node in part.subschemas.items():
        into.subschemas.setdefault(key, node)


_ANY_STRING = frozenset({"", ".*", "^.*", ".*$", "^.*$"})

#: keywords whose value is one schema, a map of schemas, or a list of schemas
SINGLE_SCHEMA = ("contains", "propertyNames", "contentSchema", "unevaluatedProperties",
                 "unevaluatedItems", "then", "else")
SCHEMA_MAPS = ("patternProperties", "dependentSchemas")
SCHEMA_LISTS = ("prefixItems",)


def _subschemas(view: View, value: dict[str, Any], node: Node) -> None:
    found = view.subschemas
    for keyword in SINGLE_SCHEMA:
        if isinstance(value.get(keyword), dict):
            found[keyword] = Node(value[keyword], node.document,
                                  join_pointer(node.pointer, keyword))
    for keyword in SCHEMA_MAPS:
        for name, child in _mapping(value.get(keyword)).items():
            if isinstance(child, dict):
                found[f"{keyword}/{name}"] = Node(child, node.document,
                                                  join_pointer(node.pointer, keyword, name))
    for keyword in SCHEMA_LISTS:
        children = value.get(keyword)
        if isinstance(children, list):
            for index, child in enumerate(children):
                found[f"{keyword}/{index}"] = Node(child, node.document,
                                                   join_pointer(node.pointer, keyword, index))


def merged_node(nodes: list[Node]) -> Node:
    """One node for a property declared in one place, or in several allOf branches."""
    if len(nodes) == 1:
        return nodes[0]
    return Node(None, nodes[0].document, nodes[0].pointer, tuple(nodes))


def node_key(node: Node) -> Any:
    if node.parts:
        return tuple(node_key(part) for part in node.parts)
    return (node.document.uri, node.pointer)


def _only_null(value: JSON) -> bool:
    return isinstance(value, dict) and value.get("type") in ("null", ["null"]) and not (
        set(value) - {"type", "description", "title"})


def canonical(value: JSON) -> bytes:
    """One byte string per JSON value, whatever the key order."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def _mapping(value: JSON) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


