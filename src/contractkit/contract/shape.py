"""The shape of a value in a bundled schema, for code that walks data beside its schema
(schema drift, XML bodies): ``$ref`` followed inside the bundle and ``allOf`` merged, and
the JSON Schema type of a value."""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 64


def resolve(schema: Any, bundle: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """``schema`` with its local ``$ref`` followed (in ``bundle``, a document made by
    ``Contract.schema_bundle``) and ``allOf`` merged: properties and required united, the
    last part's ``xml`` winning (``allOf: [$ref, {xml: {name: ...}}]``), other keywords from
    the first part that has them. Enough to know properties, required, types, enums,
    nullability and bounds; not a validator."""
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return {}
    merged: dict[str, Any] = dict(schema)
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        node: Any = bundle
        for raw in ref[2:].split("/"):
            token = raw.replace("~1", "/").replace("~0", "~")
            node = node.get(token, {}) if isinstance(node, dict) else {}
        merged = {**resolve(node, bundle, depth + 1),
                  **{k: v for k, v in schema.items() if k != "$ref"}}
    for part in merged.pop("allOf", None) or ():
        resolved = resolve(part, bundle, depth + 1)
        merged["properties"] = {**resolved.get("properties", {}),
                                **merged.get("properties", {})}
        merged["required"] = [*merged.get("required", []), *resolved.get("required", [])]
        for key, value in resolved.items():
            if key == "xml":
                merged["xml"] = {**merged.get("xml", {}), **value}
            else:
                merged.setdefault(key, value)
    return merged


def json_type(value: Any) -> str:
    """The JSON Schema type of a value (``1.0`` is an integer, as JSON Schema says)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
