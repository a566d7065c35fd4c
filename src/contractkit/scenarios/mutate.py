"""Schema drift: change a valid JSON body the way a provider's next release might.

Each mutation walks the body alongside its (bundled) schema: ``extra_fields`` adds unknown
properties at every object level where the contract allows them (values of its
``additionalProperties`` schema; none where it is ``false``), ``undeclared_fields`` adds
them everywhere (a breach of the contract, on purpose), ``drop_optional`` removes
properties not required, ``nulls`` sets nullable properties to null, ``unknown_enum``
swaps enum values for one the contract does not list, ``type_drift`` turns numbers and
booleans into strings (and numeric strings into numbers), ``huge`` grows strings and
arrays to their maximum (or far beyond anything seen, when the schema sets none).
"""

from __future__ import annotations

import random
from typing import Any

from contractkit._types import JSON
from contractkit.contract.generate import generate
from contractkit.contract.shape import json_type, resolve
from contractkit.errors import GenerationError
from contractkit.scenarios.faults import Mutate

_NONE = object()  # no value fits
#: Without a declared maximum, "huge" means this (a body stays a few MB at most).
HUGE_STRING = 10_000
HUGE_ARRAY = 200


def mutate(value: JSON, schema: JSON, fault: Mutate, rng: random.Random) -> JSON:
    """``value`` changed as ``fault`` says; ``schema`` is its bundled JSON Schema."""
    root = schema if isinstance(schema, dict) else {}
    return _Walker(root, fault, rng).walk(value, root, 0)


class _Walker:
    def __init__(self, root: dict[str, Any], fault: Mutate, rng: random.Random) -> None:
        self.root = root
        self.fault = fault
        self.rng = rng

    def resolve(self, schema: Any) -> dict[str, Any]:
        return resolve(schema, self.root)

    def branch(self, schema: dict[str, Any], value: Any) -> dict[str, Any]:
        """For oneOf/anyOf: the branch whose constants and properties fit ``value`` best."""
        branches = schema.get("oneOf") or schema.get("anyOf")
        if not branches:
            return schema
        best, best_score = schema, -1
        for candidate in branches:
            resolved = self.resolve(candidate)
            score = _fit(resolved, value)
            if score > best_score:
                best, best_score = {**schema, **resolved}, score
        best.pop("oneOf", None)
        best.pop("anyOf", None)
        return best

    def walk(self, value: JSON, raw_schema: Any, depth: int) -> JSON:
        schema = self.branch(self.resolve(raw_schema), value)
        if isinstance(value, dict):
            return self.object(value, schema, depth)
        if isinstance(value, list):
            items = [self.walk(item, schema.get("items", {}), depth + 1) for item in value]
            if self.fault.huge and items:
                limit = schema.get("maxItems", HUGE_ARRAY)
                items = [items[i % len(items)] for i in range(max(len(items), limit))]
            return items
        return self.scalar(value, schema)

    def object(self, value: dict[str, JSON], schema: dict[str, Any],
               depth: int) -> dict[str, JSON]:
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        result: dict[str, JSON] = {}
        for key, item in value.items():
            child = self.resolve(properties.get(key, {}))
            if self.fault.drop_optional and key not in required:
                continue
            if self.fault.nulls and _nullable(child):
                result[key] = None
                continue
            result[key] = self.walk(item, properties.get(key, {}), depth + 1)
        for index in range(self.fault.extra_fields):
            if not self.allowed_extra(schema, result):
                break
            extra = self.allowed_value(schema, index)
            if extra is _NONE:
                break
            result[f"x_contractkit_extra_{depth}_{index}"] = extra
        for index in range(self.fault.undeclared_fields):
            result[f"x_contractkit_undeclared_{depth}_{index}"] = self.extra(index)
        return result

    def allowed_extra(self, schema: dict[str, Any], result: dict[str, JSON]) -> bool:
        """Whether one more unknown property keeps the object valid."""
        if schema.get("additionalProperties") is False or schema.get(
                "unevaluatedProperties") is False or "propertyNames" in schema:
            return False
        if schema.get("patternProperties"):
            return False  # a generated name might match a pattern with its own schema
        limit = schema.get("maxProperties")
        return not (isinstance(limit, int) and len(result) >= limit)

    def allowed_value(self, schema: dict[str, Any], index: int) -> Any:
        """A value the contract's ``additionalProperties`` accepts (any, when it says none)."""
        extra = schema.get("additionalProperties")
        if extra is None or extra is True or extra == {}:
            return self.extra(index)
        if not isinstance(extra, dict):
            return _NONE
        try:
            return generate({**extra, "$defs": self.root.get("$defs", {})},
                            seed=self.rng.randrange(2**31))
        except GenerationError:
            return _NONE

    def extra(self, index: int) -> JSON:
        kinds: list[JSON] = [f"unexpected-{self.rng.randrange(10**6)}",
                             self.rng.randrange(10**6), {"nested": True, "list": [1, 2]},
                             None, [f"item-{index}"]]
        return kinds[index % len(kinds)]

    def scalar(self, value: JSON, schema: dict[str, Any]) -> JSON:
        enum = schema.get("enum")
        if self.fault.unknown_enum and isinstance(enum, list) and value in enum:
            return _outside(enum, value)
        if self.fault.type_drift:
            if isinstance(value, bool):
                return "true" if value else "false"
            if isinstance(value, int | float):
                return str(value)
            if isinstance(value, str) and _numeric(value):
                return float(value) if "." in value else int(value)
        if self.fault.huge and isinstance(value, str) and "enum" not in schema and (
                "format" not in schema and "pattern" not in schema):
            size = schema.get("maxLength", HUGE_STRING)
            return (value or "x") * (size // max(1, len(value or "x"))) if size > len(value) \
                else value
        return value


def _fit(schema: dict[str, Any], value: Any) -> int:
    if not isinstance(value, dict):
        wanted = schema.get("type")
        kinds = wanted if isinstance(wanted, list) else [wanted]
        kind = json_type(value)
        return 1 if wanted is None or kind in kinds or (
            kind == "integer" and "number" in kinds) else 0
    score = 0
    for key, item in value.items():
        declared = schema.get("properties", {}).get(key)
        if isinstance(declared, dict):
            score += 1
            if "const" in declared:
                score += 10 if declared["const"] == item else -100
            if isinstance(declared.get("enum"), list):
                score += 5 if item in declared["enum"] else -100
    return score


def _nullable(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    return any(isinstance(b, dict) and b.get("type") == "null"
               for b in (schema.get("oneOf") or schema.get("anyOf") or ()))


def _outside(enum: list[Any], value: JSON) -> JSON:
    if isinstance(value, str):
        candidate = "unknown_value"
        while candidate in enum:
            candidate += "_"
        return candidate
    if isinstance(value, int | float) and not isinstance(value, bool):
        return max(v for v in enum if isinstance(v, int | float)) + 1
    return value


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lower() not in ("nan", "inf", "-inf", "infinity")
