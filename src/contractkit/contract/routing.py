"""Match a request path to a path template, with OpenAPI's rules.

Templates are split into segments and kept in a tree; at each level a literal segment is
tried before a templated one (``/pets/mine`` beats ``/pets/{petId}``), so the most
specific template wins. A templated segment may mix text and variables
(``{name}.{ext}``, ``v{version}``). Matching costs one dict lookup per literal segment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote

if TYPE_CHECKING:
    from contractkit.contract.model import Operation

_VARIABLE = re.compile(r"\{([^{}/]+)\}")


@dataclass(frozen=True)
class RouteMatch:
    operation: Operation
    #: Path parameter values, percent-decoded, as strings.
    path_params: Mapping[str, str]


@dataclass
class _Node:
    literal: dict[str, _Node] = field(default_factory=dict)
    templated: list[tuple[re.Pattern[str], tuple[str, ...], _Node]] = field(default_factory=list)
    #: method → operation, for templates that end at this node
    operations: dict[str, Operation] = field(default_factory=dict)
    template: str = ""


class Router:
    """Path-template tree over a contract's operations."""

    def __init__(self, operations: Iterable[Operation]) -> None:
        self._root = _Node()
        for operation in operations:
            self._add(operation)

    def _add(self, operation: Operation) -> None:
        node = self._root
        for segment in _segments(operation.path):
            if "{" not in segment:
                node = node.literal.setdefault(segment, _Node())
                continue
            pattern, names = _compile_segment(segment)
            for existing, _, child in node.templated:
                if existing.pattern == pattern.pattern:
                    node = child
                    break
            else:
                child = _Node()
                node.templated.append((pattern, names, child))
                # Segments with more literal text are more specific: try them first.
                node.templated.sort(key=lambda entry: -len(_VARIABLE.sub("", entry[0].pattern)))
                node = child
        node.template = operation.path
        node.operations.setdefault(operation.method.upper(), operation)

    def match(self, method: str, path: str) -> RouteMatch | None:
        found = self._find(path)
        if found is None:
            return None
        node, params = found
        operation = node.operations.get(method.upper())
        if operation is None and method.upper() == "HEAD":
            operation = node.operations.get("GET")
        if operation is None:
            return None
        return RouteMatch(operation, params)

    def allowed_methods(self, path: str) -> tuple[str, ...]:
        found = self._find(path)
        return tuple(sorted(found[0].operations)) if found else ()

    def _find(self, path: str) -> tuple[_Node, dict[str, str]] | None:
        segments = _segments(path)
        return _walk(self._root, segments, 0, {})


def _walk(
    node: _Node, segments: list[str], index: int, params: dict[str, str]
) -> tuple[_Node, dict[str, str]] | None:
    if index == len(segments):
        return (node, params) if node.operations else None
    segment = segments[index]
    child = node.literal.get(segment)
    if child is not None:
        found = _walk(child, segments, index + 1, params)
        if found is not None:
            return found
    for pattern, names, templated_child in node.templated:
        matched = pattern.fullmatch(segment)
        if matched is None:
            continue
        values = {name: unquote(value)
                  for name, value in zip(names, matched.groups(), strict=True)}
        found = _walk(templated_child, segments, index + 1, {**params, **values})
        if found is not None:
            return found
    return None


def _segments(path: str) -> list[str]:
    stripped = path.strip("/")
    return stripped.split("/") if stripped else []


def _compile_segment(segment: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    names: list[str] = []
    regex = ""
    position = 0
    for variable in _VARIABLE.finditer(segment):
        regex += re.escape(segment[position:variable.start()]) + "([^/]+?)"
        names.append(variable.group(1))
        position = variable.end()
    regex += re.escape(segment[position:])
    return re.compile(regex), tuple(names)


def template_variables(path: str) -> list[str]:
    """The variable names in a path template, in order."""
    return _VARIABLE.findall(path)
