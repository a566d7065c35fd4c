"""What an assertion looks at (:class:`Observation`) and what it finds (:class:`Finding`).

The checks in :mod:`~contractkit.assertions.retries` and
:mod:`~contractkit.assertions.timing` are functions from an observation to a finding (or
None when the client behaved); :class:`~contractkit.assertions.calls.Calls` turns a finding
into a :class:`~contractkit.errors.ContractViolation` with the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from contractkit.assertions.attempts import LogicalOperation
from contractkit.assertions.tolerance import Tolerance
from contractkit.assertions.virtual_time import Sleep
from contractkit.journal import JournalEntry


@dataclass(frozen=True)
class Observation:
    """The requests of one operation (or of all), in order, grouped, with the sleeps."""

    entries: tuple[JournalEntry, ...]
    operations: tuple[LogicalOperation, ...]
    sleeps: tuple[Sleep, ...] = ()
    tolerance: Tolerance = field(default_factory=Tolerance)
    #: add to a journal timestamp to get Unix time (for Retry-After HTTP-dates)
    unix_offset: float = 0.0

    def slept_between(self, start: float, end: float) -> float:
        return sum(s.seconds for s in self.sleeps if start <= s.at < end)


@dataclass(frozen=True)
class Finding:
    """What the client did wrong: one sentence, and the requests to mark in the timeline."""

    sentence: str
    marked: tuple[JournalEntry, ...] = ()
