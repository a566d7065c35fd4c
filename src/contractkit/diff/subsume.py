"""Whether one schema accepts every value another accepts (``covers``), conservatively.

The facet-by-facet comparison in :mod:`contractkit.diff.schema` says *what* changed; where
a schema was rewritten rather than edited (two ``oneOf`` branches merged into one wider
branch, a type turned into a ``oneOf`` of it and something else, ``required`` relaxed into
``anyOf`` alternatives) the question that decides the verdict is the set one: does the new
schema still accept everything the old one did (requests), or can clients receive
something the old one did not allow (responses)?

``covers`` answers yes only when it can prove it; "don't know" is no, so a rewrite it
cannot judge is reported as before, never silently passed. It reads values the way the
differ does: a property an object does not declare is taken as not sent (adding an
optional property is no change); a value covered by one ``oneOf`` branch counts as
covered only if the other branches provably reject it (their types, enums or a required
discriminating property exclude each other), since matching two branches fails a
``oneOf``; and recursive schemas are assumed to cover themselves where
the recursion comes back to a pair being checked (the coinductive reading of recursive
types).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from contractkit.diff.views import Node, View, Views, canonical, merge, merged_node, node_key

_NUMERIC = frozenset({"number", "integer"})
#: Facets and the JSON types they constrain (a facet of another type's never applies).
_FAMILY: dict[str, frozenset[str]] = {
    **dict.fromkeys(("maxLength", "minLength", "pattern"), frozenset({"string"})),
    **dict.fromkeys(("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum",
                     "multipleOf"), _NUMERIC),
    **dict.fromkeys(("maxItems", "minItems", "uniqueItems", "maxContains", "minContains"),
                    frozenset({"array"})),
    **dict.fromkeys(("maxProperties", "minProperties", "dependentRequired"),
                    frozenset({"object"})),
}
_UPPER = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum",
          "maxContains")
_LOWER = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum",
          "minContains")
#: Facets that do not constrain values (or that this check reads elsewhere).
_FREE = frozenset({"enum", "format", "readOnly", "writeOnly", "deprecated", "default",
                   "discriminator", "x-sunset", "x-extensible-enum", "nullable", "x-nullable",
                   "$schema", "$id", "$anchor", "$defs", "definitions", "const",
                   "contentMediaType", "contentEncoding"})
_FORMAT_WIDER = {("int32", "int64"), ("float", "double"), ("int32", "double"),
                 ("int64", "double"), ("int32", "float"), ("int64", "float")}
#: How deep a proof may go; beyond it the answer is "not proven".
_MAX_DEPTH = 48


class Subsumption:
    """``covers`` for the schemas of one old (side 0) and one new (side 1) contract."""

    def __init__(self, views: Views) -> None:
        self.views = views
        self._known: dict[Any, bool] = {}
        self._open: set[Any] = set()
        self._assumed = 0  # how often an open pair was assumed covered

    def covers(self, wide: tuple[int, Node], narrow: tuple[int, Node], *,
               textual: bool = False, null: bool = True) -> bool:
        """Whether every value ``narrow`` accepts, ``wide`` accepts too. Each argument is
        (side, schema); ``textual`` values arrive as text (parameters, form fields), which
        ``type: string`` accepts whatever they held; without ``null``, whether null is
        accepted is left out (for a branch, when its union says it)."""
        return self._nodes(wide, narrow, textual, 0, null)

    def _nodes(self, wide: tuple[int, Node], narrow: tuple[int, Node], textual: bool,
               depth: int, null: bool = True) -> bool:
        key = (wide[0], node_key(wide[1]), narrow[0], node_key(narrow[1]), textual, null)
        known = self._known.get(key)
        if known is not None:
            return known
        if key in self._open:
            self._assumed += 1
            return True
        if depth > _MAX_DEPTH:
            return False
        self._open.add(key)
        assumed = self._assumed
        try:
            wide_view = self.views.view(wide[0], wide[1])
            narrow_view = self.views.view(narrow[0], narrow[1])
            options = list(self._alternatives(wide[0], wide_view))
            exclusive = len(options) > 1 and _exclusive(wide_view)
            narrows = list(self._alternatives(narrow[0], narrow_view))
            # null is judged once for the whole schema: OpenAPI 3.0's `nullable` beside a
            # oneOf makes the schema nullable, not each branch
            result = (not null or not any(option.nullable for option in narrows) or any(
                option.nullable or (option.types is None and "enum" not in option.facets)
                for option in options)) and all(
                self._one(options, wide[0], option, narrow[0], exclusive, textual, depth)
                for option in narrows)
        finally:
            self._open.discard(key)
        # a "yes" that rested on an open pair is only known once that pair is settled
        if not result or self._assumed == assumed:
            self._known[key] = result
        return result

    def _one(self, options: list[View], wide_side: int, narrow: View, narrow_side: int,
             exclusive: bool, textual: bool, depth: int) -> bool:
        """Whether one of ``options`` covers ``narrow`` (and, for a oneOf, only one can
        accept its values)."""
        for index, option in enumerate(options):
            if self._plain(option, wide_side, narrow, narrow_side, textual, depth):
                return not exclusive or all(
                    self._disjoint(narrow, narrow_side, other, wide_side, depth)
                    for at, other in enumerate(options) if at != index)
        return False

    def _disjoint(self, a: View, a_side: int, b: View, b_side: int, depth: int) -> bool:
        """Whether no value is accepted by both plain views (provably)."""
        if depth > _MAX_DEPTH:
            return False
        a_enum, b_enum = a.facets.get("enum"), b.facets.get("enum")
        if isinstance(a_enum, list) and isinstance(b_enum, list):
            return not ({canonical(v) for v in a_enum} & {canonical(v) for v in b_enum})
        for enum, other in ((a_enum, b), (b_enum, a)):
            if isinstance(enum, list) and other.types is not None:
                return all(value is not None and not types_cover(
                    other.types, frozenset({_kind(value)}), False) for value in enum)
        if a.types is not None and b.types is not None and not (
                _with_integer(a.types) & _with_integer(b.types)):
            return True
        for name in a.required & b.required & a.properties.keys() & b.properties.keys():
            if self._disjoint(
                    self.views.view(a_side, merged_node(a.properties[name])), a_side,
                    self.views.view(b_side, merged_node(b.properties[name])), b_side,
                    depth + 1):
                return True
        return any(name not in other.properties and other.additional is False
                   for one, other in ((a, b), (b, a)) for name in one.required)

    def _alternatives(self, side: int, view: View, depth: int = 0) -> Iterator[View]:
        """A view as a list of plain views (no oneOf/anyOf), each a branch merged with
        what the schema says beside its branches."""
        branches = view.one_of if view.one_of is not None else view.any_of
        if branches is None or depth > 4:
            yield view
            return
        base = _copy(view)
        if view.one_of is not None:
            base.one_of = None
        else:
            base.any_of = None
        if not branches:
            return  # an empty union accepts nothing
        for branch in branches:
            merged = _copy(base)
            merge(merged, self.views.view(side, branch))
            yield from self._alternatives(side, merged, depth + 1)

    def _plain(self, wide: View, wide_side: int, narrow: View, narrow_side: int,
               textual: bool, depth: int) -> bool:
        if narrow.types is not None and not narrow.types and not narrow.nullable:
            return True  # `false`: accepts nothing
        narrow_enum = narrow.facets.get("enum")
        if isinstance(narrow_enum, list):
            return all(self._value(wide, value, textual) for value in narrow_enum)
        if isinstance(wide.facets.get("enum"), list):
            return False
        if wide.types is not None and not types_cover(wide.types, narrow.types, textual):
            return False
        kinds = narrow.types
        if wide.types is not None:
            kinds = wide.types if kinds is None else kinds & (wide.types | (
                {"integer"} if "number" in wide.types else set()))
        if not self._format(wide, narrow):
            return False
        for keyword, value in wide.facets.items():
            if keyword in _FREE or keyword.startswith("x-"):
                continue
            if not _applies(keyword, kinds):
                continue
            if not _facet_covers(keyword, value, narrow.facets):
                return False
        if _applies_to("object", kinds) and not self._object(wide, wide_side, narrow,
                                                                narrow_side, textual, depth):
            return False
        if _applies_to("array", kinds) and wide.items is not None:
            if narrow.items is None:
                return False
            if not self._nodes((wide_side, wide.items), (narrow_side, narrow.items),
                               textual, depth + 1):
                return False
        for name, node in wide.subschemas.items():
            other = narrow.subschemas.get(name)
            if other is None or not self._nodes((wide_side, node), (narrow_side, other),
                                                textual, depth + 1):
                return False
        return True

    def _object(self, wide: View, wide_side: int, narrow: View, narrow_side: int,
                textual: bool, depth: int) -> bool:
        if not wide.required <= narrow.required:
            return False
        for name, nodes in narrow.properties.items():
            target = wide.properties.get(name)
            if target is not None:
                child: Node | None = merged_node(target)
            elif wide.additional is False:
                return False
            else:
                child = wide.additional if isinstance(wide.additional, Node) else None
            if child is not None and not self._nodes((wide_side, child),
                                                     (narrow_side, merged_node(nodes)),
                                                     textual, depth + 1):
                return False
        if wide.additional is False:
            return narrow.additional is False
        if isinstance(wide.additional, Node):
            if narrow.additional is False:
                return True
            if not isinstance(narrow.additional, Node):
                return False
            return self._nodes((wide_side, wide.additional),
                               (narrow_side, narrow.additional), textual, depth + 1)
        return True

    def _format(self, wide: View, narrow: View) -> bool:
        wanted, given = wide.facets.get("format"), narrow.facets.get("format")
        if wanted is None or wanted == given or (given, wanted) in _FORMAT_WIDER:
            return True
        # an integer is a float or a double; int32/int64 on a number that became an
        # integer are said by the type
        return wanted in ("float", "double") and narrow.types is not None and (
            narrow.types <= {"integer"})

    def _value(self, view: View, value: Any, textual: bool) -> bool:
        """Whether one (enum) value is accepted by a plain view, as far as its type,
        enum and nullability say; a view with other constraints is not judged."""
        if value is None:
            return view.nullable or (view.types is None and not view.facets.get("enum"))
        enum = view.facets.get("enum")
        if isinstance(enum, list) and canonical(value) not in {canonical(v) for v in enum}:
            return False
        if view.types is not None and not types_cover(view.types, frozenset({_kind(value)}),
                                                       textual):
            return False
        return isinstance(enum, list) or _facets_free(view)


def _exclusive(view: View) -> bool:
    return view.one_of is not None


def _with_integer(kinds: frozenset[str]) -> frozenset[str]:
    return kinds | {"integer"} if "number" in kinds else kinds


def _copy(view: View) -> View:
    copy = View(view.site)
    merge(copy, view)
    copy.one_of, copy.any_of = view.one_of, view.any_of
    return copy


def _facets_free(view: View) -> bool:
    """Whether a view constrains values by nothing but type, enum and nullability."""
    return not view.properties and not view.required and view.items is None and (
        view.additional is None) and not view.subschemas and all(
        (key in _FREE and key != "format") or key.startswith("x-") for key in view.facets)


#: what a value read as text can be while staying one string: arrays and objects have
#: structure however they travel (repeated or exploded parameters, child elements in XML)
_SCALARS = frozenset({"string", "number", "integer", "boolean"})


def types_cover(wide: frozenset[str], narrow: frozenset[str] | None, textual: bool) -> bool:
    """Whether every value of the ``narrow`` types is of a ``wide`` type; a ``textual``
    value (a parameter, a header, a body that is not JSON) arrives as text, so
    ``string`` takes any scalar (``5`` is ``"5"``)."""
    if narrow is None:
        return False
    return all(kind in wide or (kind == "integer" and "number" in wide)
               or (textual and "string" in wide and kind in _SCALARS) for kind in narrow)


def _applies(keyword: str, kinds: frozenset[str] | set[str] | None) -> bool:
    family = _FAMILY.get(keyword)
    return family is None or kinds is None or bool(family & kinds)


def _applies_to(kind: str, kinds: frozenset[str] | set[str] | None) -> bool:
    return kinds is None or kind in kinds


def _facet_covers(keyword: str, wanted: Any, given: dict[str, Any]) -> bool:
    value = given.get(keyword)
    if value is None:
        return False
    if keyword in _UPPER:
        return _number(value) and _number(wanted) and value <= wanted
    if keyword in _LOWER:
        return _number(value) and _number(wanted) and value >= wanted
    return bool(canonical(value) == canonical(wanted))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
