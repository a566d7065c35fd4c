"""What a rendering shows: the changes at or above a level, most severe first, and how
file names become the repository-relative paths CI systems place annotations by."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from contractkit.diff.model import Change, DiffReport, FailOn, Reach
from contractkit.diff.rules import LEVELS, Level

#: Bytes GitHub keeps of a step summary (``$GITHUB_STEP_SUMMARY``: 1 MiB per step), less
#: room for whatever else the step writes there
MARKDOWN_BUDGET = 1_000_000
TITLES: dict[Level, str] = {"breaking": "Breaking changes",
                            "dangerous": "Changes that may affect clients",
                            "safe": "Other changes"}


@dataclass(frozen=True)
class RenderOptions:
    """How to render: ``fail_on`` decides what counts as a failure (JUnit, the JSON
    ``failed``); ``level`` hides the changes below it (the summary still counts them);
    ``color`` paints the text format; ``markdown_budget`` caps the markdown output's bytes
    (safe changes are left out first, and the output says how many)."""

    fail_on: FailOn = "breaking"
    level: Level = "safe"
    color: bool = False
    markdown_budget: int = MARKDOWN_BUDGET

    def shown(self, report: DiffReport) -> list[Change]:
        """The changes to show, by level (most severe first), then operation and location."""
        wanted = LEVELS[:LEVELS.index(self.level) + 1]
        return [change for level in wanted for change in by_level(report.changes, level)]

    def hidden(self, report: DiffReport) -> dict[Level, int]:
        """How many changes of each level ``level`` hides (only levels with some)."""
        counts = report.counts()
        below = LEVELS[LEVELS.index(self.level) + 1:]
        return {level: counts[level] for level in below if counts[level]}


def usage_note(change: Change) -> str:
    """Which recorded consumer tests the change hits (``diff --usage``), or ``""``."""
    if change.used_by is None:
        return ""
    if not change.used_by:
        return "no recorded consumer test uses it"
    tests = change.used_by
    more = f" and {len(tests) - 3} more" if len(tests) > 3 else ""
    noun = "test" if len(tests) == 1 else "tests"
    return f"used by {len(tests)} recorded consumer {noun}: {', '.join(tests[:3])}{more}"


def message(change: Change) -> str:
    """The change's message, with :func:`usage_note` when there is one."""
    note = usage_note(change)
    return f"{change.message} ({note})" if note else change.message


def by_level(changes: tuple[Change, ...] | list[Change], level: Level) -> list[Change]:
    return sorted((change for change in changes if change.level == level),
                  key=lambda change: (change.operation, change.location))


def hidden_note(options: RenderOptions, report: DiffReport) -> str:
    """``1598 safe changes not shown (--level safe shows them)``, or ``""``."""
    hidden = options.hidden(report)
    if not hidden:
        return ""
    parts = ", ".join(f"{count} {level}" for level, count in hidden.items())
    lowest = LEVELS[-1] if len(hidden) > 1 or "safe" in hidden else next(iter(hidden))
    return f"not shown: {parts} (--level {lowest} shows them)"


#: operations a one-line summary of a change's reaches names before "and N more"
REACHES_NAMED = 3


def merged(change: Change) -> bool:
    """Whether ``change`` stands for every operation that reaches its site (not for one
    of them, as ``diff(..., expand=True)`` reports it)."""
    return bool(change.reaches) and change.location == change.site


def reach_text(reach: Reach) -> str:
    """``POST /payments (response 201)``: one place a change is reached from."""
    part = f"response {reach.status}" if reach.status else reach.direction
    return f"{reach.operation} ({part})"


def reaches_line(change: Change, named: int = REACHES_NAMED) -> str:
    """``reaches 3 operations: GET /a (response 200), …, and 1 more``, or ``""`` for a
    change in one operation's own part."""
    reaches = change.reaches
    if not merged(change):
        return ""
    places = ", ".join(reach_text(reach) for reach in reaches[:named])
    more = f" and {len(reaches) - named} more" if len(reaches) > named else ""
    softer = [reach for reach in reaches if reach.level != change.level]
    levels = "/".join(sorted({reach.level for reach in softer}, key=LEVELS.index))
    note = f" ({len(softer)} of them only {levels})" if softer else ""
    return f"{reaches_count(change)}: {places}{more}{note}"


def reaches_count(change: Change) -> str:
    """``reaches 3 operations`` (each counted once, however many of its parts reach)."""
    count = len({reach.operation for reach in change.reaches})
    return f"reaches {count} operation{'s' if count != 1 else ''}"


def repository_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (the current one) holding ``.git``."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


@dataclass(frozen=True)
class Artifact:
    """Where a finding is, as CI wants it: ``path`` relative to ``base`` (the repository,
    else the current folder) with ``/`` separators, or ``None`` when the file is outside
    it; ``uri`` is a URI reference either way (relative, or ``file:`` when outside)."""

    path: str | None
    uri: str


def artifact(file: str, base: Path | None) -> Artifact:
    if file.startswith("git:"):
        # git:REF:path names the file by its path in the repository
        path = file[len("git:"):].partition(":")[2]
        return Artifact(path, quote(path))
    if "://" in file:
        return Artifact(None, file)
    absolute = Path(os.path.realpath(file))
    for root in (base, Path.cwd()):
        if root is None:
            continue
        try:
            relative = absolute.relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
        return Artifact(relative, quote(relative))
    return Artifact(None, absolute.as_uri())
