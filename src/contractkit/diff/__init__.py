"""Breaking-change detection between two contracts (DESIGN.md §7).

``diff(old, new)`` returns a :class:`DiffReport` of :class:`Change`\\ s, each tied to a rule
of the catalogue in :mod:`contractkit.diff.rules`, a change written in a component once
for its site with the :class:`Reach`\\ es that lead to it (:mod:`.sites`); ``reporting/``
renders it.
"""

from contractkit.diff.compare import diff
from contractkit.diff.model import Change, DiffReport, IgnoredChange, Reach
from contractkit.diff.rules import RULES, Rule

__all__ = ["RULES", "Change", "DiffReport", "IgnoredChange", "Reach", "Rule", "diff"]
