"""Links in generated answers: a ``url`` or ``href`` member that the generator filled with
a word becomes a path of the API that answered, so a client that follows it (Stripe's
SDKs page through a list by its ``url``; HAL clients follow ``href``) calls the mock.

The path follows REST's nesting: the request's path for the body itself, extended by the
member names that lead to a nested object (``GET /v1/invoices/in_1`` →
``lines.url = /v1/invoices/in_1/lines``); a list's item with an ``id`` is the collection's
path (the object holding the array) plus that id. A value that already is a path or an
absolute URL is left alone.
"""

from __future__ import annotations

from typing import Any

_NAMES = ("url", "href")
_MAX_DEPTH = 32


def has_links(body: bytes) -> bool:
    """Whether a JSON body may hold a link member (cheap: before parsing it)."""
    return b'"url"' in body or b'"href"' in body


def link(node: Any, path: str, depth: int = 0) -> bool:
    """Fill the link members of ``node`` (a parsed body) under ``path``; True if any."""
    if depth > _MAX_DEPTH:
        return False
    changed = False
    if isinstance(node, dict):
        for name in _NAMES:
            value = node.get(name)
            if isinstance(value, str) and not value.startswith(("/", "http://", "https://")):
                node[name] = path
                changed = True
        for key, value in node.items():
            if isinstance(value, dict):
                changed |= link(value, f"{path}/{key}", depth + 1)
            elif isinstance(value, list):  # `data: [...]` holds the object's collection
                changed |= link(value, path, depth + 1)
    elif isinstance(node, list):
        for item in node:
            identity = item.get("id") if isinstance(item, dict) else None
            if isinstance(identity, str) and identity and "/" not in identity:
                changed |= link(item, f"{path}/{identity}", depth + 1)
    return changed
