"""Type aliases shared by every layer (stdlib only)."""

from __future__ import annotations

from typing import Any, TypeAlias

#: A decoded JSON (or YAML-as-JSON) value. ``Any`` because JSON is recursive and
#: contracts are read as plain dicts and lists.
JSON: TypeAlias = Any
