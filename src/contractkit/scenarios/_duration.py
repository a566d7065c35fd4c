"""Durations as scenario files write them: ``250ms``, ``2s``, ``1.5s``, ``5m``, ``1h``, or a
bare number of seconds."""

from __future__ import annotations

import re

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h)")
_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(value: object) -> float:
    """Seconds; ``ValueError`` with the accepted spellings for anything else."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration; write e.g. 250ms, 2s, 5m")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"{value!r} is negative; a duration is 0 or more")
        return float(value)
    if isinstance(value, str):
        match = _DURATION.fullmatch(value.strip())
        if match is not None:
            return float(match.group(1)) * _SECONDS[match.group(2)]
    raise ValueError(f"{value!r} is not a duration; write e.g. 250ms, 2s, 1.5s, 5m or 1h")


def format_duration(seconds: float) -> str:
    if seconds < 1 and seconds != 0:
        return f"{seconds * 1000:g}ms"
    return f"{seconds:g}s"
