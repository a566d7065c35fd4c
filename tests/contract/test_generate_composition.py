"""Generation from compositions real contracts use (openai's spec): discriminators whose
branches name their own tag, and allOf of two anyOfs (issue 12, items 1 and 2)."""

from __future__ import annotations

from typing import Any

import pytest

from contractkit import generate
from contractkit.contract.schema_validator import CompiledSchema

TOOLS: dict[str, Any] = {
    "$defs": {
        "CustomTool": {"type": "object", "required": ["type", "name"], "properties": {
            "type": {"type": "string", "enum": ["custom"]}, "name": {"type": "string"}}},
        "Base": {"type": "object", "required": ["type"],
                 "properties": {"type": {"type": "string"}}},
        "FunctionTool": {"allOf": [{"$ref": "#/$defs/Base"},
                                   {"properties": {"type": {"const": "function"}}}]},
        "WebSearch": {"type": "object", "required": ["type"],
                      "properties": {"type": {"type": "string", "pattern": "^web"}}},
    },
    "oneOf": [{"$ref": "#/$defs/CustomTool"}, {"$ref": "#/$defs/FunctionTool"},
              {"$ref": "#/$defs/WebSearch"}],
    "discriminator": {"propertyName": "type", "mapping": {"web": "#/$defs/WebSearch"}},
}


def test_discriminator_tags_come_from_mapping_then_the_branchs_own_enum_or_const() -> None:
    validator = CompiledSchema(TOOLS)
    seen = set()
    for seed in range(40):
        value = generate(TOOLS, seed=seed)
        assert validator.errors(value) == [], value
        seen.add(value["type"])
    # not the component names "CustomTool" / "FunctionTool", which the branches forbid
    assert seen == {"custom", "function", "web"}


@pytest.mark.parametrize("schema", [
    {"allOf": [{"anyOf": [{"type": "string"}, {"type": "integer"}]},
               {"anyOf": [{}, {"type": "null"}]}]},
    {"allOf": [{"oneOf": [{"type": "string"}, {"type": "integer"}]},
               {"oneOf": [{"type": "integer", "minimum": 5}, {"type": "string", "minLength": 3}]}]},
    {"allOf": [{"anyOf": [{"type": "string"}, {"type": "integer"}]},
               {"oneOf": [{"type": "integer", "minimum": 5}, {"type": "boolean"}]}]},
])
def test_all_of_two_combinators_generates_without_endless_recursion(
        schema: dict[str, Any]) -> None:
    validator = CompiledSchema(schema)
    for seed in range(20):
        value = generate(schema, seed=seed)
        assert validator.errors(value) == [], value
