"""Bracket notation: ``card[number]=4242``, ``items[0][price]=p_1``, ``expand[]=customer``.

What Rails, PHP, Stripe's and Stainless-generated SDKs send for nested objects and arrays
in forms and queries; OpenAPI's ``style: deepObject`` names its first level. Fields are
first nested by their brackets (:func:`nest`), then read by the schema
(``params.nested_by_schema``): an object whose keys are all indexes is an array where the
schema wants an array.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])+)$")
_PART = re.compile(r"\[([^\[\]]*)\]")
#: Deeper than this, a field name is taken literally (a hostile `a[[[[...` costs nothing).
MAX_DEPTH = 32


def split_key(key: str) -> list[str] | None:
    """``"a[b][0][]"`` → ``["a", "b", "0", ""]``; None for a name without brackets."""
    found = _KEY.match(key)
    if found is None:
        return None
    parts = [found.group(1), *_PART.findall(found.group(2))]
    return parts if len(parts) <= MAX_DEPTH else None


def nest(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Fields nested by their brackets; ``[]`` appends; a leaf sent twice keeps both."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        path = split_key(key) or [key]
        node = root
        for index, part in enumerate(path):
            name = part if part else str(len(node))
            if index == len(path) - 1:
                if name in node and not isinstance(node[name], dict):
                    earlier = node[name]
                    node[name] = [*earlier, value] if isinstance(earlier, list) else [
                        earlier, value]
                else:
                    node[name] = value
                break
            child = node.get(name)
            if not isinstance(child, dict):
                child = node[name] = {}
            node = child
    return root
