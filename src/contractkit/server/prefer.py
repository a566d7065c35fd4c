"""The ``Prefer`` request header (Prism-compatible) and its ``__code``-style query fallbacks.

``Prefer: code=404, example=notFound, dynamic=true, seed=7, validate=off`` asks the mock for
a particular answer; browsers and tools that cannot set headers use
``?__code=404&__example=notFound&__dynamic=true&__seed=7``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Preferences:
    code: str | None = None
    example: str | None = None
    dynamic: bool = False
    seed: int | None = None
    validate: bool = True


DEFAULT = Preferences()
_CONTROLS = ("code", "example", "dynamic", "seed", "validate")


def parse_preferences(header: str | None, query: Iterable[tuple[str, str]]) -> Preferences:
    if header is None and not query:
        return DEFAULT
    values: dict[str, str] = {}
    for part in (header or "").replace(";", ",").split(","):
        name, _, value = part.strip().partition("=")
        if name:
            values[name.strip().lower()] = value.strip().strip('"')
    for name, value in query:
        if name.startswith("__") and name[2:] in _CONTROLS:
            values.setdefault(name[2:], value)
    return _from_values(values)


def _from_values(values: Mapping[str, str]) -> Preferences:
    seed = values.get("seed")
    return Preferences(
        code=values.get("code") or None,
        example=values.get("example") or None,
        dynamic=values.get("dynamic", "").lower() == "true",
        seed=int(seed) if seed is not None and seed.lstrip("-").isdigit() else None,
        validate=values.get("validate", "").lower() not in ("off", "false"),
    )


def has_controls(query: Iterable[tuple[str, str]]) -> bool:
    """Whether the query carries a ``__code``-style control (an answer of its own)."""
    return any(k.startswith("__") and k[2:] in _CONTROLS for k, _ in query)


def strip_control_query(
    query: tuple[tuple[str, str], ...],
) -> tuple[tuple[str, str], ...]:
    """The query without the ``__code``-style controls (they are not API parameters)."""
    if not has_controls(query):
        return query
    return tuple((k, v) for k, v in query if not (k.startswith("__") and k[2:] in _CONTROLS))
