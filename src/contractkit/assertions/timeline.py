"""The timeline a failing assertion prints: each attempt, its answer, the gap, the sleeps.

One line per request: ``+t`` since the first request, method and path, the status (with
``Retry-After``) or the fault, the gap since the previous answer ended, and the scenario
rule that fired; between two requests, the sleeps the client recorded in virtual time.
Lines an assertion blames are marked with ``>``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Sequence

from contractkit.assertions.attempts import answer_end, answer_start, header
from contractkit.assertions.virtual_time import Sleep
from contractkit.journal import JournalEntry

_AUTH_ERROR = re.compile(r'error="[^"]*"')
#: beyond this many requests, only the first and last half are shown
MAX_LINES = 40


def describe_answer(entry: JournalEntry) -> str:
    """What the client got, in a few words: ``503 Retry-After: 1``, ``reset``,
    ``hang (max 30s): cap reached, the client never gave up``."""
    if entry.status is not None:
        text = str(entry.status)
        retry_after = header(entry, "Retry-After", response=True)
        if retry_after is not None:
            text += f" Retry-After: {retry_after}"
        challenge = header(entry, "WWW-Authenticate", response=True) or ""
        error = _AUTH_ERROR.search(challenge)
        if error is not None:
            text += f" {error.group(0)}"
        if entry.fault and not entry.fault.startswith("status"):
            text += f" ({entry.fault})"
    else:
        text = entry.fault or entry.outcome
    if entry.outcome == "hang-cap-reached":
        text += ": cap reached, the client never gave up"
    elif entry.t_disconnect is not None:
        text += f": client left after {entry.t_disconnect - entry.t_headers:.3f} s"
    return text


def _sleeps_between(sleeps: Sequence[Sleep], start: float, end: float) -> list[Sleep]:
    return [s for s in sleeps if start <= s.at < end]


def _describe_sleeps(sleeps: Sequence[Sleep]) -> str:
    runs: list[list[float]] = []  # equal durations in a row, as [seconds, count]
    for sleep in sleeps:
        if runs and runs[-1][0] == sleep.seconds:
            runs[-1][1] += 1
        else:
            runs.append([sleep.seconds, 1])
    durations = ", ".join(f"{seconds:.3f} s" + (f" x {count:g}" if count > 1 else "")
                          for seconds, count in runs)
    text = f"client slept {durations}"
    if len(sleeps) > 1:
        text += f" (total {sum(s.seconds for s in sleeps):.3f} s)"
    callers = sorted({_short(s.caller) for s in sleeps if s.caller})
    if callers:
        text += " in " + ", ".join(callers)
    return text


def _short(caller: str) -> str:
    where, _, function = caller.partition(" in ")
    path, _, line = where.rpartition(":")
    return f"{os.path.basename(path)}:{line} {function}".strip()


def render_timeline(entries: Sequence[JournalEntry], sleeps: Sequence[Sleep] = (), *,
                    marked: Collection[int] = ()) -> str:
    """The timeline of ``entries`` (in order), marking the entries whose ``seq`` is in
    ``marked``."""
    if not entries:
        return "timeline: no requests were recorded"
    origin = entries[0].t_headers
    rows: list[tuple[str, ...] | str] = []
    previous: JournalEntry | None = None
    shown = list(enumerate(entries))
    if len(shown) > MAX_LINES:
        half = MAX_LINES // 2
        shown = [*shown[:half], (-1, entries[0]), *shown[-half:]]
    for index, entry in shown:
        if index == -1:
            rows.append(f"... {len(entries) - MAX_LINES} more requests ...")
            previous = None
            continue
        gap = "-"
        if previous is not None:
            end = answer_end(previous)
            gap = (f"{entry.t_headers - end:.3f} s" if entry.t_headers >= end
                   else "overlaps")
            between = _sleeps_between(sleeps, answer_start(previous), entry.t_headers)
            if between:
                rows.append(_describe_sleeps(between))
        rows.append((">" if entry.seq in marked else " ", f"+{entry.t_headers - origin:.3f} s",
                     f"{entry.method} {entry.path}", describe_answer(entry), gap,
                     entry.rule or "-"))
        previous = entry
    header_row = (" ", "+t", "request", "answer", "gap", "rule")
    table = [header_row, *(r for r in rows if isinstance(r, tuple))]
    widths = [max(len(r[c]) for r in table) for c in range(len(header_row))]
    indent = sum(widths[:2]) + 4

    def line(row: tuple[str, ...]) -> str:
        cells = zip(row, widths, strict=True)
        return "  ".join(cell.ljust(width) for cell, width in cells).rstrip()

    lines = [f"timeline ({len(entries)} request{'s' if len(entries) != 1 else ''}, "
             "t since the first, gap since the previous answer ended):", line(header_row)]
    lines += [line(row) if isinstance(row, tuple) else " " * indent + row for row in rows]
    return "\n".join(lines)
