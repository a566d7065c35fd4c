"""Per-contract machinery behind the frozen model: lookups, router, bundles, positions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from contractkit._types import JSON
from contractkit.contract.bundle import Bundler, Direction
from contractkit.contract.normalize import Dialect
from contractkit.contract.routing import Router
from contractkit.errors import ContractLoadError, Location

if TYPE_CHECKING:
    from contractkit.contract.model import Operation, Schema
    from contractkit.contract.refs import Resolver


class ContractRuntime:
    """Caches built on first use; shared by every user of one ``Contract``."""

    def __init__(
        self,
        operations: Iterable[Operation],
        *,
        resolver: Resolver | None = None,
        dialect: Dialect = "openapi-3.1",
        original_pointer: Callable[[str], str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        ops = list(operations)
        self.by_id: dict[str, Operation] = {}
        for operation in ops:
            self.by_id.setdefault(operation.id, operation)
        self.resolver = resolver
        self._bundlers: dict[str, Bundler] = {}
        self._dialect: Dialect = dialect
        self._operations = ops
        self._router: Router | None = None
        self._original_pointer = original_pointer
        self.extensions: Mapping[str, Any] = extensions or {}
        #: Free-form caches for layers above (compiled validators, generated bodies).
        self.caches: dict[str, dict[Any, Any]] = {}

    @property
    def router(self) -> Router:
        if self._router is None:
            self._router = Router(self._operations)
        return self._router

    def bundle(self, schema: Schema, direction: Direction) -> JSON:
        if self.resolver is None:
            return schema.raw
        bundler = self._bundlers.get(direction)
        if bundler is None:
            bundler = self._bundlers[direction] = Bundler(self.resolver, self._dialect, direction)
        return bundler.bundle(schema.raw, self.resolver.document(schema.uri), schema.pointer)

    def def_target(self, direction: Direction, name: str) -> str | None:
        """``uri#pointer`` of the schema that bundles of ``direction`` call ``name``."""
        bundler = self._bundlers.get(direction)
        return bundler.target_of(name) if bundler is not None else None

    def bundle_notes(self) -> list[ContractLoadError]:
        """Problems met while bundling that did not stop it, drained on read."""
        notes = [note for bundler in self._bundlers.values() for note in bundler.notes]
        for bundler in self._bundlers.values():
            bundler.notes.clear()
        return notes

    def location(self, uri: str, pointer: str) -> Location:
        if self.resolver is None or uri not in self.resolver.documents:
            return Location(uri, pointer=pointer)
        document = self.resolver.document(uri)
        if self._original_pointer is not None and uri == self.resolver.root.uri:
            return document.location(self._original_pointer(pointer))
        return document.location(pointer)

    def locations(self, places: list[tuple[str, str]], *,
                  as_written: bool = False) -> list[Location]:
        """:meth:`location` of many ``(uri, pointer)`` places, each file searched once.

        ``as_written``: the pointers are into the files as written (a Swagger 2.0 original),
        not into the model's converted document."""
        by_uri: dict[str, list[int]] = {}
        for number, (uri, _) in enumerate(places):
            by_uri.setdefault(uri, []).append(number)
        found: list[Location | None] = [None] * len(places)
        for uri, numbers in by_uri.items():
            if self.resolver is None or uri not in self.resolver.documents:
                for number in numbers:
                    found[number] = Location(uri, pointer=places[number][1])
                continue
            pointers = [places[number][1] for number in numbers]
            if (self._original_pointer is not None and uri == self.resolver.root.uri
                    and not as_written):
                pointers = [self._original_pointer(pointer) for pointer in pointers]
            located = self.resolver.document(uri).locations(pointers)
            for number, location in zip(numbers, located, strict=True):
                found[number] = location
        return [location for location in found if location is not None]

    def cache(self, name: str) -> dict[Any, Any]:
        return self.caches.setdefault(name, {})
