"""Compare two GraphQL schemas: types, fields, arguments, input fields, enums, unions,
interfaces, directives and deprecations.

Levels follow graphql-inspector: output positions are covariant (a field may become
stricter, ``String`` → ``String!``), input positions contravariant (an argument may
become looser); additions that old clients cannot handle are ``dangerous``; an argument
or input field added is breaking only when it is required and has no default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import graphql
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
    is_list_type,
    is_named_type,
    is_non_null_type,
)

from contractkit.diff.model import Change
from contractkit.diff.rules import rule
from contractkit.errors import Location

#: where a change with no surviving parent in the new schema is placed: its first line
_TOP = object()


class GraphQLDiff:
    """One comparison of an old and a new GraphQL schema."""

    def __init__(self, old: GraphQLSchema, new: GraphQLSchema, *, old_source: str,
                 new_source: str) -> None:
        self.old, self.new = old, new
        self.sources = (old_source, new_source)
        self._bodies = (_body(old), _body(new))
        self.changes: list[Change] = []
        self._nodes: list[tuple[Any, int]] = []  # per change: the AST node and its side

    def run(self) -> list[Change]:
        old_types = _types(self.old)
        new_types = _types(self.new)
        for name in sorted(old_types.keys() - new_types.keys()):
            self._add("graphql-type-removed", [name], f"type {name} was removed",
                      old_types[name].ast_node, side=0)
        for name in sorted(new_types.keys() - old_types.keys()):
            self._add("graphql-type-added", [name], f"type {name} was added",
                      new_types[name].ast_node)
        for name in sorted(old_types.keys() & new_types.keys()):
            self._type(old_types[name], new_types[name])
        self._directives()
        return self._located()

    def _add(self, rule_id: str, parts: list[str], message: str, node: Any = None, *,
             side: int = 1, old: Any = None, new: Any = None) -> None:
        if side == 0:
            # what was removed is placed in the new schema, on its nearest surviving
            # parent (the type of a removed field; the top of the file for a removed
            # type): CI annotates the changed file, not the old revision
            node, side = self._surviving(parts), 1
        self.changes.append(Change(
            rule_id=rule_id, level=rule(rule_id).level, location=".".join(parts),
            message=message, old=old, new=new, operation=parts[0]))
        self._nodes.append((node, side))

    def _surviving(self, parts: list[str]) -> Any:
        named = self.new.type_map.get(parts[0]) if not parts[0].startswith("@") else None
        node: Any = getattr(named, "ast_node", None) or _TOP
        members = getattr(named, "fields", None) or getattr(named, "values", None) or {}
        member = members.get(parts[1]) if len(parts) > 2 else None
        if member is not None and getattr(member, "ast_node", None) is not None:
            node = member.ast_node
        return node

    def _located(self) -> list[Change]:
        """The changes with their line and column, counted in one pass per schema text
        (graphql-core's get_location rescans the text from the top for each node)."""
        wanted: dict[int, list[int]] = {0: [], 1: []}
        for node, side in self._nodes:
            loc = getattr(node, "loc", None)
            if loc is not None and loc.source is not None:
                wanted[side].append(loc.start)
        positions = {side: _line_columns(self._bodies[side], offsets)
                     for side, offsets in wanted.items() if offsets}
        located = []
        for change, (node, side) in zip(self.changes, self._nodes, strict=True):
            if node is _TOP:
                located.append(dataclasses.replace(
                    change, source_line=Location(self.sources[side], 1, 1)))
                continue
            loc = getattr(node, "loc", None)
            if loc is not None and loc.source is not None:
                line, column = positions[side][loc.start]
                located.append(dataclasses.replace(
                    change, source_line=Location(self.sources[side], line, column)))
            else:
                located.append(change)
        return located

    def _type(self, old: GraphQLNamedType, new: GraphQLNamedType) -> None:
        name = new.name
        if type(old) is not type(new):
            self._add("graphql-type-kind-changed", [name],
                      f"type {name} changed from {_kind(old)} to {_kind(new)}", new.ast_node,
                      old=_kind(old), new=_kind(new))
            return
        if isinstance(old, (GraphQLObjectType, GraphQLInterfaceType)):
            assert isinstance(new, (GraphQLObjectType, GraphQLInterfaceType))
            self._fields(old, new)
            self._members("interface", name, {i.name: i for i in old.interfaces},
                          {i.name: i for i in new.interfaces}, new)
        elif isinstance(old, GraphQLInputObjectType):
            assert isinstance(new, GraphQLInputObjectType)
            self._input_fields(old, new)
        elif isinstance(old, GraphQLEnumType):
            assert isinstance(new, GraphQLEnumType)
            self._enum(old, new)
        elif isinstance(old, GraphQLUnionType):
            assert isinstance(new, GraphQLUnionType)
            self._members("union-member", name, {t.name: t for t in old.types},
                          {t.name: t for t in new.types}, new)

    def _fields(self, old: GraphQLObjectType | GraphQLInterfaceType,
                new: GraphQLObjectType | GraphQLInterfaceType) -> None:
        name = new.name
        for field in sorted(old.fields.keys() - new.fields.keys()):
            self._add("graphql-field-removed", [name, field],
                      f"field {name}.{field} was removed: queries selecting it fail",
                      old.fields[field].ast_node, side=0)
        for field in sorted(new.fields.keys() - old.fields.keys()):
            self._add("graphql-field-added", [name, field], f"field {name}.{field} was added",
                      new.fields[field].ast_node)
        for field in sorted(old.fields.keys() & new.fields.keys()):
            was, now = old.fields[field], new.fields[field]
            node = now.ast_node
            if str(was.type) != str(now.type):
                safe = _safe_output(was.type, now.type)
                self._add("graphql-field-type-narrowed" if safe else "graphql-field-type-changed",
                          [name, field], f"field {name}.{field} changed type from {was.type} "
                          f"to {now.type}" + ("" if safe else ": clients may not read it"),
                          node, old=str(was.type), new=str(now.type))
            self._deprecation("graphql-field", [name, field], was.deprecation_reason,
                              now.deprecation_reason, node)
            self._arguments([name, field], was.args, now.args, "graphql")

    def _arguments(self, parts: list[str], old: Mapping[str, GraphQLArgument],
                   new: Mapping[str, GraphQLArgument], prefix: str) -> None:
        where = ".".join(parts)
        for arg in sorted(old.keys() - new.keys()):
            self._add(f"{prefix}-argument-removed", [*parts, arg],
                      f"argument {arg} of {where} was removed: queries passing it fail",
                      old[arg].ast_node, side=0)
        for arg in sorted(new.keys() - old.keys()):
            required = _required(new[arg])
            rule_id = f"{prefix}-required-argument-added" if required else \
                f"{prefix}-argument-added"
            self._add(rule_id, [*parts, arg],
                      f"{'required' if required else 'optional'} argument {arg} was added to "
                      f"{where}" + (": existing queries do not pass it" if required else ""),
                      new[arg].ast_node)
        if prefix != "graphql":
            return
        for arg in sorted(old.keys() & new.keys()):
            self._input_value("argument", [*parts, arg], old[arg], new[arg])

    def _input_fields(self, old: GraphQLInputObjectType, new: GraphQLInputObjectType) -> None:
        name = new.name
        for field in sorted(old.fields.keys() - new.fields.keys()):
            self._add("graphql-input-field-removed", [name, field],
                      f"input field {name}.{field} was removed: inputs passing it fail",
                      old.fields[field].ast_node, side=0)
        for field in sorted(new.fields.keys() - old.fields.keys()):
            required = _required(new.fields[field])
            rule_id = "graphql-required-input-field-added" if required else \
                "graphql-input-field-added"
            self._add(rule_id, [name, field],
                      f"{'required' if required else 'optional'} input field {name}.{field} "
                      "was added" + (": existing inputs do not set it" if required else ""),
                      new.fields[field].ast_node)
        for field in sorted(old.fields.keys() & new.fields.keys()):
            self._input_value("input-field", [name, field], old.fields[field],
                              new.fields[field])

    def _input_value(self, what: str, parts: list[str],
                     old: GraphQLArgument | GraphQLInputField,
                     new: GraphQLArgument | GraphQLInputField) -> None:
        where = ".".join(parts)
        label = what.replace("-", " ")
        if str(old.type) != str(new.type):
            safe = _safe_input(old.type, new.type)
            self._add(f"graphql-{what}-type-{'widened' if safe else 'changed'}", parts,
                      f"{label} {where} changed type from {old.type} to {new.type}"
                      + ("" if safe else ": existing queries may not satisfy it"),
                      new.ast_node, old=str(old.type), new=str(new.type))
        before, after = _default(old), _default(new)
        if before is not None and after is not None and before != after:
            self._add(f"graphql-{what}-default-changed", parts,
                      f"default of {label} {where} changed from {before} to {after}: "
                      "queries that omit it behave differently", new.ast_node, old=before,
                      new=after)
        self._deprecation(f"graphql-{what}", parts, old.deprecation_reason,
                          new.deprecation_reason, new.ast_node)

    def _enum(self, old: GraphQLEnumType, new: GraphQLEnumType) -> None:
        name = new.name
        for value in sorted(old.values.keys() - new.values.keys()):
            self._add("graphql-enum-value-removed", [name, value],
                      f"enum value {name}.{value} was removed", old.values[value].ast_node,
                      side=0)
        for value in sorted(new.values.keys() - old.values.keys()):
            self._add("graphql-enum-value-added", [name, value],
                      f"enum value {name}.{value} was added: clients may not handle it",
                      new.values[value].ast_node)
        for value in sorted(old.values.keys() & new.values.keys()):
            was, now = old.values[value], new.values[value]
            if was.deprecation_reason is None and now.deprecation_reason is not None:
                self._add("graphql-enum-value-deprecated", [name, value],
                          f"enum value {name}.{value} was deprecated: {now.deprecation_reason}",
                          now.ast_node)

    def _members(self, kind: str, name: str, old: Mapping[str, Any], new: Mapping[str, Any],
                 node: Any) -> None:
        noun = "union member" if kind == "union-member" else "interface"
        for member in sorted(old.keys() - new.keys()):
            self._add(f"graphql-{kind}-removed", [name, member],
                      f"{noun} {member} was removed from {name}", node.ast_node)
        for member in sorted(new.keys() - old.keys()):
            self._add(f"graphql-{kind}-added", [name, member],
                      f"{noun} {member} was added to {name}: clients may not handle it",
                      node.ast_node)

    def _deprecation(self, prefix: str, parts: list[str], old: str | None,
                     new: str | None, node: Any) -> None:
        if (old is None) == (new is None):
            return
        where = ".".join(parts)
        if new is not None:
            self._add(f"{prefix}-deprecated", parts, f"{where} was deprecated: {new}", node)
        else:
            self._add(f"{prefix}-reactivated", parts, f"{where} is no longer deprecated", node)

    def _directives(self) -> None:
        old = {d.name: d for d in self.old.directives}
        new = {d.name: d for d in self.new.directives}
        for name in sorted(old.keys() - new.keys()):
            self._add("graphql-directive-removed", [f"@{name}"],
                      f"directive @{name} was removed", old[name].ast_node, side=0)
        for name in sorted(new.keys() - old.keys()):
            self._add("graphql-directive-added", [f"@{name}"], f"directive @{name} was added",
                      new[name].ast_node)
        for name in sorted(old.keys() & new.keys()):
            was, now = old[name], new[name]
            parts = [f"@{name}"]
            self._arguments(parts, was.args, now.args, "graphql-directive")
            before = {str(loc.name) for loc in was.locations}
            after = {str(loc.name) for loc in now.locations}
            for location in sorted(before - after):
                self._add("graphql-directive-location-removed", [*parts, location],
                          f"directive @{name} can no longer be used on {location}",
                          now.ast_node)
            for location in sorted(after - before):
                self._add("graphql-directive-location-added", [*parts, location],
                          f"directive @{name} can now be used on {location}", now.ast_node)
            if was.is_repeatable and not now.is_repeatable:
                self._add("graphql-directive-repeatable-removed", parts,
                          f"directive @{name} is no longer repeatable", now.ast_node)


def _types(schema: GraphQLSchema) -> dict[str, GraphQLNamedType]:
    """The schema's own types: not introspection's, nor the built-in scalars (Int, Float,
    ID... are in a schema's type map only while something uses them)."""
    return {name: kind for name, kind in schema.type_map.items()
            if not name.startswith("__") and name not in graphql.specified_scalar_types}


def _kind(kind: GraphQLNamedType) -> str:
    return type(kind).__name__.removeprefix("GraphQL").removesuffix("Type").lower()


def _required(value: GraphQLArgument | GraphQLInputField) -> bool:
    return is_non_null_type(value.type) and _default(value) is None


def _default(value: GraphQLArgument | GraphQLInputField) -> str | None:
    """The default as GraphQL text, or ``None``. graphql-core 3.3 keeps SDL defaults in
    ``.default`` (a literal); 3.2 and programmatic schemas use ``.default_value``."""
    default = getattr(value, "default", None)
    if default is not None:
        literal = getattr(default, "literal", None)
        return graphql.print_ast(literal) if literal is not None else repr(default.value)
    if value.default_value is not Undefined:
        return repr(value.default_value)
    return None


def _safe_output(old: Any, new: Any) -> bool:
    """Whether a field of type ``old`` may become ``new`` without surprising readers."""
    if is_list_type(old):
        return (is_list_type(new) and _safe_output(old.of_type, new.of_type)) or (
            is_non_null_type(new) and _safe_output(old, new.of_type))
    if is_non_null_type(old):
        return is_non_null_type(new) and _safe_output(old.of_type, new.of_type)
    return (is_named_type(new) and new.name == old.name) or (
        is_non_null_type(new) and _safe_output(old, new.of_type))


def _safe_input(old: Any, new: Any) -> bool:
    """Whether an argument or input field of type ``old`` may become ``new`` without
    rejecting what existing queries send."""
    if is_list_type(old):
        return is_list_type(new) and _safe_input(old.of_type, new.of_type)
    if is_non_null_type(old):
        return (is_non_null_type(new) and _safe_input(old.of_type, new.of_type)) or (
            not is_non_null_type(new) and _safe_input(old.of_type, new))
    return is_named_type(new) and new.name == old.name


def _body(schema: GraphQLSchema) -> str:
    """The SDL text a schema was built from ("" for an introspection result)."""
    for kind in schema.type_map.values():
        loc = getattr(kind.ast_node, "loc", None)
        if loc is not None and loc.source is not None:
            return str(loc.source.body)
    return ""


def _line_columns(body: str, offsets: list[int]) -> dict[int, tuple[int, int]]:
    positions: dict[int, tuple[int, int]] = {}
    line, previous = 1, 0
    for offset in sorted(set(offsets)):
        line += body.count("\n", previous, offset)
        previous = offset
        positions[offset] = (line, offset - body.rfind("\n", 0, offset))
    return positions
