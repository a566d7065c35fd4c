"""Lifecycle: deprecation, ``x-sunset`` dates and ``x-stability-level``.

Removing an operation is safe only after it was deprecated and its sunset date (if any)
has passed, and a deprecated parameter may not go before its sunset date; an ``x-sunset``
that is not a date makes a removal uncheckable; a sunset date may move later, not earlier,
and may not vanish while the operation is still deprecated; ``draft`` and ``alpha``
operations promise nothing.

A :class:`DeprecationPolicy` (``--deprecation-days-beta`` / ``--deprecation-days-stable``,
as oasdiff's) sets the notice a deprecation must give: under it, deprecating without an
``x-sunset`` date, or with one fewer days away than the minimum, is breaking.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from contractkit.contract.model import Operation
from contractkit.diff.recorder import Recorder, Site, operation_label
from contractkit.diff.rules import STABILITY_LEVELS
from contractkit.diff.sunset import parse_date
from contractkit.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class DeprecationPolicy:
    """The fewest days between deprecating something and its ``x-sunset`` date, by the
    ``x-stability-level`` of its operation (none means ``stable``; ``draft`` and
    ``alpha`` promise nothing). 0, the default, sets no minimum: a deprecation without a
    date is then dangerous, not breaking."""

    beta_days: int = 0
    stable_days: int = 0

    def __post_init__(self) -> None:
        for name, days in (("deprecation_days_beta", self.beta_days),
                           ("deprecation_days_stable", self.stable_days)):
            if not isinstance(days, int) or isinstance(days, bool) or days < 0:
                raise ConfigError(f"{name} must be a whole number of days, 0 or more "
                                  f"(got {days!r}); 0 sets no minimum")

    def notice(self, extensions: Mapping[str, Any], today: dt.date) -> Notice:
        """The notice owed by a deprecation in an operation with these extensions; an
        invalid stability level owes none here (``stability-level-invalid`` says so)."""
        level = extensions.get("x-stability-level", "stable")
        return Notice({"beta": self.beta_days, "stable": self.stable_days}.get(level, 0),
                      today)


@dataclasses.dataclass(frozen=True)
class Notice:
    """The days of notice a deprecation in one operation owes (0: none asked for) and
    the date they count from."""

    minimum: int
    today: dt.date

    def too_soon(self, sunset: dt.date) -> bool:
        """Whether a sunset on ``sunset`` gives fewer days of notice than the minimum."""
        return self.minimum > 0 and (sunset - self.today).days < self.minimum

    def away(self, sunset: dt.date) -> str:
        days = (sunset - self.today).days
        return f"{days} days away" if days >= 0 else f"{-days} days ago"


NO_POLICY = DeprecationPolicy()


def removed_operation(record: Recorder, operation: Operation, *, endpoint: bool,
                      today: dt.date) -> None:
    label = operation_label(operation)
    site: Site = ("old", operation.uri, operation.pointer)
    if operation.deprecated:
        if _unreadable_sunset(record, operation.extensions, [label], label, label, site):
            return
        sunset = parse_date(operation.extensions.get("x-sunset"))
        if sunset is not None and sunset > today:
            record.add("operation-removed-before-sunset", [label],
                       f"{label} was removed before its sunset date {sunset}: clients "
                       "were promised it until then", operation=label, site=site,
                       old=str(sunset))
        else:
            record.add("operation-removed-after-deprecation", [label],
                       f"deprecated {label} was removed", operation=label, site=site)
        return
    rule_id = "endpoint-removed" if endpoint else "operation-removed"
    record.add(rule_id, [label], f"{label} was removed without being deprecated first: "
               "clients calling it will get 404 or 405", operation=label, site=site)


def removed_parameter_before_sunset(record: Recorder, parts: list[str], name: str,
                                    extensions: Mapping[str, Any], label: str, site: Site, *,
                                    today: dt.date) -> bool:
    """Whether a removed deprecated parameter broke its ``x-sunset`` promise (recorded)."""
    if _unreadable_sunset(record, extensions, parts, name, label, site):
        return True
    sunset = parse_date(extensions.get("x-sunset"))
    if sunset is None or sunset <= today:
        return False
    record.add("request-parameter-removed-before-sunset", parts,
               f"{name} was removed before its sunset date {sunset}: clients were promised "
               "it until then", old=str(sunset), operation=label, site=site)
    return True


def _unreadable_sunset(record: Recorder, extensions: Mapping[str, Any], parts: list[str],
                       name: str, label: str, site: Site) -> bool:
    """A deprecated element removed with an ``x-sunset`` that is not a date: nobody can
    tell whether its clients were given the time they were promised."""
    raw = extensions.get("x-sunset")
    if raw is None or parse_date(raw) is not None:
        return False
    record.add("sunset-invalid", [*parts, "x-sunset"],
               f"{name} was removed with an x-sunset {raw!r} that is not a date "
               "(YYYY-MM-DD): the removal cannot be checked against it", old=raw,
               operation=label, site=site)
    return True


def deprecation(record: Recorder, what: Literal["operation", "request-parameter"],
                parts: list[str], name: str, was: bool, now: bool, old_ext: Mapping[str, Any],
                new_ext: Mapping[str, Any], label: str, site: Site, notice: Notice) -> None:
    """Deprecation and ``x-sunset`` of an operation or parameter called ``name``."""
    old_sunset, new_sunset = old_ext.get("x-sunset"), new_ext.get("x-sunset")
    if now and not was:
        date = parse_date(new_sunset)
        if new_sunset is None and notice.minimum:
            record.add(f"{what}-sunset-missing", parts,
                       f"{name} was deprecated without an x-sunset date, where the "
                       f"deprecation policy asks for at least {notice.minimum} days' notice",
                       operation=label, site=site)
        elif new_sunset is None:
            record.add(f"{what}-deprecated-without-sunset", parts,
                       f"{name} was deprecated without an x-sunset date: clients cannot "
                       "tell when it goes away", operation=label, site=site)
        elif date is not None and notice.too_soon(date):
            record.add(f"{what}-sunset-too-soon", parts,
                       f"{name} was deprecated with sunset {date}, {notice.away(date)}: the "
                       f"deprecation policy asks for at least {notice.minimum} days' notice",
                       operation=label, site=site, new=new_sunset)
        else:
            record.add(f"{what}-deprecated", parts,
                       f"{name} was deprecated, sunset {new_sunset}", operation=label,
                       site=site, new=new_sunset)
    elif was and not now:
        record.add(f"{what}-reactivated", parts, f"{name} is no longer deprecated",
                   operation=label, site=site)
    if old_sunset == new_sunset:
        return
    before, after = parse_date(old_sunset), parse_date(new_sunset)
    if new_sunset is not None and after is None:
        record.add("sunset-invalid", [*parts, "x-sunset"],
                   f"x-sunset {new_sunset!r} of {name} is not a date (YYYY-MM-DD): removal "
                   "cannot be checked against it", old=old_sunset, new=new_sunset,
                   operation=label, site=site)
    elif now and before is not None and new_sunset is None:
        record.add("sunset-removed", [*parts, "x-sunset"],
                   f"{name} is still deprecated but lost its sunset date {before}",
                   old=str(before), operation=label, site=site)
    elif before is not None and after is not None:
        earlier = after < before
        record.add(f"sunset-moved-{'earlier' if earlier else 'later'}", [*parts, "x-sunset"],
                   f"the sunset date of {name} moved from {before} to {after}"
                   + (": clients have less time than announced" if earlier else ""),
                   old=str(before), new=str(after), operation=label, site=site)


def stability(record: Recorder, old: Operation, new: Operation, label: str,
              site: Site) -> None:
    before = old.extensions.get("x-stability-level")
    after = new.extensions.get("x-stability-level")
    if before == after:
        return
    parts = [label, "x-stability-level"]
    for value in (after, before):
        if value is not None and value not in STABILITY_LEVELS:
            record.add("stability-level-invalid", parts,
                       f"x-stability-level {value!r} is not one of draft, alpha, beta, "
                       "stable, so the impact of changes cannot be judged",
                       old=before, new=after, operation=label, site=site)
            return
    rank_before = STABILITY_LEVELS.index(before or "stable")
    rank_after = STABILITY_LEVELS.index(after or "stable")
    if rank_before != rank_after:
        lower = rank_after < rank_before
        record.add(f"stability-level-{'decreased' if lower else 'increased'}", parts,
                   f"{label} went from {before or 'stable'} to {after or 'stable'}",
                   old=before, new=after, operation=label, site=site)


def soften_unstable(record: Recorder, operation: Operation, start: int) -> None:
    """An operation published as ``draft`` or ``alpha`` promises no compatibility:
    what would break its clients is reported as dangerous instead."""
    stability = operation.extensions.get("x-stability-level")
    if stability not in ("draft", "alpha"):
        return
    changes = record.changes
    for index in range(start, len(changes)):
        change = changes[index]
        if change.level == "breaking" and change.rule_id != "stability-level-invalid":
            changes[index] = dataclasses.replace(
                change, level="dangerous",
                message=f"{change.message}{_SOFTENED.format(stability=stability)}")


_SOFTENED = " (the operation was {stability}, so this is not counted as breaking)"


def unsoftened(message: str) -> str:
    """``message`` without what :func:`soften_unstable` added to it: the same change
    reached from a stable and from a draft operation is one change."""
    for stability in ("draft", "alpha"):
        message = message.removesuffix(_SOFTENED.format(stability=stability))
    return message
