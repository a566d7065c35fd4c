"""The ignore file: accepted changes that should not fail CI, each with a reason.

.. code-block:: yaml

    ignore:
      - rule: response-property-became-optional     # glob on the rule id
        location: "GET /payments/{} → *"             # glob on Change.location; default *
        reason: "field was never filled in; clients checked (JIRA-123)"
        expires: 2026-12-31                          # optional; after it, no longer ignores

A change written in a component is reported once for its site, but ignored per
operation: ``location`` matches each operation's view of it (``GET /payments/{} → *``)
or the site itself (``#/components/schemas/Payment/*``). An entry that names one
operation ignores the change only there; the finding stays, for the other operations.

An expired entry stops ignoring and says so in the report's notes, so a temporary
exception cannot become permanent by accident.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import yaml

from contractkit.diff.model import Change, IgnoredChange
from contractkit.errors import ConfigError, Location

_KEYS = frozenset({"rule", "location", "reason", "expires"})


@dataclass(frozen=True)
class IgnoreEntry:
    rule: str
    location: str
    reason: str
    expires: dt.date | None
    where: Location

    def matches(self, change: Change) -> bool:
        """By rule id and by location: the change's as seen from its operation, or the
        site where it is written (``#/components/schemas/Payment/*``)."""
        return fnmatch.fnmatchcase(change.rule_id, self.rule) and (
            fnmatch.fnmatchcase(change.location, self.location)
            or (bool(change.site) and fnmatch.fnmatchcase(change.site, self.location)))


def read_ignore_file(path: str | os.PathLike[str]) -> tuple[IgnoreEntry, ...]:
    """Parse and check an ignore file; any mistake is a ``ConfigError`` with file:line."""
    shown = os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{shown}: cannot read the ignore file: {error.strerror}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ConfigError(f"{shown}{line}: invalid YAML in the ignore file: {problem}") from None
    if root is None:
        return ()
    items = root
    if isinstance(root, yaml.MappingNode):
        found = {key.value: value for key, value in root.value}
        if set(found) != {"ignore"}:
            _fail(shown, root, "expected a mapping with one key, 'ignore', holding a list")
        items = found["ignore"]
    if not isinstance(items, yaml.SequenceNode):
        _fail(shown, items, "'ignore' must be a list of entries")
    return tuple(_entry(shown, node) for node in items.value)


def _entry(shown: str, node: yaml.Node) -> IgnoreEntry:
    if not isinstance(node, yaml.MappingNode):
        _fail(shown, node, "each entry must be a mapping with rule, reason, and optionally "
                           "location and expires")
    fields: dict[str, str] = {}
    for key, value in node.value:
        if key.value not in _KEYS:
            _fail(shown, key, f"unknown key {key.value!r}; entries take "
                              + ", ".join(sorted(_KEYS)))
        if not isinstance(value, yaml.ScalarNode) or not str(value.value).strip():
            _fail(shown, value, f"{key.value!r} must be a non-empty text")
        fields[key.value] = str(value.value)
    for needed in ("rule", "reason"):
        if needed not in fields:
            _fail(shown, node, f"entry has no {needed!r}; every ignored change needs a rule "
                               "id (globs allowed) and a reason")
    expires = None
    if "expires" in fields:
        try:
            expires = dt.date.fromisoformat(fields["expires"])
        except ValueError:
            _fail(shown, node, f"expires {fields['expires']!r} is not a date (YYYY-MM-DD)")
    return IgnoreEntry(fields["rule"], fields.get("location", "*"), fields["reason"], expires,
                       Location(shown, node.start_mark.line + 1))


def apply_ignores(changes: Sequence[Change], entries: Sequence[IgnoreEntry],
                  today: dt.date) -> tuple[list[Change], list[IgnoredChange], list[str]]:
    """Split changes into kept and ignored; notes name the expired entries that matched."""
    kept: list[Change] = []
    ignored: list[IgnoredChange] = []
    notes: list[str] = []
    for change in changes:
        entry = next((e for e in entries if e.matches(change)), None)
        if entry is None:
            kept.append(change)
        elif entry.expires is not None and entry.expires < today:
            kept.append(change)
            note = (f"{entry.where}: ignore entry for {entry.rule} expired on {entry.expires}; "
                    "it no longer ignores anything")
            if note not in notes:
                notes.append(note)
        else:
            ignored.append(IgnoredChange(change, entry.reason, entry.where))
    return kept, ignored, notes


def _fail(shown: str, node: yaml.Node, message: str) -> NoReturn:
    raise ConfigError(f"{shown}:{node.start_mark.line + 1}: {message}")
