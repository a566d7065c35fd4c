"""``$ref`` resolution across a contract's documents, with the security rules.

- Local (``#/components/...``) and relative-file (``common.yaml#/Error``) refs resolve.
- File refs may not leave the contract's root folder.
- Remote (``http``/``https``) refs are refused unless ``allow_remote_refs`` is set.
- Refs are resolved lazily, one hop at a time; :meth:`Resolver.check_all` visits every ref
  once at load so that dangling refs and pure ref cycles are reported up front.
"""

from __future__ import annotations

import difflib
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from contractkit._types import JSON
from contractkit.contract._source import (
    ReadLimits,
    SourceDocument,
    join_pointer,
    parse_document,
    read_document,
    split_pointer,
)
from contractkit.errors import ContractLoadError

#: Keys whose values are literal data, never containing refs.
_LITERAL_KEYS = frozenset({"example", "const", "enum", "default"})
_REMOTE_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Target:
    """What a ref points at: the document, the pointer inside it, and the value."""

    document: SourceDocument
    pointer: str
    value: JSON


class Resolver:
    """Resolves refs for one contract; owns every document the contract is made of."""

    def __init__(
        self, root: SourceDocument, *, root_dir: Path, limits: ReadLimits,
        allow_remote_refs: bool = False,
    ) -> None:
        self.root = root
        self.root_dir = root_dir.resolve()
        self.limits = limits
        self.allow_remote_refs = allow_remote_refs
        self.documents: dict[str, SourceDocument] = {root.uri: root}

    def document(self, uri: str) -> SourceDocument:
        return self.documents[uri]

    def resolve(self, ref: str, base: SourceDocument, at: str) -> Target:
        """One hop: the value that ``ref`` (found in ``base`` at pointer ``at``) names."""
        if not isinstance(ref, str):
            raise ContractLoadError(f"$ref must be a string, not {type(ref).__name__}",
                                    base.location(at))
        address, _, fragment = ref.partition("#")
        document = self._document_for(address, base, at) if address else base
        pointer = urllib.parse.unquote(fragment)
        if pointer and not pointer.startswith("/"):
            raise ContractLoadError(
                f"$ref {ref!r}: plain-name fragments are not supported; use a JSON pointer "
                "such as '#/components/schemas/Name'",
                base.location(at),
            )
        value = document.data
        for depth, token in enumerate(split_pointer(pointer)):
            if isinstance(value, dict) and token in value:
                value = value[token]
            elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
                value = value[int(token)]
            else:
                missing = "/" + "/".join(pointer.split("/")[1:depth + 2])
                raise ContractLoadError(
                    f"$ref {ref!r} points at nothing: {missing!r} does not exist in "
                    f"{document.display}" + _suggestion(value, token),
                    base.location(at + "/$ref"),
                )
        return Target(document, pointer, value)

    def follow(self, node: JSON, base: SourceDocument, at: str) -> Target:
        """Follow a chain of ``{"$ref": ...}`` objects to the first real value."""
        seen: list[str] = []
        target = Target(base, at, node)
        while isinstance(target.value, dict) and "$ref" in target.value:
            key = f"{target.document.uri}#{target.pointer}"
            if key in seen:
                chain = " → ".join(s.rpartition("#")[2] or "#" for s in [*seen, key])
                raise ContractLoadError(f"$ref cycle that never reaches a value: {chain}",
                                        base.location(at))
            seen.append(key)
            target = self.resolve(target.value["$ref"], target.document,
                                  target.pointer)
        return target

    def check_all(self) -> None:
        """Resolve every distinct ref in every document reachable from the root, once."""
        pending = [self.root]
        checked: set[str] = set()
        while pending:
            document = pending.pop()
            if document.uri in checked:
                continue
            checked.add(document.uri)
            for ref in _distinct_refs(document):
                try:
                    target = self.resolve(ref, document, "")
                    if isinstance(target.value, dict) and "$ref" in target.value:
                        self.follow(target.value, target.document, target.pointer)
                except ContractLoadError:
                    self._raise_located(ref, document)
                    continue
                if target.document.uri not in checked:
                    pending.append(target.document)

    def _raise_located(self, ref: str, document: SourceDocument) -> None:
        """Re-resolve a failing ref where it really occurs, for a message with its line.

        If it occurs only inside literal example data, it is not a ref and is ignored.
        """
        for path, found in iter_refs(document.data):
            if found == ref:
                target = self.resolve(ref, document, pointer_of(path))
                self.follow(target.value, target.document, target.pointer)

    def _document_for(self, address: str, base: SourceDocument, at: str) -> SourceDocument:
        uri = urllib.parse.urljoin(base.uri, address)
        if uri in self.documents:
            return self.documents[uri]
        scheme = urllib.parse.urlsplit(uri).scheme
        if scheme in ("http", "https"):
            document = self._fetch(uri, base, at)
        elif scheme == "file":
            document = self._read_file(uri, address, base, at)
        else:
            raise ContractLoadError(f"$ref {address!r}: unsupported scheme {scheme!r}",
                                    base.location(at + "/$ref"))
        self.documents[uri] = document
        return document

    def _read_file(self, uri: str, address: str, base: SourceDocument, at: str) -> SourceDocument:
        path = Path(urllib.request.url2pathname(urllib.parse.urlsplit(uri).path)).resolve()
        if not path.is_relative_to(self.root_dir):
            raise ContractLoadError(
                f"$ref {address!r} leaves the contract's folder {self.root_dir}; "
                "file refs must stay inside it",
                base.location(at + "/$ref"),
            )
        if not path.exists():
            raise ContractLoadError(f"$ref {address!r}: file {path} does not exist",
                                    base.location(at + "/$ref"))
        return read_document(path, self.limits, display=_display(path))

    def _fetch(self, uri: str, base: SourceDocument, at: str) -> SourceDocument:
        if not self.allow_remote_refs:
            raise ContractLoadError(
                f"remote $ref {uri!r} refused: remote refs are off by default; "
                "pass --allow-remote-refs (Python: allow_remote_refs=True) to fetch it",
                base.location(at + "/$ref"),
            )
        try:
            with urllib.request.urlopen(uri, timeout=_REMOTE_TIMEOUT_SECONDS) as response:
                raw = response.read(self.limits.max_bytes + 1)
        except OSError as error:
            raise ContractLoadError(f"remote $ref {uri!r} could not be fetched: {error}",
                                    base.location(at + "/$ref")) from None
        return parse_document(raw, self.limits, display=uri, uri=uri)


#: A path into a document as a linked list ``(parent, key)``: building the JSON pointer
#: string for every node of a 10 MB contract costs more than parsing it, so pointers are
#: made only for the nodes that hold a ref.
Path_ = tuple[Any, str | int] | None


_JSON_REF = re.compile(rb'"\$ref"\s*:\s*("(?:[^"\\]|\\.)*")')


def _distinct_refs(document: SourceDocument) -> list[str]:
    """The distinct ref strings of a document.

    For JSON a regex over the bytes finds them far faster than walking the data; it may
    also find refs inside example values, which :meth:`Resolver._raise_located` forgives.
    """
    if document.syntax == "json" and document.raw:
        found = dict.fromkeys(_JSON_REF.findall(document.raw))
        return [text for text in (orjson.loads(quoted) for quoted in found)
                if isinstance(text, str)]
    return list(dict.fromkeys(ref for _, ref in iter_refs(document.data)))


def pointer_of(path: Path_) -> str:
    tokens: list[str | int] = []
    while path is not None:
        path, key = path
        tokens.append(key)
    return join_pointer("", *reversed(tokens))


def iter_refs(data: JSON) -> Iterator[tuple[Path_, str]]:
    """Every ``(path, ref)`` in a document, skipping literal example and enum values."""
    # mark: 0 an ordinary node, 2 the value of an "examples" key, 1 an Example Object
    # (whose "value" is literal data)
    stack: list[tuple[Path_, JSON, int]] = [(None, data, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        path, node, mark = pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                yield path, ref
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    if key in _LITERAL_KEYS or (mark == 1 and key == "value"):
                        continue
                    push(((path, key), value, 2 if key == "examples" else 1 if mark == 2 else 0))
        elif isinstance(node, list) and mark != 2:
            for index, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    push(((path, index), value, 0))


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _suggestion(container: JSON, token: str) -> str:
    if not isinstance(container, dict):
        return ""
    close = difflib.get_close_matches(token, [str(k) for k in container], n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
