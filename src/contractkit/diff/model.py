"""What ``diff`` returns: :class:`Change` findings gathered in a :class:`DiffReport`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from contractkit._types import JSON
from contractkit.diff.rules import LEVELS, Level
from contractkit.errors import Location

#: ``breaking-used`` / ``dangerous-used``: only changes that recorded consumer tests hit
#: (``--usage``) count
FailOn = Literal["breaking", "dangerous", "safe", "never", "breaking-used", "dangerous-used"]
_RANK = {level: rank for rank, level in enumerate(LEVELS)}


@dataclass(frozen=True)
class Reach:
    """One place a change written in a shared part of the contract (a component) is
    reached from: an operation's request or one of its responses.

    ``location`` is where the change is as seen from the operation
    (``POST /payments → responses → 201 → application/json → /status``), as it was
    reported before changes were reported once per site; ``level`` is what the change
    means there (an operation published as ``draft`` or ``alpha`` softens it).
    """

    operation: str  # METHOD /path, or "webhook NAME METHOD"
    operation_id: str  # "" when the contract gives none
    direction: Literal["request", "response", "webhook"]
    status: str  # the response status as written ("200", "default"); "" for a request
    location: str
    level: Level


@dataclass(frozen=True)
class Change:
    """One difference between two contracts and what it means for clients.

    ``location`` reads from the outside in: for OpenAPI ``" → "``-separated
    (``POST /payments → requestBody → application/json → /amount``), for GraphQL dotted
    (``Query.payment.id``); it is what ignore entries match. ``operation`` is what
    reports group by (``POST /payments``, a GraphQL type, a component such as
    ``#/components/schemas/Payment``, or ``""`` for the whole contract).
    ``source_line`` is where the change is in the new contract (its nearest surviving
    parent for removals).

    A change written in a shared part of the contract (a component, another file) is
    reported once for that place: ``site`` names it as written
    (``#/components/schemas/Payment/properties/status``, also the ``location``),
    ``reaches`` lists every operation that reaches it, and ``level`` is the most
    severe of theirs. ``site`` is ``""`` for a change in an operation's own part.

    ``used_by`` names the recorded consumer tests the change hits (``diff --usage``;
    ``None`` when no usage was given): for a change at a site, those of every operation
    it reaches.
    """

    rule_id: str
    level: Level
    location: str
    message: str
    old: JSON = None
    new: JSON = None
    operation: str = ""
    source_line: Location | None = None
    site: str = ""
    reaches: tuple[Reach, ...] = ()
    used_by: tuple[str, ...] | None = None

    def at_least(self, level: Level) -> bool:
        """Whether this change is ``level`` or more severe."""
        return _RANK[self.level] <= _RANK[level]

    def fails(self, fail_on: FailOn) -> bool:
        """Whether this change fails a run with ``--fail-on fail_on``."""
        if fail_on == "never":
            return False
        level, _, used = fail_on.partition("-")
        return self.at_least(level) and (  # type: ignore[arg-type]  # FailOn's levels
            not used or bool(self.used_by))


@dataclass(frozen=True)
class IgnoredChange:
    """A change that an ignore-file entry suppressed, and why."""

    change: Change
    reason: str
    entry: Location


@dataclass(frozen=True)
class DiffReport:
    """All changes from ``old`` to ``new``, most severe first, then by location.

    ``notes`` are remarks about the run itself (an expired ignore entry, say).
    """

    old: str
    new: str
    kind: Literal["openapi", "graphql"]
    changes: tuple[Change, ...]
    ignored: tuple[IgnoredChange, ...] = ()
    notes: tuple[str, ...] = ()
    old_version: str = ""
    new_version: str = ""
    #: ``info.title`` of each side (``diff --usage`` matches recorded interactions by it)
    old_title: str = ""
    new_title: str = ""

    def at_least(self, level: Level) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.at_least(level))

    @property
    def breaking(self) -> tuple[Change, ...]:
        return self.at_least("breaking")

    def counts(self) -> dict[Level, int]:
        counts: dict[Level, int] = dict.fromkeys(LEVELS, 0)
        for change in self.changes:
            counts[change.level] += 1
        return counts

    def fails(self, fail_on: FailOn) -> bool:
        """Whether any change is at or above ``fail_on`` (``never`` never fails); with
        ``breaking-used``/``dangerous-used``, any such change a consumer test hits."""
        return any(change.fails(fail_on) for change in self.changes)


def most_severe(levels: Iterable[Level]) -> Level:
    """The most severe of ``levels`` (at least one)."""
    return min(levels, key=_RANK.__getitem__)


def sort_changes(changes: list[Change]) -> tuple[Change, ...]:
    """Most severe first; then by location, so output is stable across runs."""
    return tuple(sorted(changes, key=lambda c: (_RANK[c.level], c.operation, c.location,
                                                c.rule_id, repr(c.old), repr(c.new))))

