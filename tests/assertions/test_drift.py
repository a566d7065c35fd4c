"""The field-level judgement of ``tolerates`` (contractkit.assertions.drift), without a
server: which differences a drift explains."""

from __future__ import annotations

import dataclasses
import enum

from contractkit.assertions.drift import Drift, changes, plain

SCHEMA = {
    "type": "object", "required": ["id", "status"],
    "properties": {
        "id": {"type": "string"}, "status": {"$ref": "#/$defs/Status"},
        "note": {"type": ["string", "null"]},
        "items": {"type": "array", "items": {"type": "object", "required": ["sku"],
                                             "properties": {"sku": {"type": "string"},
                                                            "size": {"type": "integer"}}}},
    },
    "$defs": {"Status": {"type": "string", "enum": ["open", "paid"]}},
}
FULL = "mutate extra_fields=2,drop_optional,nulls,unknown_enum"


class Status(enum.Enum):
    OPEN = "open"
    PAID = "paid"
    OTHER = "other"


@dataclasses.dataclass
class Order:
    id: str
    status: Status
    note: str | None = None


def test_the_fault_text_and_the_schema_say_what_was_touched() -> None:
    drift = Drift.from_faults(["latency 1s+" + FULL, None], [SCHEMA])
    assert (drift.drop_optional, drift.nulls, drift.unknown_enum, drift.extra) == (
        True, True, True, True)
    assert drift.optional == {"note", "items", "size"}
    assert drift.nullable == {"note"}
    assert drift.enums == {"status"}
    assert drift.why("id") is None
    assert drift.why("size") == "optional, dropped"


def test_untouched_fields_must_not_change_and_touched_ones_may() -> None:
    drift = Drift.from_faults([FULL], [SCHEMA])
    before = {"id": "o1", "status": "paid", "note": "hi", "items": [{"sku": "a", "size": 2}]}
    after = {"id": "o2", "status": "unknown_value", "items": [{"sku": "b"}],
             "x_contractkit_extra_0_0": 7}
    found = {c.path: c.handled for c in changes(before, after, drift)}
    assert found == {
        "id": None, "items[0].sku": None, "items[0].size": "optional, dropped",
        "note": "optional, dropped", "status": "enum, given an unknown value",
        "x_contractkit_extra_0_0": "an unknown field, kept"}


def test_without_a_schema_only_the_kind_of_change_counts() -> None:
    drift = Drift.from_faults([FULL], [])
    before = Order("o1", Status.PAID, "hi")
    found = {c.path: c.handled for c in changes(before, Order("o1", Status.OTHER), drift)}
    assert found == {"note": "absent or null in the drifted answer",
                     "status": "an unknown enum value, kept or mapped"}
    wrong = changes(before, Order("o9", Status.PAID, "hi"), drift)
    assert [(c.path, c.handled) for c in wrong] == [("id", None)]
    assert wrong[0].describe() == "id: 'o1' → 'o9'"


def test_a_drift_without_nulls_does_not_explain_a_null() -> None:
    drift = Drift.from_faults(["mutate unknown_enum"], [])
    assert [c.handled for c in changes({"a": 1}, {"a": None}, drift)] == [None]


def test_plain_keeps_enum_members_whole() -> None:
    assert plain(Order("o1", Status.PAID)) == {"id": "o1", "status": "Status.PAID",
                                               "note": None}
