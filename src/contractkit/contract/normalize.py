"""Normalise one schema node from its OpenAPI dialect to JSON Schema 2020-12 semantics.

- OpenAPI 3.0 / Swagger 2.0 ``nullable: true`` and ``x-nullable: true`` → ``"null"`` added
  to ``type`` (or to ``enum``, or an ``anyOf`` with ``{"type": "null"}``).
- Draft-4 boolean ``exclusiveMinimum``/``exclusiveMaximum`` → the numeric 2020-12 form.
- Swagger 2.0 ``type: file`` → ``type: string, format: binary``.
- Draft-4 tuple ``items: [...]`` → ``prefixItems``.
- ``format: int32`` / ``int64`` → explicit ``minimum``/``maximum`` (validators ignore the
  format, but a value beyond 64 bits is not a valid int64).
- In 3.0 / 2.0, keywords beside ``$ref`` are ignored (as those specs say).
- In 3.1, a leftover ``nullable: true`` (common in documents upgraded from 3.0) still
  means "or null".

Only one node is rewritten; :mod:`contractkit.contract.bundle` walks subschemas and refs.
The original node is never modified (it is kept for diffing).
"""

from __future__ import annotations

from typing import Any, Literal

Dialect = Literal["openapi-3.1", "openapi-3.0", "swagger-2.0"]

#: Keywords whose value is one subschema.
SINGLE_SUBSCHEMA = (
    "additionalProperties", "items", "additionalItems", "not", "if", "then", "else",
    "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems", "contentSchema",
)
#: Keywords whose value is a list of subschemas.
LIST_SUBSCHEMAS = ("allOf", "anyOf", "oneOf", "prefixItems")
#: Keywords whose value maps names to subschemas.
MAP_SUBSCHEMAS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


_INTEGER_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def normalise_node(node: dict[str, Any], dialect: Dialect) -> dict[str, Any]:
    """A 2020-12 copy of one schema object (subschemas are left for the caller to walk)."""
    if node.get("format") in _INTEGER_RANGES:
        node = _integer_range(node)
    if dialect == "openapi-3.1":
        if isinstance(node.get("items"), list):
            node = _tuple_items(node)
        if node.get("nullable") is True:
            # not a 3.1 keyword, but common in documents upgraded from 3.0; its only
            # possible meaning is the 3.0 one
            node = _add_null({k: v for k, v in node.items() if k != "nullable"})
        return node
    if "$ref" in node:
        return {"$ref": node["$ref"]}
    out = dict(node)
    if isinstance(out.get("items"), list):
        out = _tuple_items(out)
    if out.get("type") == "file":
        out["type"] = "string"
        out.setdefault("format", "binary")
    for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        flag = out.get(exclusive)
        if isinstance(flag, bool):
            del out[exclusive]
            if flag and bound in out:
                out[exclusive] = out.pop(bound)
    nullable = out.pop("nullable", False) is True
    nullable = (out.pop("x-nullable", False) is True) or nullable
    if nullable:
        out = _add_null(out)
    return out


def _integer_range(node: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI's ``int32``/``int64`` formats bound the value; JSON Schema validators ignore
    unknown formats, so the bounds are made explicit."""
    low, high = _INTEGER_RANGES[node["format"]]
    out = dict(node)
    minimum, maximum = out.get("minimum"), out.get("maximum")
    if not isinstance(minimum, (int, float)) or isinstance(minimum, bool) or minimum < low:
        out["minimum"] = low
    if not isinstance(maximum, (int, float)) or isinstance(maximum, bool) or maximum > high:
        out["maximum"] = high
    return out


def _tuple_items(node: dict[str, Any]) -> dict[str, Any]:
    out = dict(node)
    out["prefixItems"] = out.pop("items")
    if "additionalItems" in out:
        out["items"] = out.pop("additionalItems")
    return out


def _add_null(node: dict[str, Any]) -> dict[str, Any]:
    kind = node.get("type")
    if isinstance(kind, str):
        node["type"] = [kind, "null"]
    elif isinstance(kind, list):
        if "null" not in kind:
            node["type"] = [*kind, "null"]
    elif "enum" in node:
        pass
    else:
        # No type: the constraints may come from allOf/oneOf/anyOf, so null is an alternative.
        return {"anyOf": [node, {"type": "null"}]}
    if isinstance(node.get("enum"), list) and None not in node["enum"]:
        node["enum"] = [*node["enum"], None]
    return node
