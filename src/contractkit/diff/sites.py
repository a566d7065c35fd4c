"""One finding per change site: a change written in a shared part of the contract (a
component, another file) is reported once, with every operation that reaches it.

A schema component used by 700 operations that gains one enum value is one change, not
700: :func:`by_site` merges the occurrences the comparison found (one per operation, each
a :class:`~contractkit.diff.model.Reach`) into one :class:`~contractkit.diff.model.Change`
per rule and site. The merged change is as severe as its most severe reach (a draft
operation may soften one reach, never the others); request and response readings of one
component are different rules (``request-…`` / ``response-…``), so they stay apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from contractkit.contract._source import split_pointer
from contractkit.diff.lifecycle import unsoftened
from contractkit.diff.model import Change, IgnoredChange, most_severe
from contractkit.diff.views import canonical

#: how many leading pointer tokens name a component of the root document
_COMPONENT_DEPTH = {"components": 3, "definitions": 2, "parameters": 2, "responses": 2,
                    "paths": 2, "webhooks": 2}


def by_site(changes: Iterable[Change]) -> list[Change]:
    """``changes`` with those of one rule at one shared site merged into one, in the
    order each site was first met; changes in an operation's own part pass unchanged."""
    merged: dict[tuple[str | bytes, ...] | int, list[Change]] = {}
    for number, change in enumerate(changes):
        key: tuple[str | bytes, ...] | int = number
        if change.site:
            key = (change.rule_id, change.site, unsoftened(change.message),
                   canonical(change.old), canonical(change.new))
        merged.setdefault(key, []).append(change)
    return [_merge(group) for group in merged.values()]


def ignored_by_site(ignored: Sequence[IgnoredChange]) -> list[IgnoredChange]:
    """Ignored occurrences merged as :func:`by_site` does, per ignore entry."""
    entries: dict[tuple[str, str], list[IgnoredChange]] = {}
    for item in ignored:
        entries.setdefault((str(item.entry), item.reason), []).append(item)
    return [IgnoredChange(change, items[0].reason, items[0].entry)
            for items in entries.values()
            for change in by_site(item.change for item in items)]


def _merge(group: list[Change]) -> Change:
    first = group[0]
    if not first.site:
        return first
    level = most_severe(change.level for change in group)
    lead = next(change for change in group if change.level == level)
    reaches = tuple(reach for change in group for reach in change.reaches)
    return Change(first.rule_id, level, first.site, lead.message, first.old, first.new,
                  component(first.site), first.source_line, first.site, reaches)


def component(site: str) -> str:
    """The component a site is in: ``#/components/schemas/Payment`` for
    ``#/components/schemas/Payment/properties/status`` (Swagger 2.0: ``#/definitions/…``),
    the file for a site in another file."""
    file, _, pointer = site.partition("#")
    if file:
        return file
    tokens = split_pointer(pointer)
    depth = _COMPONENT_DEPTH.get(tokens[0], 1) if tokens else 0
    return "#" + "".join("/" + _escaped(token) for token in tokens[:depth])


def schema_path(site: str) -> str:
    """A site as a reader names it: ``Payment.status`` for
    ``#/components/schemas/Payment/properties/status``, ``Payment.tags.[]`` for its
    ``items``; the component's name alone for its root; ``Pet.name`` for
    ``common.yaml#/Pet/properties/name``."""
    file, _, pointer = site.partition("#")
    tokens = split_pointer(pointer)
    # a file of schemas names them by their first token (pet.yaml#/Pet); a file that is
    # one schema by its own name
    name = file.rsplit("/", 1)[-1].rsplit(".", 1)[0] if file else ""
    if tokens:
        depth = 1 if file else _COMPONENT_DEPTH.get(tokens[0], 1)
        name, tokens = tokens[min(depth, len(tokens)) - 1], tokens[depth:]
    steps = [name] if name else []
    position = 0
    while position < len(tokens):
        token = tokens[position]
        following = tokens[position + 1] if position + 1 < len(tokens) else None
        if token in ("properties", "patternProperties", "headers") and following is not None:
            steps.append(following)
            position += 2
        elif token in ("oneOf", "anyOf") and following is not None:
            steps.append(f"{token}[{following}]")
            position += 2
        elif token in ("allOf", "content") and following is not None:
            position += 2  # allOf parts are merged; a media type is not a property
        elif token == "items":
            steps.append("[]")
            position += 1
        elif token == "additionalProperties":
            steps.append("*")
            position += 1
        elif token == "schema":
            position += 1
        else:
            steps.append(token)
            position += 1
    return ".".join(steps)


def _escaped(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
