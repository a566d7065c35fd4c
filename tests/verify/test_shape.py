"""How a replayed answer is compared with what the consumer saw: types only."""

from __future__ import annotations

from contractkit.verify.shape import EXCLUDED, compare

SEEN = {"id": "pay_1", "amount": 2000, "captured": True, "created": "2024-05-01T12:00:00Z",
        "refunds": [{"id": "re_1", "amount": 5}], "last_error": None,
        "method": {"type": "card"}}


def test_values_ids_timestamps_and_lengths_do_not_count() -> None:
    got = {"id": "pay_other", "amount": 12.5, "captured": False, "created": "2030-01-01",
           "refunds": [], "last_error": {"code": "x"}, "method": {"type": "card"},
           "new_member": 1}
    assert compare(SEEN, got) == []


def test_missing_members_are_left_to_the_contract() -> None:
    assert compare(SEEN, {"id": "pay_1"}) == []
    assert "dictionary_item_removed" in EXCLUDED


def test_a_changed_type_is_reported_with_its_pointer() -> None:
    got = {**SEEN, "amount": "2000", "captured": 1, "method": "card",
           "refunds": [{"id": "re_1", "amount": [5]}, {"id": 3}]}
    assert [str(change) for change in compare(SEEN, got)] == [
        "/amount was a number for the consumer, the provider answered a string",
        "/captured was a boolean for the consumer, the provider answered a number",
        "/method was an object for the consumer, the provider answered a string",
        "/refunds/0/amount was a number for the consumer, the provider answered an array",
    ]


def test_a_top_level_change() -> None:
    assert [str(c) for c in compare([1], {"a": 1})] == [
        "/ was an array for the consumer, the provider answered an object"]
