"""OpenAPI runtime expressions (``{$request.body#/callbackUrl}``), read against a served
exchange: where a callback goes, and values a triggered delivery carries.

Grammar (OpenAPI 3.x, "Runtime Expressions"): ``$url``, ``$method``, ``$statusCode``,
``$request.`` / ``$response.`` followed by ``header.NAME``, ``query.NAME``, ``path.NAME``
or ``body#/json/pointer``. An expression may stand alone or be embedded in braces in a
string (``https://example.com?id={$request.body#/id}``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from contractkit._types import JSON
from contractkit.errors import WebhookError

_EMBEDDED = re.compile(r"\{(\$[^{}]+)\}")


@dataclass(frozen=True)
class Side:
    """A request or a response as expressions read it (lower-case header names)."""

    headers: Mapping[str, str] = field(default_factory=dict)
    query: Sequence[tuple[str, str]] = ()
    path: Mapping[str, str] = field(default_factory=dict)
    body: JSON = None


@dataclass(frozen=True)
class Exchange:
    """What a served operation gives its callbacks and triggered deliveries to read."""

    url: str = ""
    method: str = ""
    status: int = 0
    request: Side = field(default_factory=Side)
    response: Side = field(default_factory=Side)


def _pointer(document: JSON, pointer: str) -> Any:
    if pointer in ("", "/"):
        return document
    if not pointer.startswith("/"):
        raise KeyError(pointer)
    node: Any = document
    for raw in pointer[1:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping):
            node = node[part]
        elif isinstance(node, list):
            node = node[int(part)]
        else:
            raise KeyError(pointer)
    return node


def evaluate(expression: str, exchange: Exchange) -> Any:
    """The value of one bare expression (``$request.body#/id``); :class:`KeyError` when
    the exchange has no such value, :class:`WebhookError` when it is not an expression."""
    if expression == "$url":
        return exchange.url
    if expression == "$method":
        return exchange.method
    if expression == "$statusCode":
        return exchange.status
    source, dot, rest = expression.partition(".")
    if source not in ("$request", "$response") or not dot:
        raise WebhookError(f"{expression!r} is not a runtime expression: expected $url, "
                           "$method, $statusCode, $request.… or $response.…")
    side = exchange.request if source == "$request" else exchange.response
    if rest.startswith("body"):
        _, _, pointer = rest.partition("#")
        return _pointer(side.body, pointer)
    kind, _, name = rest.partition(".")
    if kind == "header":
        return side.headers[name.lower()]
    if kind == "query":
        return next(value for key, value in side.query if key == name)
    if kind == "path":
        return side.path[name]
    raise WebhookError(f"{expression!r}: after {source}. expected header.NAME, query.NAME, "
                       "path.NAME or body#/pointer")


def expand(template: str, exchange: Exchange) -> Any:
    """A string with embedded ``{$...}`` expressions filled in; a bare ``$...`` or a
    template that is exactly one ``{$...}`` gives the value itself (a number stays one)."""
    if template.startswith("$"):
        return evaluate(template, exchange)
    whole = _EMBEDDED.fullmatch(template)
    if whole:
        return evaluate(whole.group(1), exchange)
    try:
        return _EMBEDDED.sub(lambda m: str(evaluate(m.group(1), exchange)), template)
    except StopIteration as error:
        raise KeyError(template) from error


def resolve(template: str, exchange: Exchange) -> Any:
    """:func:`expand`, with a missing value as :class:`WebhookError` saying which."""
    try:
        return expand(template, exchange)
    except (KeyError, IndexError, ValueError, StopIteration) as error:
        raise WebhookError(f"the runtime expression {template!r} has no value in the served "
                           f"exchange ({type(error).__name__}: {error})") from None
