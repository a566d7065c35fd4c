"""``--check-version``: breaking changes need a major bump of ``info.version``."""

from __future__ import annotations

import re
from collections.abc import Sequence

from contractkit.diff.model import Change
from contractkit.diff.rules import rule

_MAJOR = re.compile(r"^\s*v?(\d+)(?:[.\-+]|$)")


def major(version: str) -> int | None:
    """The major number of ``1.4.0``, ``v2``, ``3.0.0-rc.1``; ``None`` if there is none."""
    found = _MAJOR.match(version)
    return int(found.group(1)) if found else None


def version_changes(old_version: str, new_version: str,
                    changes: Sequence[Change]) -> tuple[list[Change], list[str]]:
    """The version finding (if any) and notes, given the changes that remain."""
    before, after = major(old_version), major(new_version)
    if before is None or after is None:
        unreadable = old_version if before is None else new_version
        return [], [f"--check-version: info.version {unreadable!r} has no major number "
                    "(expected semantic versioning such as 1.4.0); not checked"]
    breaking = [c for c in changes if c.level == "breaking"]
    bumped = after > before
    if breaking and not bumped:
        rule_id = "version-major-bump-missing"
        return [Change(rule_id, rule(rule_id).level, "info.version",
                       f"{len(breaking)} breaking change{'s' if len(breaking) != 1 else ''} "
                       f"but info.version went from {old_version} to {new_version}: bump the "
                       f"major version (to {before + 1}.0.0)", old_version, new_version)], []
    if bumped and not breaking:
        rule_id = "version-major-bump-unneeded"
        return [Change(rule_id, rule(rule_id).level, "info.version",
                       f"info.version went from {old_version} to {new_version} but no change "
                       "is breaking: a minor bump would do", old_version, new_version)], []
    return [], []
