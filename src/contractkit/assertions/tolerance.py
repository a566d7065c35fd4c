"""How exactly a measured duration must match an expected one (DESIGN §6).

Real time: scheduling only ever lengthens a gap, so lower bounds are strict (a gap may be
at most 20 ms short) and upper bounds loose (it may be longer by max(0.25 s, 25 %)).
Virtual time: sleeps advance the clock exactly, so both bounds are within 1 ms.
"""

from __future__ import annotations

from dataclasses import dataclass

REAL_EARLY = 0.020
REAL_LATE_SECONDS = 0.25
REAL_LATE_FRACTION = 0.25
VIRTUAL_SLACK = 0.001


@dataclass(frozen=True)
class Tolerance:
    virtual: bool = False

    def early(self) -> float:
        """How much shorter than a lower bound a measurement may be."""
        return VIRTUAL_SLACK if self.virtual else REAL_EARLY

    def late(self, expected: float) -> float:
        """How much longer than an upper bound a measurement may be."""
        if self.virtual:
            return VIRTUAL_SLACK
        return max(REAL_LATE_SECONDS, REAL_LATE_FRACTION * expected)

    def at_least(self, measured: float, expected: float) -> bool:
        return measured >= expected - self.early()

    def at_most(self, measured: float, expected: float) -> bool:
        return measured <= expected + self.late(expected)

    def describe(self) -> str:
        return ("virtual time, exact to 1 ms" if self.virtual else
                "real time: at most 20 ms early, up to max(0.25 s, 25 %) late")
