"""Changes as they are found, with where they are; all their lines are found at the end,
in one pass per file (a large contract is scanned once, not once per change)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from contractkit._types import JSON
from contractkit.contract._source import join_pointer, split_pointer
from contractkit.contract.model import Contract, Operation
from contractkit.diff.lines import json_positions
from contractkit.diff.model import Change, Reach
from contractkit.diff.rules import Level, rule
from contractkit.errors import Location

Side = Literal["old", "new"]
#: Which contract, the document's uri and a JSON pointer in it.
Site = tuple[Side, str, str]
#: A place in the new contract: the document's uri and a JSON pointer in it.
Place = tuple[str, str]


def operation_label(operation: Operation) -> str:
    """``POST /payments``: how changes name an operation (and group by it)."""
    return f"{operation.method} {operation.path}"


class Recorder:
    """Collects the changes of one comparison of two contracts."""

    def __init__(self, old: Contract, new: Contract) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self._sites: list[Site | None] = []
        self._written: list[Place | None] = []
        #: per operation label: its id (or "") and where it is written
        self._origins: dict[str, tuple[str, Place]] = {}

    def enter(self, label: str, operation: Operation) -> None:
        """Changes recorded for ``label`` from now on are reached from ``operation``."""
        self._origins[label] = ("" if operation.generated_id else operation.id,
                                (operation.uri, operation.pointer))

    def add(self, rule_id: str, parts: Iterable[str], message: str, *, old: JSON = None,
            new: JSON = None, operation: str = "", site: Site | None = None,
            level: Level | None = None, written: Place | None = None) -> None:
        """``site`` is where the change is placed (its file:line); ``written`` where it
        is written, when that is not ``site`` (a removed property: ``site`` is the object
        that held it)."""
        self.changes.append(Change(
            rule_id=rule_id, level=level or rule(rule_id).level,
            location=" → ".join(parts), message=message, old=old, new=new,
            operation=operation))
        self._sites.append(site)
        self._written.append(written)

    def shared(self, operation: str, place: Place) -> bool:
        """Whether ``place`` is outside ``operation``'s own part of the contract (in a
        component, another file), so other operations may reach it too."""
        origin = self._origins.get(operation)
        if origin is None:
            return False
        uri, pointer = origin[1]
        return place[0] != uri or not (place[1] == pointer
                                       or place[1].startswith(pointer + "/"))

    def site_name(self, place: Place) -> str:
        """``place`` as written: ``#/components/schemas/Payment`` (``#/definitions/…`` in a
        Swagger 2.0 file), ``common.yaml#/Pet`` in another file."""
        resolver = resolver_of(self.new)
        uri, pointer = place
        if resolver is None:
            return "#" + pointer
        root = resolver.root.uri
        if uri == root:
            # a Swagger 2.0 contract is compared in its 3.x shape; the runtime maps its
            # pointers back to the file as written (no public accessor exists yet)
            original = self.new._runtime._original_pointer
            return "#" + (original(pointer) if original is not None else pointer)
        folder = root.rsplit("/", 1)[0] + "/"
        file = uri[len(folder):] if uri.startswith(folder) else uri
        return f"{file}#{pointer}" if pointer else file

    def located(self) -> list[Change]:
        """The changes with their file:line, found for all of them at once."""
        # what was removed is placed where it was in the new contract (its nearest
        # surviving parent): CI annotates the changed file, not the old revision
        sites = [self._surviving(site) for site in self._sites]
        wanted: dict[tuple[Side, str], set[str]] = {}
        for site in sites:
            if site is not None:
                wanted.setdefault((site[0], site[1]), set()).add(site[2])
        found: dict[Site, Location] = {}
        for (side, uri), pointers in wanted.items():
            contract = self.old if side == "old" else self.new
            for pointer, location in _locations(contract, uri, pointers).items():
                found[side, uri, pointer] = location
        # positional copies: dataclasses.replace costs more than the rest on 20k changes
        names: dict[Place, str] = {}
        located = []
        for change, site, original, given in zip(self.changes, sites, self._sites,
                                                 self._written, strict=True):
            line = found.get(site) if site is not None else None
            written = given
            if written is None and original is not None and original[0] == "new":
                written = (original[1], original[2])
            if (written is None or not change.operation
                    or not self.shared(change.operation, written)):
                located.append(change if line is None else Change(
                    change.rule_id, change.level, change.location, change.message,
                    change.old, change.new, change.operation, line))
                continue
            name = names.get(written)
            if name is None:
                name = names[written] = self.site_name(written)
            located.append(Change(
                change.rule_id, change.level, change.location, change.message, change.old,
                change.new, change.operation, line, name, (self._reach(change),)))
        return located

    def _reach(self, change: Change) -> Reach:
        parts = change.location.split(" → ", 3)
        status = parts[2] if len(parts) > 2 and parts[1] == "responses" else ""
        direction: Literal["request", "response", "webhook"] = (
            "webhook" if change.operation.startswith("webhook ") else
            "response" if status else "request")
        return Reach(change.operation, self._origins[change.operation][0], direction, status,
                     change.location, change.level)

    def _surviving(self, site: Site | None) -> Site | None:
        """An old-side site as the same pointer into the new contract's counterpart file,
        cut before the first array index (item 2 of the new array is another item)."""
        if site is None or site[0] != "old":
            return site
        old_resolver, new_resolver = resolver_of(self.old), resolver_of(self.new)
        if old_resolver is None or new_resolver is None:
            return site
        counterpart = _counterpart(site[1], old_resolver, new_resolver)
        document = old_resolver.documents.get(site[1])
        if counterpart is None or document is None:
            return site
        return ("new", counterpart, _before_arrays(document.data, site[2]))


def _locations(contract: Contract, uri: str, pointers: set[str]) -> dict[str, Location]:
    resolver = resolver_of(contract)
    document = resolver.documents.get(uri) if resolver is not None else None
    if (document is None or document.syntax != "json" or not document.raw
            or contract.spec_version == "2.0"):
        # YAML positions come from one pass over the parse; Swagger pointers need the
        # contract's mapping back to the document as written
        ordered = sorted(pointers)
        located = contract._runtime.locations([(uri, pointer) for pointer in ordered])
        return dict(zip(ordered, located, strict=True))
    return {pointer: Location(document.display, line, column, pointer)
            for pointer, (line, column) in json_positions(document.raw, pointers).items()}


def resolver_of(contract: Contract) -> Any:
    # The model keeps schemas as written; following their refs needs the contract's own
    # resolver, which the runtime holds (no public accessor exists yet).
    return contract._runtime.resolver




def _counterpart(uri: str, old_resolver: Any, new_resolver: Any) -> str | None:
    """The new contract's file that stands where ``uri`` stood in the old one: the root
    for the root, else the file at the same path relative to the root's folder."""
    old_root, new_root = old_resolver.root.uri, new_resolver.root.uri
    if uri == old_root:
        return str(new_root)
    old_folder, new_folder = old_root.rsplit("/", 1)[0], new_root.rsplit("/", 1)[0]
    if not uri.startswith(old_folder + "/"):
        return None
    candidate = new_folder + uri[len(old_folder):]
    return candidate if candidate in new_resolver.documents else None


def _before_arrays(data: JSON, pointer: str) -> str:
    tokens = split_pointer(pointer)
    node = data
    for depth, token in enumerate(tokens):
        if isinstance(node, list):
            return join_pointer("", *tokens[:depth])
        if not isinstance(node, dict) or token not in node:
            break
        node = node[token]
    return pointer
