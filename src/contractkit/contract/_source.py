"""Reading a contract file into data, safely, and finding lines for JSON pointers later.

Parsing is the hot part of loading a big contract, so positions are not recorded while
parsing: :meth:`SourceDocument.location` finds the line of a pointer only when a message
needs one (a re-scan of the JSON text; for YAML one pass over the parser's events for a
batch of pointers, or a compose of the text, cached, for single ones).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml

from contractkit._types import JSON
from contractkit.errors import ContractLoadError, Location

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
#: A YAML document may use anchors and aliases, but its data, with every alias expanded,
#: may not have more nodes than this (a "billion laughs" document expands to 10**9).
DEFAULT_MAX_YAML_NODES = 2_000_000


@dataclass(frozen=True)
class ReadLimits:
    """Caps applied to every file read as part of a contract."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_yaml_nodes: int = DEFAULT_MAX_YAML_NODES
    #: How a user raises each cap, for the messages ("" when it cannot be raised).
    raise_bytes: str = "raise it with --max-bytes (Python: max_bytes=) if the file is trusted"
    raise_nodes: str = ("raise it with --max-yaml-nodes (Python: max_yaml_nodes=) if the file "
                        "is trusted")


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _ContractYamlLoader(_BaseLoader):  # type: ignore[misc]
    """Safe YAML that reads plain scalars as YAML 1.2's core schema does, as OpenAPI 3.1
    requires and JSON-minded authors expect: ``-9.2e18`` is a number (YAML 1.1 wanted a dot
    and a signed exponent), ``yes``/``on``/``no`` are strings, ``017`` is 17, ``1:20`` is a
    string (1.1: 80), ``0o17`` is 15; timestamps stay strings (``2024-01-01`` in an example
    is a string in JSON, and JSON Schema's ``format: date`` expects one)."""


_CORE_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_CORE_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_CORE_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                         r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_CORE_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_CORE = (("tag:yaml.org,2002:bool", _CORE_BOOL, "tTfF"),
         ("tag:yaml.org,2002:int", _CORE_INT, "-+0123456789"),
         ("tag:yaml.org,2002:float", _CORE_FLOAT, "-+0123456789."),
         ("tag:yaml.org,2002:null", _CORE_NULL, ["~", "n", "N", ""]))
_REPLACED = {tag for tag, _, _ in _CORE} | {"tag:yaml.org,2002:timestamp"}

_ContractYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _REPLACED]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
for _tag, _regexp, _firsts in _CORE:
    for _first in _firsts:
        _ContractYamlLoader.yaml_implicit_resolvers.setdefault(_first, []).append(
            (_tag, _regexp))


def _core_int(loader: Any, node: Any) -> int:
    text = str(loader.construct_scalar(node))
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


def _core_float(loader: Any, node: Any) -> float:
    text = str(loader.construct_scalar(node)).lower()
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    return float(text)


_ContractYamlLoader.add_constructor("tag:yaml.org,2002:int", _core_int)
_ContractYamlLoader.add_constructor("tag:yaml.org,2002:float", _core_float)


@dataclass
class SourceDocument:
    """One file (or fetched URL) of a contract: its bytes, its data and where it came from.

    The text is decoded only when a message needs a line number.
    """

    display: str
    uri: str
    raw: bytes
    data: JSON
    syntax: str  # "json" | "yaml" | "graphql"
    _text: str | None = field(default=None, repr=False)
    _yaml_root: Any = field(default=None, repr=False)
    _json_index: _JsonIndex | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = decode_text(self.raw, self.display)
        return self._text

    def location(self, pointer: str) -> Location:
        """The file, line and column of ``pointer``, or of its nearest existing ancestor."""
        tokens = split_pointer(pointer)
        try:
            if self.syntax == "json":
                offset = self._index().offset(tokens)
                line, column = self._line_col(offset)
            elif self.syntax == "yaml":
                line, column = self._yaml_line_col(tokens)
            else:
                return Location(self.display, pointer=pointer)
        except (ValueError, yaml.YAMLError, RecursionError):
            return Location(self.display, pointer=pointer)
        return Location(self.display, line, column, pointer)

    def locations(self, pointers: list[str]) -> list[Location]:
        """:meth:`location` of many pointers, faster than one by one in a large file."""
        if self.syntax == "yaml" and self._yaml_root is None:
            try:
                marks = _yaml_marks(self.text, pointers)
            except (yaml.YAMLError, RecursionError):
                return [self.location(pointer) for pointer in pointers]
            return [Location(self.display, marks[pointer][0], marks[pointer][1], pointer)
                    if pointer in marks else self.location(pointer) for pointer in pointers]
        if self.syntax != "json" or len(pointers) < 2:
            return [self.location(pointer) for pointer in pointers]
        paths = [split_pointer(pointer) for pointer in pointers]
        try:
            index = self._index()
            index.prepare(paths)
            offsets = [index.offset(tokens) for tokens in paths]
        except (ValueError, RecursionError):
            return [self.location(pointer) for pointer in pointers]
        # lines by counting newlines between the offsets in order: one pass, in C
        text, line, previous, lines = self.text, 1, 0, {}
        for offset in sorted(set(offsets)):
            line += text.count("\n", previous, offset)
            lines[offset] = (line, offset - text.rfind("\n", 0, offset))
            previous = offset
        return [Location(self.display, *lines[offset], pointer)
                for offset, pointer in zip(offsets, pointers, strict=True)]

    def _index(self) -> _JsonIndex:
        if self._json_index is None:
            self._json_index = _JsonIndex(self.text)
        return self._json_index

    def _line_col(self, offset: int) -> tuple[int, int]:
        text = self.text
        return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)

    def _yaml_line_col(self, tokens: list[str]) -> tuple[int, int]:
        if self._yaml_root is None:
            self._yaml_root = yaml.compose(self.text, Loader=_ContractYamlLoader)
        node = self._yaml_root
        for token in tokens:
            child = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if str(key.value) == token:
                        child = value
                        break
            elif isinstance(node, yaml.SequenceNode) and token.isdigit():
                index = int(token)
                if index < len(node.value):
                    child = node.value[index]
            if child is None:
                break
            node = child
        mark = node.start_mark
        return mark.line + 1, mark.column + 1


def _yaml_marks(text: str, pointers: list[str]) -> dict[str, tuple[int, int]]:
    """Line and column of each path's node, or of its nearest ancestor, by one pass over
    the parser's events that stops once every path is found: about a third of what
    composing the whole document costs, and far less when the paths come early. An alias
    is not followed (the location is the alias itself)."""
    wanted = {tuple(split_pointer(pointer)): pointer for pointer in pointers}
    prefixes = {path[:depth] for path in wanted for depth in range(len(path) + 1)}
    marks: dict[tuple[str, ...], tuple[int, int]] = {}
    missing = set(wanted)
    # per open collection: its path, whether it is a mapping, and the key (mapping) or
    # next index (sequence); a key that is itself a collection opens an ignored one
    stack: list[list[Any]] = []
    for event in yaml.parse(text, Loader=_ContractYamlLoader):
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop()
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        path: tuple[str, ...] | None
        if not stack:
            path = ()
        else:
            frame = stack[-1]
            parent, mapping, slot = frame
            if parent is None:
                path = None
            elif mapping and slot is None:  # a key
                frame[2] = str(event.value) if isinstance(event, yaml.ScalarEvent) else ""
                if isinstance(event, yaml.CollectionStartEvent):
                    stack.append([None, isinstance(event, yaml.MappingStartEvent), None])
                continue
            elif mapping:
                path, frame[2] = (*parent, slot), None
            else:
                path, frame[2] = (*parent, str(slot)), slot + 1
        if path is not None and path in prefixes and event.start_mark is not None:
            marks[path] = (event.start_mark.line + 1, event.start_mark.column + 1)
            missing.discard(path)
            if not missing:
                break
        if isinstance(event, yaml.CollectionStartEvent):
            mapping = isinstance(event, yaml.MappingStartEvent)
            inside = path if path is not None and path in prefixes else None
            stack.append([inside, mapping, None if mapping else 0])
    found = {}
    for path, pointer in wanted.items():
        depth = len(path)
        while path[:depth] not in marks and depth > 0:
            depth -= 1
        if path[:depth] in marks:
            found[pointer] = marks[path[:depth]]
    return found


def split_pointer(pointer: str) -> list[str]:
    """``"/paths/~1pets/get"`` → ``["paths", "/pets", "get"]``."""
    if not pointer:
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]


def escape_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def join_pointer(pointer: str, *tokens: str | int) -> str:
    for token in tokens:
        text = str(token)
        if "~" in text or "/" in text:
            text = escape_token(text)
        pointer = f"{pointer}/{text}"
    return pointer


_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"


def _skip_ws(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


class _JsonIndex:
    """Where the members of each JSON container start, found once per container.

    A pointer is resolved container by container; the first visit of a container scans its
    members once (the C decoder skips each value) and remembers every member's offset, so
    hundreds of warnings in one 13 MB file cost about one pass per level, not one per warning.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._members: dict[int, dict[str, int] | list[int]] = {}

    def prepare(self, paths: list[list[str]]) -> None:
        """Index every container on the way to ``paths`` in one descent.

        Looked up one by one, each container on a path is decoded once to skip it in its
        parent and again to index it; together, everything is decoded at most once.
        """
        trie: dict[str, Any] = {}
        for tokens in paths:
            node = trie
            for token in tokens:
                node = node.setdefault(token, {})
        text = self.text
        self._scan(_skip_ws(text, 1 if text.startswith("\ufeff") else 0), trie)

    def _scan(self, index: int, trie: dict[str, Any]) -> int:
        """Index the container at ``index``, descending where ``trie`` leads; its end."""
        text = self.text
        opener = text[index:index + 1]
        if not trie or opener not in ("{", "[") or index in self._members:
            return int(_DECODER.raw_decode(text, index)[1])
        members: dict[str, int] | list[int]
        closer = "}" if opener == "{" else "]"
        members = {} if opener == "{" else []
        position = 0
        cursor = _skip_ws(text, index + 1)
        while cursor < len(text) and text[cursor] != closer:
            if isinstance(members, dict):
                key, cursor = json.decoder.scanstring(text, cursor + 1)  # type: ignore[attr-defined]
                cursor = _skip_ws(text, _skip_ws(text, cursor) + 1)  # the colon
                members.setdefault(key, cursor)
            else:
                key = str(position)
                members.append(cursor)
                position += 1
            cursor = _skip_ws(text, self._scan(cursor, trie.get(key, {})))
            if text[cursor:cursor + 1] == ",":
                cursor = _skip_ws(text, cursor + 1)
        self._members[index] = members
        return cursor + 1

    def offset(self, tokens: list[str]) -> int:
        """Character offset of the value at ``tokens`` (or of the deepest one that exists)."""
        text = self.text
        index = _skip_ws(text, 1 if text.startswith("\ufeff") else 0)
        for token in tokens:
            members = self._members_at(index)
            found: int | None = None
            if isinstance(members, dict):
                found = members.get(token)
            elif isinstance(members, list) and token.isdigit() and int(token) < len(members):
                found = members[int(token)]
            if found is None:
                break
            index = found
        return index

    def _members_at(self, index: int) -> dict[str, int] | list[int] | None:
        if index in self._members:
            return self._members[index]
        text = self.text
        opener = text[index:index + 1]
        members: dict[str, int] | list[int]
        if opener == "{":
            members = {}
            cursor = _skip_ws(text, index + 1)
            while cursor < len(text) and text[cursor] == '"':
                key, cursor = json.decoder.scanstring(text, cursor + 1)  # type: ignore[attr-defined]
                cursor = _skip_ws(text, cursor)
                cursor = _skip_ws(text, cursor + 1)  # the colon
                members.setdefault(key, cursor)
                cursor = _skip_ws(text, _DECODER.raw_decode(text, cursor)[1])
                if text[cursor:cursor + 1] == ",":
                    cursor = _skip_ws(text, cursor + 1)
        elif opener == "[":
            members = []
            cursor = _skip_ws(text, index + 1)
            while cursor < len(text) and text[cursor] != "]":
                members.append(cursor)
                cursor = _skip_ws(text, _DECODER.raw_decode(text, cursor)[1])
                if text[cursor:cursor + 1] == ",":
                    cursor = _skip_ws(text, cursor + 1)
        else:
            return None
        self._members[index] = members
        return members


class FileRefused(ContractLoadError):
    """A file that was not read at all: missing, a directory, unreadable, over the cap."""


def read_bytes(path: Path, display: str, limits: ReadLimits) -> bytes:
    """The bytes of a local file, refusing directories and files over the size cap."""
    if path.is_dir():
        raise FileRefused(
            "is a directory, not a contract file; pass the contract's .yaml/.json/.graphql "
            "file", Location(display))
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise FileRefused(
                f"file is {size:,} bytes, over the {limits.max_bytes:,}-byte cap"
                + (f"; {limits.raise_bytes}" if limits.raise_bytes else ""), Location(display))
        return path.read_bytes()
    except FileNotFoundError:
        raise FileRefused("no such file", Location(display)) from None
    except OSError as error:
        raise FileRefused(f"cannot read file: {error.strerror}",
                                Location(display)) from None


def read_document(path: Path, limits: ReadLimits, *, display: str) -> SourceDocument:
    """Read and parse a local JSON or YAML file; every failure is a ContractLoadError."""
    raw = read_bytes(path, display, limits)
    return parse_document(raw, limits, display=display, uri=path.resolve().as_uri())


def decode_text(raw: bytes, display: str) -> str:
    """UTF-8 (with or without BOM) or UTF-16/32 with BOM; else a located error."""
    encoding = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise ContractLoadError(
            f"bytes are not valid UTF-8 (byte 0x{raw[error.start]:02x}); "
            "save the file as UTF-8",
            Location(display, line, column),
        ) from None


def parse_document(raw: bytes, limits: ReadLimits, *, display: str, uri: str) -> SourceDocument:
    if len(raw) > limits.max_bytes:
        raise ContractLoadError(
            f"document is {len(raw):,} bytes, over the {limits.max_bytes:,}-byte cap",
            Location(display),
        )
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    first = body.lstrip()[:1]
    if first in (b"{", b"[") or (display.endswith(".json") and first):
        try:
            return SourceDocument(display, uri, raw, orjson.loads(body), "json")
        except orjson.JSONDecodeError:
            pass  # the standard parser gives the located message (or takes huge integers)
        text = decode_text(raw, display)
        return SourceDocument(display, uri, raw, _parse_json(text, display), "json", text)
    text = decode_text(raw, display)
    if not text.strip():
        raise ContractLoadError("file is empty; expected an OpenAPI or GraphQL contract",
                                Location(display))
    return SourceDocument(display, uri, raw, parse_yaml(text, limits, display), "yaml", text)


def _parse_json(text: str, display: str) -> JSON:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ContractLoadError(f"invalid JSON: {error.msg}",
                                Location(display, error.lineno, error.colno)) from None
    except RecursionError:
        raise ContractLoadError("JSON nesting is too deep", Location(display)) from None


def parse_yaml(text: str, limits: ReadLimits, display: str) -> JSON:
    try:
        data = yaml.load(text, Loader=_ContractYamlLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or "syntax error"
        if error.context:
            problem = f"{problem} ({error.context})"
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise ContractLoadError(f"invalid YAML: {problem}",
                                Location(display, line, column)) from None
    except yaml.YAMLError as error:
        raise ContractLoadError(f"invalid YAML: {error}", Location(display)) from None
    except RecursionError:
        raise ContractLoadError("YAML nesting is too deep", Location(display)) from None
    try:
        return _jsonify(data, limits, display)
    except RecursionError:
        raise ContractLoadError("YAML nesting is too deep", Location(display)) from None


def _jsonify(data: JSON, limits: ReadLimits, display: str) -> JSON:
    """Make YAML data JSON-shaped (string keys) and refuse alias bombs and alias cycles.

    Aliases make containers shared; the expanded size is counted with one memoised walk,
    so a billion-laughs document is refused after visiting only its few distinct nodes.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()
    max_nodes = limits.max_yaml_nodes

    def expanded(node: JSON) -> int:
        if not isinstance(node, (dict, list)):
            return 1
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ContractLoadError("YAML alias refers to its own ancestor (a cycle)",
                                    Location(display))
        active.add(key)
        total = 1
        if isinstance(node, dict):
            if any(not isinstance(k, str) for k in node):
                fixed = {_key_text(k): v for k, v in node.items()}
                node.clear()
                node.update(fixed)
            children: Callable[[], Any] = node.values
        else:
            children = node.__iter__
        for child in children():
            total += expanded(child)
            if total > max_nodes:
                raise ContractLoadError(
                    f"YAML expands to more than {max_nodes:,} nodes (an alias bomb?)"
                    + (f"; {limits.raise_nodes}" if limits.raise_nodes else ""),
                    Location(display),
                )
        active.discard(key)
        sizes[key] = total
        return total

    expanded(data)
    return data


def _key_text(key: Any) -> str:
    """YAML ``200:`` is an int key and ``true:`` a bool one; JSON keys are strings."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)
