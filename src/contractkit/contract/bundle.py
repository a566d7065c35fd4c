"""Turn a schema of a contract into one self-contained JSON Schema 2020-12 document.

Validators and the data generator need a schema they can use on their own: every ``$ref``
(local, or into another file) is rewritten to ``#/$defs/<name>`` and the referenced schema,
normalised, is put under ``$defs``. Cycles are fine (a ref to a schema already being
defined just points at its name). Each referenced schema is normalised once per contract
and shared by every bundle that needs it; bundles are built on first use.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from contractkit._types import JSON
from contractkit.contract._source import SourceDocument, join_pointer
from contractkit.contract.normalize import (
    LIST_SUBSCHEMAS,
    MAP_SUBSCHEMAS,
    SINGLE_SUBSCHEMA,
    Dialect,
    normalise_node,
)
from contractkit.contract.refs import Resolver
from contractkit.errors import ContractLoadError

Direction = Literal["request", "response"]
_DROPPED = frozenset({"$id", "$schema", "$anchor", "$dynamicAnchor", "$comment"})
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


class Bundler:
    """Bundles schemas of one contract, memoising every referenced schema."""

    def __init__(self, resolver: Resolver, dialect: Dialect, direction: Direction) -> None:
        self._resolver = resolver
        self._dialect = dialect
        # Properties that only exist in the other direction are not required in this one:
        # a readOnly ``id`` is required in responses, never in requests.
        self._one_way = "readOnly" if direction == "request" else "writeOnly"
        self._names: dict[str, str] = {}            # target key → $defs name
        self._targets: dict[str, str] = {}          # $defs name → target key
        self._definitions: dict[str, JSON] = {}     # target key → rewritten schema
        self._dependencies: dict[str, set[str]] = {}
        self._used_names: set[str] = set()
        self._bundles: dict[str, JSON] = {}
        #: Problems that did not stop bundling (reported by ``contractkit validate``).
        self.notes: list[ContractLoadError] = []

    def bundle(self, schema: JSON, document: SourceDocument, pointer: str) -> JSON:
        """The 2020-12 bundle of ``schema`` found in ``document`` at ``pointer``."""
        key = f"{document.uri}#{pointer}"
        cached = self._bundles.get(key)
        if cached is not None:
            return cached
        dependencies: set[str] = set()
        root = self._rewrite(schema, document, pointer, dependencies)
        closure = self._closure(dependencies)
        if closure and isinstance(root, dict):
            definitions = dict(root.get("$defs", {}))
            for target in sorted(closure):
                definitions[self._names[target]] = self._definitions[target]
            root = {**root, "$defs": definitions}
        self._bundles[key] = root
        return root

    def target_of(self, name: str) -> str | None:
        """``uri#pointer`` of the schema bundled as ``#/$defs/<name>``, once bundled."""
        return self._targets.get(name)

    def _closure(self, start: set[str]) -> set[str]:
        seen: set[str] = set()
        pending = list(start)
        while pending:
            target = pending.pop()
            if target not in seen:
                seen.add(target)
                pending.extend(self._dependencies.get(target, ()))
        return seen

    def _rewrite(
        self, node: JSON, document: SourceDocument, pointer: str, dependencies: set[str]
    ) -> JSON:
        if not isinstance(node, dict):
            return node
        node = normalise_node(node, self._dialect)
        if isinstance(node.get("required"), list) and isinstance(node.get("properties"), dict):
            node = self._drop_one_way_required(node, document)
        out: dict[str, Any] = {}
        for key, value in node.items():
            here = join_pointer(pointer, key)
            if key == "$ref" and isinstance(value, str):
                out[key] = "#/$defs/" + self._define(value, document, pointer, dependencies)
            elif key in SINGLE_SUBSCHEMA and isinstance(value, (dict, bool)):
                out[key] = self._rewrite(value, document, here, dependencies)
            elif key in LIST_SUBSCHEMAS and isinstance(value, list):
                out[key] = [
                    self._rewrite(item, document, f"{here}/{index}", dependencies)
                    for index, item in enumerate(value)
                ]
            elif key in MAP_SUBSCHEMAS and isinstance(value, dict):
                out[key] = {
                    name: self._rewrite(item, document, join_pointer(here, name), dependencies)
                    for name, item in value.items()
                }
            elif key == "discriminator" and isinstance(value, dict):
                out[key] = self._discriminator(value, document, here, dependencies)
            elif key not in _DROPPED:
                out[key] = value
        return out

    def _drop_one_way_required(
        self, node: dict[str, Any], document: SourceDocument
    ) -> dict[str, Any]:
        properties = node["properties"]
        kept = []
        for name in node["required"]:
            schema = properties.get(name) if isinstance(name, str) else None
            if isinstance(schema, dict) and "$ref" in schema and self._one_way not in schema:
                try:
                    schema = self._resolver.follow(schema, document, "").value
                except ContractLoadError:
                    schema = None
            if not (isinstance(schema, dict) and schema.get(self._one_way) is True):
                kept.append(name)
        if len(kept) == len(node["required"]):
            return node
        return {**node, "required": kept}

    def _discriminator(
        self, value: dict[str, Any], document: SourceDocument, pointer: str,
        dependencies: set[str],
    ) -> dict[str, Any]:
        mapping = value.get("mapping")
        if not isinstance(mapping, dict):
            return value
        rewritten = {}
        for tag, target in mapping.items():
            if not isinstance(target, str):
                continue
            ref = target if ("#" in target or "/" in target or "." in target) else (
                f"#/components/schemas/{target}")
            try:
                rewritten[tag] = "#/$defs/" + self._define(ref, document, pointer, dependencies)
            except ContractLoadError as error:
                # A broken mapping entry only loses that hint; the oneOf still validates.
                self.notes.append(ContractLoadError(
                    f"discriminator mapping {tag!r}: {error.message}",
                    document.location(join_pointer(pointer, "mapping", tag))))
        return {**value, "mapping": rewritten}

    def _define(
        self, ref: str, document: SourceDocument, pointer: str, dependencies: set[str]
    ) -> str:
        target = self._resolver.resolve(ref, document, pointer)
        key = f"{target.document.uri}#{target.pointer}"
        dependencies.add(key)
        name = self._names.get(key)
        if name is None:
            name = self._new_name(target.pointer, target.document)
            self._names[key] = name
            self._targets[name] = key
            own: set[str] = set()
            self._dependencies[key] = own
            self._definitions[key] = self._rewrite(
                target.value, target.document, target.pointer, own
            )
        return name

    def _new_name(self, pointer: str, document: SourceDocument) -> str:
        last = pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
        base = _UNSAFE_NAME.sub("_", last) or _UNSAFE_NAME.sub(
            "_", document.display.rsplit("/", 1)[-1])
        name, counter = base, 1
        while name in self._used_names:
            counter += 1
            name = f"{base}_{counter}"
        self._used_names.add(name)
        return name
