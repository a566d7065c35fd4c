"""``load()``: any supported contract file (or dict) into a :class:`Contract`.

Sniffs the kind: OpenAPI 3.0 / 3.1 (YAML or JSON), Swagger 2.0 (converted to the 3.x
model), GraphQL SDL, and GraphQL introspection JSON. Loading is cheap for big contracts:
one parse, one walk over the refs, one pass to build operations; schemas are normalised
and validators compiled only when first used.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from contractkit.contract._source import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_YAML_NODES,
    ReadLimits,
    SourceDocument,
    decode_text,
    parse_document,
    read_bytes,
)
from contractkit.contract.model import Contract
from contractkit.contract.openapi import OpenAPIBuilder, dialect_of
from contractkit.contract.refs import Resolver
from contractkit.contract.structure import structure_errors
from contractkit.contract.swagger import SwaggerConversion
from contractkit.errors import ContractLoadError, Location

_OPENAPI_VERSION = re.compile(r"^3\.[0-2]\.\d+(-[\w.]+)?$")
_GRAPHQL_SUFFIXES = (".graphql", ".gql", ".graphqls")


def load(
    source: str | os.PathLike[str] | Mapping[str, Any],
    *,
    allow_remote_refs: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_yaml_nodes: int = DEFAULT_MAX_YAML_NODES,
    base_dir: str | os.PathLike[str] | None = None,
) -> Contract:
    """Load a contract from a file path or an already-parsed document.

    ``base_dir`` is where relative file refs of a dict resolve (default: the current
    directory); for a path it is the file's folder. File refs may not leave that folder,
    and remote refs are refused unless ``allow_remote_refs`` is true.
    Raises :class:`~contractkit.errors.ContractLoadError` with file, line and pointer.
    """
    limits = ReadLimits(max_bytes=max_bytes, max_yaml_nodes=max_yaml_nodes)
    # Loading allocates hundreds of thousands of long-lived objects and no cycles worth
    # collecting; the cyclic GC would rescan the growing heap many times (measured: it
    # doubles the model-building time on GitHub's contract).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load(source, limits, allow_remote_refs, base_dir)
    finally:
        if collecting:
            gc.enable()


def _load(
    source: str | os.PathLike[str] | Mapping[str, Any], limits: ReadLimits,
    allow_remote_refs: bool, base_dir: str | os.PathLike[str] | None,
) -> Contract:
    if isinstance(source, Mapping):
        root_dir = Path(base_dir or Path.cwd()).resolve()
        uri = (root_dir / "<contract>").as_uri()
        document = SourceDocument("<contract>", uri, b"", dict(source), "json")
        return _from_document(document, root_dir, limits, allow_remote_refs)
    path = Path(source)
    shown = str(source)
    found = _read(path, shown, limits)
    if isinstance(found, Contract):
        return found
    root_dir = Path(base_dir).resolve() if base_dir else path.resolve().parent
    return _from_document(found, root_dir, limits, allow_remote_refs)


def _read(path: Path, shown: str, limits: ReadLimits) -> SourceDocument | Contract:
    raw = read_bytes(path, shown, limits)
    if path.suffix.lower() in _GRAPHQL_SUFFIXES:
        return _load_sdl(decode_text(raw, shown), shown)
    if raw.lstrip()[:1] not in (b"{", b"[") and path.suffix.lower() != ".json":
        text = decode_text(raw, shown)
        if _looks_like_sdl(text):
            return _load_sdl(text, shown)
    return parse_document(raw, limits, display=shown, uri=path.resolve().as_uri())


def _looks_like_sdl(text: str) -> bool:
    """Whether a text that is not JSON reads as GraphQL SDL rather than YAML."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        first = stripped.split(None, 1)[0]
        return first in {
            "type", "schema", "scalar", "interface", "enum", "input", "union", "directive",
            "extend", '"""', '"',
        } or stripped.startswith('"""')
    return False


# The GraphQL loader is imported when a GraphQL contract is met: graphql-core takes 0.2 s
# to import, which every OpenAPI-only start-up and command would pay.

def _load_sdl(text: str, source: str) -> Contract:
    from contractkit.contract.graphql import load_sdl  # noqa: PLC0415 - lazy on purpose
    return load_sdl(text, source=source)


def _load_introspection(data: dict[str, Any], source: str) -> Contract:
    from contractkit.contract.graphql import load_introspection  # noqa: PLC0415 - lazy
    return load_introspection(data, source=source)


def _from_document(
    document: SourceDocument, root_dir: Path, limits: ReadLimits, allow_remote_refs: bool
) -> Contract:
    data = document.data
    where = document.display
    if not isinstance(data, dict):
        raise ContractLoadError(
            f"expected an OpenAPI or GraphQL document (a mapping at the top), got "
            f"{type(data).__name__}", Location(where, 1, 1))
    if "__schema" in data or (isinstance(data.get("data"), dict) and "__schema" in data["data"]):
        return _load_introspection(data, where)
    if "swagger" in data:
        return _swagger(document, root_dir, limits, allow_remote_refs)
    if "openapi" not in data:
        raise ContractLoadError(
            "not an OpenAPI or GraphQL document: no 'openapi' (3.x) or 'swagger' (2.0) field "
            "at the top level", Location(where, 1, 1))
    version = str(data["openapi"])
    if not _OPENAPI_VERSION.match(version):
        raise ContractLoadError(
            f"unsupported OpenAPI version {version!r}; contractkit reads 2.0, 3.0.x and 3.1.x",
            document.location("/openapi"))
    _check_structure(document, dialect_of(version))
    resolver = Resolver(document, root_dir=root_dir, limits=limits,
                        allow_remote_refs=allow_remote_refs)
    resolver.check_all()
    builder = OpenAPIBuilder(resolver, dialect_of(version))
    return builder.build(source=where, spec_version=version, raw=data)


def _swagger(
    document: SourceDocument, root_dir: Path, limits: ReadLimits, allow_remote_refs: bool
) -> Contract:
    data = document.data
    version = str(data["swagger"])
    if version != "2.0":
        raise ContractLoadError(
            f"unsupported Swagger version {version!r}; only 2.0 exists",
            document.location("/swagger"))
    # Check shape and refs against the document as written, so errors point at real lines.
    _check_structure(document, "swagger-2.0")
    Resolver(document, root_dir=root_dir, limits=limits,
             allow_remote_refs=allow_remote_refs).check_all()
    conversion = SwaggerConversion(data)
    converted = SourceDocument(document.display, document.uri, document.raw,
                               conversion.document, document.syntax)
    resolver = Resolver(converted, root_dir=root_dir, limits=limits,
                        allow_remote_refs=allow_remote_refs)
    builder = OpenAPIBuilder(resolver, "swagger-2.0")
    return builder.build(source=document.display, spec_version="2.0", raw=data,
                         original_pointer=conversion.original_pointer)


def _check_structure(document: SourceDocument, dialect: str) -> None:
    """Refuse a document whose skeleton is misshapen, naming every misshapen node."""
    assert isinstance(document.data, dict)
    found = structure_errors(document.data, dialect)
    if found:
        locations = document.locations([pointer for pointer, _ in found])
        raise ContractLoadError.several([
            ContractLoadError(message, location)
            for (_, message), location in zip(found, locations, strict=True)])
