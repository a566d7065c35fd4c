"""Schema drift mutations, on a schema with nesting, enums, nullables and optionals."""

from __future__ import annotations

import random

from contractkit.contract.schema_validator import CompiledSchema
from contractkit.scenarios.faults import Mutate
from contractkit.scenarios.mutate import mutate

SCHEMA = {
    "$ref": "#/$defs/Payment",
    "$defs": {
        "Payment": {
            "type": "object",
            "required": ["id", "status", "amount"],
            "properties": {
                "id": {"type": "string"},
                "status": {"type": "string", "enum": ["pending", "succeeded"]},
                "amount": {"type": "integer"},
                "note": {"type": ["string", "null"], "maxLength": 50},
                "card": {"$ref": "#/$defs/Card"},
                "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 4},
            },
        },
        "Card": {"type": "object", "required": ["last4"],
                 "properties": {"last4": {"type": "string"}, "brand": {"type": "string"}}},
    },
}
VALUE = {"id": "pay_1", "status": "pending", "amount": 100, "note": "hi",
         "card": {"last4": "4242", "brand": "visa"}, "tags": ["a"]}


def run(**flags: object) -> dict[str, object]:
    result = mutate(VALUE, SCHEMA, Mutate(**flags), random.Random(1))  # type: ignore[arg-type]
    assert isinstance(result, dict)
    return result


def test_extra_fields_at_every_object_level() -> None:
    drifted = run(extra_fields=2)
    assert len(drifted) == len(VALUE) + 2
    card = drifted["card"]
    assert isinstance(card, dict)
    assert len(card) == 4
    assert {k: drifted[k] for k in VALUE} != VALUE  # card changed inside
    assert drifted["amount"] == 100


def test_drop_optional_keeps_required() -> None:
    assert run(drop_optional=True) == {"id": "pay_1", "status": "pending", "amount": 100}


def test_nulls_only_where_nullable() -> None:
    drifted = run(nulls=True)
    assert drifted["note"] is None
    assert drifted["id"] == "pay_1"


def test_unknown_enum_value() -> None:
    status = run(unknown_enum=True)["status"]
    assert isinstance(status, str)
    assert status not in ("pending", "succeeded")


def test_type_drift() -> None:
    drifted = run(type_drift=True)
    assert drifted["amount"] == "100"
    card = drifted["card"]
    assert isinstance(card, dict)
    assert card["last4"] == 4242


def test_huge_grows_to_the_declared_maximum() -> None:
    drifted = run(huge=True)
    assert len(drifted["tags"]) == 4  # type: ignore[arg-type]
    assert len(drifted["note"]) == 50  # type: ignore[arg-type]


METADATA = {
    "type": "object", "required": ["id"], "additionalProperties": False,
    "properties": {
        "id": {"type": "string"},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        "limits": {"type": "object", "maxProperties": 1, "properties": {"a": {"type": "integer"}}},
    },
}


def test_extra_fields_stay_valid_against_the_contract() -> None:
    # a reader typed as the contract says (metadata: dict[str, str], no extra keys at the
    # top) must still read drifted bodies: issue 13, item 4
    value = {"id": "x", "metadata": {"k": "v"}, "limits": {"a": 1}}
    validator = CompiledSchema(METADATA)
    for seed in range(10):
        drifted = mutate(value, METADATA, Mutate(extra_fields=5), random.Random(seed))
        assert isinstance(drifted, dict)
        assert validator.errors(drifted) == [], drifted
        assert set(drifted) == set(value)  # additionalProperties: false at the top
        metadata = drifted["metadata"]
        assert isinstance(metadata, dict)
        assert len(metadata) == 6
        assert all(isinstance(v, str) for v in metadata.values())
        assert drifted["limits"] == {"a": 1}  # maxProperties 1 leaves no room


def test_undeclared_fields_breach_the_contract_on_purpose() -> None:
    drifted = mutate({"id": "x"}, METADATA, Mutate(undeclared_fields=2), random.Random(0))
    assert isinstance(drifted, dict)
    assert len(drifted) == 3
    assert CompiledSchema(METADATA).errors(drifted) != []
