"""Fixtures: values for named component schemas, laid over generated answers.

A fixtures file (YAML or JSON) maps component-schema names to values::

    schemas:
      Customer: {id: cus_123, email: jenny@example.com, metadata: {order: "6735"}}

Wherever the mock generates a value for ``Customer`` (a response body, an item of a list,
a nested property), it generates one and lays the fixture over it: each member the fixture
gives replaces the generated one, whole. So a partial fixture fills in what the tests rely
on and generation the rest. An example the contract gives for the response itself still
comes first. The top-level key may also be ``resources``, the key of stripe-mock's fixture
files, which are keyed by component name too.

Every entry is checked at load: its name must be a component schema of a served contract
and the fixture laid over a generated value must be valid for the schema. Every problem is
reported at once; ``lenient`` leaves those entries out instead (a provider's fixtures file
is often a version ahead of, or behind, the contract) and keeps what it left out in
:attr:`Fixtures.left_out` for the banner.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractkit._bounded import Bounded
from contractkit._types import JSON
from contractkit.contract._source import (
    ReadLimits,
    SourceDocument,
    escape_token,
    parse_document,
    read_bytes,
)
from contractkit.contract.bundle import Direction
from contractkit.contract.generate import generate_best_effort, overlay
from contractkit.contract.model import Contract, Schema
from contractkit.contract.schema_validator import CompiledSchema
from contractkit.errors import ContractLoadError, FixturesError, Location

_LIMITS = ReadLimits(raise_bytes="", raise_nodes="")
_KEYS = ("schemas", "resources")


@dataclass
class Fixtures:
    """The entries of one fixtures file that name schemas of one contract."""

    contract: Contract
    #: ``uri#pointer`` of the component schema → its fixture
    by_target: Mapping[str, JSON]
    #: entries refused and left out (``lenient``), each with its reason
    left_out: tuple[FixturesError, ...] = ()
    _defs: Bounded[tuple[int, str], Mapping[str, JSON]] = field(
        default_factory=lambda: Bounded(1024))

    def for_bundle(self, bundle: JSON, direction: Direction) -> Mapping[str, JSON]:
        """The fixtures by the ``$defs`` names ``bundle`` gives their schemas."""
        if not self.by_target or not isinstance(bundle, dict):
            return {}
        key = (id(bundle), direction)
        return self._defs.setdefault(key, lambda: self._names(bundle, direction))

    def _names(self, bundle: dict[str, Any], direction: Direction) -> Mapping[str, JSON]:
        runtime = self.contract._runtime
        found: dict[str, JSON] = {}
        for name in bundle.get("$defs", {}):
            target = runtime.def_target(direction, name)
            if target is not None and target in self.by_target:
                found[name] = self.by_target[target]
        return found


def load_fixtures(path: str | os.PathLike[str], contracts: Sequence[Contract], *,
                  lenient: bool = False) -> list[Fixtures]:
    """The fixtures of ``path`` for each of ``contracts`` (in order), checked: raises
    :class:`FixturesError` (one line, with file, line and pointer; ``errors`` has every
    entry's) on problems, unless ``lenient``, which leaves the refused entries out."""
    display = str(path)
    document = _read(Path(path), display)
    entries, key = _entries(document)
    known = sorted({name for contract in contracts for name in contract.schemas})
    out = [Fixtures(contract, {}) for contract in contracts]
    problems: list[FixturesError] = []
    for name, value in entries.items():
        pointer = f"/{key}/{escape_token(name)}"
        owners = [(index, c) for index, c in enumerate(contracts) if name in c.schemas]
        if not owners:
            close = difflib.get_close_matches(name, known, n=2, cutoff=0.6)
            hint = ("; did you mean " + " or ".join(repr(c) for c in close) + "?") if close \
                else ""
            problems.append(FixturesError(f"no component schema is named {name!r}{hint}",
                                          document.location(pointer)))
            continue
        for index, contract in owners:
            schema = contract.schemas[name]
            problem = _check(contract, name, schema, value, document, pointer)
            if problem is not None:
                problems.append(problem)
                continue
            target = f"{schema.uri}#{schema.pointer}"
            out[index].by_target = {**out[index].by_target, target: value}
    if problems and not lenient:
        raise FixturesError.several(problems)
    for each in out:
        each.left_out = tuple(problems)
    return out


def _read(path: Path, display: str) -> SourceDocument:
    if not path.is_file():
        raise FixturesError("no such fixtures file", Location(display))
    try:
        raw = read_bytes(path, display, _LIMITS)
        if not raw.strip():
            raise FixturesError("the fixtures file is empty; expected `schemas:` with a "
                                "value per component schema name", Location(display))
        return parse_document(raw, _LIMITS, display=display, uri=path.resolve().as_uri())
    except ContractLoadError as error:
        raise FixturesError(error.message, error.location) from None


def _entries(document: SourceDocument) -> tuple[Mapping[str, JSON], str]:
    data = document.data
    if not isinstance(data, dict) or not any(k in data for k in _KEYS):
        raise FixturesError("expected a mapping with `schemas:` (component schema name → "
                            "value)", document.location(""))
    key = next(k for k in _KEYS if k in data)
    extra = sorted(k for k in data if k != key)
    if extra:
        raise FixturesError(f"unknown key {extra[0]!r}; a fixtures file has only `{key}:`",
                            document.location(f"/{escape_token(extra[0])}"))
    entries = data[key]
    if not isinstance(entries, dict):
        raise FixturesError(f"`{key}` must map component schema names to values",
                            document.location(f"/{key}"))
    return entries, key


def _check(contract: Contract, name: str, schema: Schema, value: JSON,
           document: SourceDocument, pointer: str) -> FixturesError | None:
    bundle = contract.schema_bundle(schema, "response")
    generated, _ = generate_best_effort(bundle, seed=0, direction="response")
    laid = overlay(generated, value)
    compiled = CompiledSchema(bundle)
    errors = compiled.errors(laid)
    if not errors:
        return None
    first = errors[0]
    where = pointer + first.pointer if first.pointer not in ("", "/") else pointer
    return FixturesError(f"the {name} schema refuses this value: "
                        f"{first.message}", document.location(where))
