"""Stand-ins for the secrets a recording redacted, so that its requests can be replayed.

The recorder writes a card's ``cvc`` or a ``password`` as ``[redacted sha256:…]``; sent
like that, the provider would rightly refuse the request. Each redacted string in a
request body is replaced by the value at the same place in a body generated from the
operation's request schema (a few seeds are tried, for ``oneOf`` branches that lack the
member). A member no generated body has stays redacted, and the replay shows what came.
"""

from __future__ import annotations

from typing import Any

from contractkit._types import JSON
from contractkit.contract.generate import generate
from contractkit.contract.model import Contract, Operation
from contractkit.contract.validation import find_media_type
from contractkit.errors import GenerationError

#: what marks a value the recorder redacted (``journal.fingerprint``)
REDACTED = "[redacted sha256:"
_SEEDS = 16

Path = tuple[str | int, ...]


def unredacted(contract: Contract, operation: Operation, content_type: str,
               body: JSON) -> JSON:
    """``body`` with its redacted strings replaced by schema-valid stand-ins."""
    wanted = _redacted(body, ())
    request = operation.request_body
    if not wanted or request is None:
        return body
    media = find_media_type(request.content, content_type)
    if media is None or media.schema is None:
        return body
    schema = contract.schema_bundle(media.schema, "request")
    found: dict[Path, str] = {}
    for seed in range(_SEEDS):
        try:
            candidate = generate(schema, seed=seed, direction="request", complete_levels=8)
        except GenerationError:
            return body
        for path in wanted:
            value = _at(candidate, path)
            if path not in found and isinstance(value, str):
                found[path] = value
        if len(found) == len(wanted):
            break
    return _replaced(body, (), found)


def _redacted(value: JSON, path: Path) -> list[Path]:
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _redacted(item, (*path, key))]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _redacted(item, (*path, index))]
    return [path] if isinstance(value, str) and value.startswith(REDACTED) else []


def _at(value: Any, path: Path) -> Any:
    for part in path:
        keyed = isinstance(value, dict) and isinstance(part, str) and part in value
        indexed = isinstance(value, list) and isinstance(part, int) and part < len(value)
        if not keyed and not indexed:
            return None
        value = value[part]
    return value


def _replaced(value: JSON, path: Path, found: dict[Path, str]) -> JSON:
    if isinstance(value, dict):
        return {key: _replaced(item, (*path, key), found) for key, item in value.items()}
    if isinstance(value, list):
        return [_replaced(item, (*path, index), found) for index, item in enumerate(value)]
    return found.get(path, value)
