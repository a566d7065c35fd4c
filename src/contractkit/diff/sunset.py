"""``x-sunset`` dates: when a deprecated operation, parameter or property goes away."""

from __future__ import annotations

import datetime as dt

from contractkit._types import JSON


def parse_date(value: JSON) -> dt.date | None:
    """An ``x-sunset`` value as a date: ``YYYY-MM-DD`` or an RFC 3339 date-time."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None
