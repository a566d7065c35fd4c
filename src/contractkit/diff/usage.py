"""``diff --usage DIR``: which changes hit what consumer tests recorded.

A change is *used* by a consumer test when the test called the change's operation (method
and path template; path-parameter names do not matter) and, if the change is about a
field, when the field was in the exchange:

- a response field (``… → responses → 200 → application/json → /amount``): the consumer
  got an answer with that status holding the field, or a member inside it;
- a request-body field or a parameter: the consumer sent it; or the change makes something
  required (rule ids with ``required``), which every caller of the operation meets;
- anything else about the operation (removed, a status gone, security): every caller.

Changes to webhooks and to the whole contract are never used: the mock records requests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from contractkit.diff.model import Change, DiffReport
from contractkit.interactions import Interaction, Recording, fields, recorded_against

_SEP = " → "


@dataclass(frozen=True)
class _Call:
    test: str
    interaction: Interaction

    @cached_property
    def sent(self) -> set[str]:
        return fields(self.interaction.body)

    @cached_property
    def seen(self) -> set[str]:
        return fields(self.interaction.response.body)


@dataclass
class Usage:
    """The recorded calls, by method, for matching against changes."""

    calls: dict[str, list[_Call]] = field(default_factory=dict)

    @classmethod
    def of(cls, recordings: Sequence[Recording]) -> Usage:
        usage = cls()
        for recording in recordings:
            for interaction in recording.interactions:
                usage.calls.setdefault(interaction.method, []).append(
                    _Call(recording.test, interaction))
        return usage

    def users(self, change: Change) -> tuple[str, ...]:
        """The consumer tests ``change`` hits, in name order: for a change at a shared
        site (a component), those hit through any of the operations it reaches."""
        places = ([(reach.operation, reach.location) for reach in change.reaches]
                  if change.reaches else [(change.operation, change.location)])
        return tuple(sorted({test for operation, location in places
                             for test in self._users(change.rule_id, operation, location)}))

    def _users(self, rule_id: str, operation: str, location: str) -> set[str]:
        method, _, template = operation.partition(" ")
        if not template.startswith("/"):
            return set()  # a webhook, a GraphQL type or the whole contract
        pattern = _template(template)
        parts = location.split(_SEP)[1:]
        return {call.test for call in self.calls.get(method, ())
                if _path_matches(pattern, call.interaction.path)
                and _hits(rule_id, parts, call)}


def mark(report: DiffReport, recordings: Sequence[Recording]) -> DiffReport:
    """``report`` with every change's ``used_by`` filled in from ``recordings``: those
    recorded against this contract (its old or new title), not another provider's mock the
    same consumer tests used."""
    def ours(interaction: Interaction) -> bool:
        return (recorded_against(interaction, report.old_title, report.old_version)
                or recorded_against(interaction, report.new_title, report.new_version))

    usage = Usage.of([replace(recording, interactions=tuple(
        i for i in recording.interactions if ours(i))) for recording in recordings])
    return replace(report, changes=tuple(
        replace(change, used_by=usage.users(change)) for change in report.changes))


def _template(template: str) -> re.Pattern[str]:
    path = template.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    pieces = re.split(r"(\{[^{}/]+\})", path)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p)
                              for p in pieces) + "/?")


def _path_matches(pattern: re.Pattern[str], path: str) -> bool:
    return pattern.fullmatch(path) is not None


def _hits(rule_id: str, parts: list[str], call: _Call) -> bool:
    if not parts:
        return True
    where = parts[0]
    pointer = parts[-1] if len(parts) > 1 and parts[-1].startswith("/") else None
    if where == "responses" and pointer is not None:
        status = parts[1] if len(parts) > 2 else ""
        got = call.interaction.response.status
        if status.isdigit() and got != int(status):
            return False
        return _within(pointer, call.seen)
    if "required" in rule_id:
        return True
    if where == "requestBody" and pointer is not None:
        return _within(pointer, call.sent)
    if where == "parameters" and len(parts) > 1:
        location, _, name = parts[1].partition(" ")
        if location == "query":
            return any(key == name for key, _ in call.interaction.query)
        if location == "header":
            return name.lower() in {h.lower() for h in call.interaction.headers}
        return True  # a path parameter: every call has it
    return True


def _within(pointer: str, present: set[str]) -> bool:
    """Whether ``pointer`` or a member under it was in the exchange."""
    pointer = pointer.rstrip("/") or "/"
    if pointer == "/":
        return bool(present)
    return any(p == pointer or p.startswith(pointer + "/") or p.startswith(pointer + "[]")
               for p in present)
