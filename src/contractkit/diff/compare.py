"""``diff(old, new)``: every change between two contracts, as a :class:`DiffReport`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import os
from typing import Any

from contractkit.contract._source import DEFAULT_MAX_BYTES, DEFAULT_MAX_YAML_NODES
from contractkit.contract.model import Contract
from contractkit.diff.ignore import apply_ignores, read_ignore_file
from contractkit.diff.lifecycle import DeprecationPolicy
from contractkit.diff.model import Change, DiffReport, sort_changes
from contractkit.diff.openapi import OpenAPIDiff
from contractkit.diff.sites import by_site, ignored_by_site
from contractkit.diff.sources import Opened, open_contract
from contractkit.diff.version import version_changes
from contractkit.errors import ConfigError

Source = str | os.PathLike[str] | Contract


def diff(
    old: Source,
    new: Source,
    *,
    ignore: str | os.PathLike[str] | None = None,
    check_version: bool = False,
    closed_responses: bool = False,
    deprecation_days_beta: int = 0,
    deprecation_days_stable: int = 0,
    expand: bool = False,
    today: dt.date | None = None,
    allow_remote_refs: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_yaml_nodes: int = DEFAULT_MAX_YAML_NODES,
) -> DiffReport:
    """Compare two contracts (paths, ``git:REF:path`` or loaded ``Contract``s).

    ``ignore`` names an ignore file (see :mod:`contractkit.diff.ignore`);
    ``check_version`` adds a finding when breaking changes come without a major bump of
    ``info.version``; ``closed_responses`` reports a response enum value or oneOf/anyOf
    branch added as breaking (for clients that reject what they do not know; by default
    it is dangerous); ``deprecation_days_beta`` and ``deprecation_days_stable`` set a
    deprecation policy (as oasdiff's ``--deprecation-days-*``): something deprecated in an
    operation of that ``x-stability-level`` (none is ``stable``) without an ``x-sunset``
    date, or with one fewer days after ``today``, is breaking (0, the default: no
    minimum, and a deprecation without a date is dangerous); ``expand`` reports a change
    written in a component once per operation part that reaches it (each with its one
    reach) instead of once per site;
    ``today`` is the date sunset and expiry dates are checked against.
    ``allow_remote_refs``, ``max_bytes`` and ``max_yaml_nodes`` apply to both sides as in
    :func:`~contractkit.contract.loader.load`.
    Raises :class:`~contractkit.errors.ContractkitError` for inputs that cannot be read.
    """
    today = today or dt.date.today()
    policy = DeprecationPolicy(deprecation_days_beta, deprecation_days_stable)
    entries = read_ignore_file(ignore) if ignore is not None else ()
    load_options: dict[str, Any] = {"allow_remote_refs": allow_remote_refs,
                                    "max_bytes": max_bytes, "max_yaml_nodes": max_yaml_nodes}
    before, after = open_contract(old, **load_options), open_contract(new, **load_options)
    # Comparing allocates many small objects beside two large loaded contracts; the
    # cyclic GC would rescan those contracts again and again (measured on GitHub's
    # contract: 0.64 s with it, 0.44 s without). Anything cyclic left over is collected
    # once it is back on.
    collecting = gc.isenabled()
    gc.disable()
    try:
        changes = _changes(before, after, today, closed_responses, policy)
    finally:
        if collecting:
            gc.enable()
    # ignores apply to each operation's reach of a change, before the reaches of one
    # site are merged: an entry naming one operation leaves the others reported
    kept, ignored, notes = apply_ignores(changes, entries, today)
    if not expand:
        kept, ignored = by_site(kept), ignored_by_site(ignored)
    notes = [*_invalid_schema_notes(before), *_invalid_schema_notes(after), *notes]
    if check_version and after.contract.kind == "openapi":
        found, version_notes = version_changes(before.contract.version,
                                               after.contract.version, kept)
        kept += found
        notes += version_notes
    return DiffReport(
        old=before.label, new=after.label, kind=after.contract.kind,
        changes=sort_changes(kept), ignored=tuple(ignored), notes=tuple(notes),
        old_version=before.contract.version, new_version=after.contract.version,
        old_title=before.contract.title, new_title=after.contract.title)


#: how many of one side's schema errors the notes name
INVALID_NOTES = 5


def _invalid_schema_notes(side: Opened) -> list[str]:
    """A GraphQL schema that fails validation (a field defined twice) is compared as
    written, the last definition winning as servers do; the report says so, since the
    verdict then depends on which definition came last."""
    invalid = [problem for problem in side.contract.problems
               if problem.severity == "error" and problem.code.startswith("graphql-")]
    notes = [f"{side.location(problem.location)}: invalid GraphQL schema, compared as "
             f"written (the last definition wins): {problem.message}"
             for problem in invalid[:INVALID_NOTES]]
    if len(invalid) > INVALID_NOTES:
        notes.append(f"and {len(invalid) - INVALID_NOTES} more errors in {side.label}; "
                     f"`contractkit validate {side.label}` lists them all")
    return notes


def _changes(before: Opened, after: Opened, today: dt.date,
             closed_responses: bool, policy: DeprecationPolicy) -> list[Change]:
    old, new = before.contract, after.contract
    if old.kind != new.kind:
        raise ConfigError(f"cannot compare {before.label} ({old.kind}) with {after.label} "
                          f"({new.kind}); both sides must be OpenAPI or both GraphQL")
    if new.kind == "graphql":
        # imported here: graphql-core takes 0.2 s to import, which OpenAPI diffs and
        # `import contractkit` should not pay
        from contractkit.contract.graphql import graphql_schema  # noqa: PLC0415
        from contractkit.diff.graphql import GraphQLDiff  # noqa: PLC0415
        found = GraphQLDiff(graphql_schema(old), graphql_schema(new), old_source=before.label,
                            new_source=after.label).run()
    else:
        found = OpenAPIDiff(old, new, today=today, closed_responses=closed_responses,
                            deprecation_policy=policy).run()
    if before.rename is None and after.rename is None:
        return found
    # locations inside a git: source name the temporary export; give them back their name
    return [dataclasses.replace(change, source_line=after.location(before.location(
        change.source_line))) for change in found]
