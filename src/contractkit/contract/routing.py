"""Match a request path to a path template, with OpenAPI's rules.

Templates are split into segments and kept in a tree; at each level a literal segment is
tried before a templated one (``/pets/mine`` beats ``/pets/{petId}``), so the most
specific template wins — among those that declare the request's method: GitLab's
``PUT /services/asana`` does not hide ``GET /services/{service_slug}`` for
``GET /services/asana``. A templated segment may mix text and variables (``{name}.{ext}``,
``v{version}``). Matching costs one dict lookup per literal segment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
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


#: What selects one of several operations sharing method and path: a header and its value
#: (``#X-Amz-Target=...``), or the query pairs written in the key (``?view=status``; a
#: ``None`` value, from ``?page={page}``, asks only that the parameter is present).
_Selector = tuple[str, str] | tuple[tuple[str, str | None], ...]
#: (operation, path variable names in order, what selects it or None)
_Entry = tuple["Operation", tuple[str, ...], _Selector | None]


@dataclass
class _Node:
    literal: dict[str, _Node] = field(default_factory=dict)
    templated: list[tuple[re.Pattern[str], _Node]] = field(default_factory=list)
    #: the child for a segment that is one whole variable (``{id}``): tried last, no regex
    variable: _Node | None = None
    #: method → [(operation, its variable names, header discriminator)], for templates
    #: ending here. Names belong to the operation: /a/{id} and /a/{accountId} share a node.
    operations: dict[str, list[_Entry]] = field(default_factory=dict)


class Router:
    """Path-template tree over a contract's operations."""

    def __init__(self, operations: Iterable[Operation]) -> None:
        self._root = _Node()
        for operation in operations:
            self._add(operation)

    def _add(self, operation: Operation) -> None:
        node = self._root
        names: list[str] = []
        for segment in _segments(_routable(operation.path)):
            if "{" not in segment:
                node = node.literal.setdefault(segment, _Node())
                continue
            whole = _VARIABLE.fullmatch(segment)
            if whole is not None:
                names.append(whole.group(1))
                if node.variable is None:
                    node.variable = _Node()
                node = node.variable
                continue
            pattern, segment_names = _compile_segment(segment)
            names.extend(segment_names)
            for existing, child in node.templated:
                if existing.pattern == pattern.pattern:
                    node = child
                    break
            else:
                child = _Node()
                node.templated.append((pattern, child))
                # Segments with more literal text are more specific: try them first.
                node.templated.sort(key=lambda entry: -len(_VARIABLE.sub("", entry[0].pattern)))
                node = child
        node.operations.setdefault(operation.method.upper(), []).append(
            (operation, tuple(names),
             _header_discriminator(operation.path) or _query_discriminator(operation.path)))

    def match(self, method: str, path: str, headers: Mapping[str, str] | None = None,
              query: Sequence[tuple[str, str]] = ()) -> RouteMatch | None:
        method = method.upper()
        if method == "HEAD":
            found = _walk(self._root, _segments(path), 0, [],
                          lambda node: "HEAD" in node.operations or "GET" in node.operations)
        else:
            found = _walk(self._root, _segments(path), 0, [],
                          lambda node: method in node.operations)
        if found is None:
            return None
        node, values = found
        entries = node.operations.get(method) or node.operations["GET"]
        operation, names, _ = (entries[0] if len(entries) == 1
                               else _choose(entries, headers or {}, query))
        return RouteMatch(operation, dict(zip(names, values, strict=False)))

    def allowed_methods(self, path: str) -> tuple[str, ...]:
        """Every method that some template matching ``path`` declares."""
        methods: set[str] = set()

        def collect(node: _Node) -> bool:
            methods.update(node.operations)
            return False  # keep walking: every matching template counts

        _walk(self._root, _segments(path), 0, [], collect)
        return tuple(sorted(methods))


def _walk(
    node: _Node, segments: list[str], index: int, values: list[str],
    accept: Callable[[_Node], bool],
) -> tuple[_Node, list[str]] | None:
    """The most specific matching template that ``accept`` takes, with its variables."""
    if index == len(segments):
        return (node, values) if node.operations and accept(node) else None
    segment = segments[index]
    child = node.literal.get(unquote(segment) if "%" in segment else segment)
    if child is not None:
        found = _walk(child, segments, index + 1, values, accept)
        if found is not None:
            return found
    for pattern, templated_child in node.templated:
        matched = pattern.fullmatch(segment)
        if matched is None:
            continue
        found = _walk(templated_child, segments, index + 1,
                      [*values, *(unquote(v) for v in matched.groups())], accept)
        if found is not None:
            return found
    if node.variable is not None and segment:
        return _walk(node.variable, segments, index + 1,
                     [*values, unquote(segment) if "%" in segment else segment], accept)
    return None


def _choose(entries: list[_Entry], headers: Mapping[str, str],
            query: Sequence[tuple[str, str]]) -> _Entry:
    """Among operations sharing method and path, the one whose discriminator the request
    carries (AWS: ``POST /#X-Amz-Target=Logs.PutLogEvents``; openSUSE:
    ``GET /request?view=collection``), the one saying most winning; else the first
    operation without a discriminator, else the first."""
    sent = set(query)
    names = {name for name, _ in query}
    best: tuple[int, _Entry] | None = None
    for entry in entries:
        selector = entry[2]
        if selector is None:
            continue
        if isinstance(selector[0], str):  # a header
            header, value = selector
            carried = headers.get(str(header).lower()) == value
            weight = 1
        else:
            pairs = [pair for pair in selector if isinstance(pair, tuple)]
            carried = all((name, value) in sent if value is not None else name in names
                          for name, value in pairs)
            weight = len(pairs)
        if carried and (best is None or weight > best[0]):
            best = (weight, entry)
    if best is not None:
        return best[1]
    return next((entry for entry in entries if entry[2] is None), entries[0])


def _header_discriminator(template: str) -> tuple[str, str] | None:
    _, marker, key = template.partition("#")
    name, equals, value = key.partition("=")
    if marker and equals and name and "{" not in key:
        return name, value
    return None


def _query_discriminator(template: str) -> tuple[tuple[str, str | None], ...] | None:
    query = template.partition("?")[2].partition("#")[0]
    pairs: list[tuple[str, str | None]] = []
    for part in query.split("&"):
        name, equals, value = part.partition("=")
        if name:  # `?cmd=diff` needs that value; `?page={page}` or `?raw` only the name
            pairs.append((unquote(name),
                          None if not equals or "{" in value else unquote(value)))
    return tuple(pairs) or None


def _routable(template: str) -> str:
    """The path part of a template: some contracts (AWS's) key paths as
    ``/tags/{arn}#tagKeys`` or ``/rides?page={page}`` to tell operations apart."""
    for marker in ("#", "?"):
        template = template.split(marker, 1)[0]
    return template


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
    """The variable names in a path template, in order (ignoring a ``?query``/``#key``)."""
    return _VARIABLE.findall(_routable(path))
