"""How a replayed answer is compared with the one a consumer saw: by structure, not value.

deepdiff lists every difference between the two bodies; :data:`EXCLUDED` says which kinds
do not count and why. What remains are the members whose JSON type changed — the consumer
read a string and the provider sends an object. The contract itself judges the rest of the
answer (required members, enum membership, formats: see ``replay.py``), so a provider that
omits an optional member, or answers the other branch of a ``oneOf``, is not faulted here.
"""

from __future__ import annotations

from dataclasses import dataclass

from contractkit._types import JSON

#: deepdiff report kinds that are not differences a consumer can rely on, and why
EXCLUDED: dict[str, str] = {
    "values_changed": "ids, timestamps, amounts and every generated value differ by nature",
    "dictionary_item_added": "a member the consumer never saw cannot break it",
    "dictionary_item_removed": "whether a member may be missing is the contract's call "
                               "(its required list), judged against the contract",
    "iterable_item_added": "array lengths are data",
    "iterable_item_removed": "array lengths are data",
    "set_item_added": "JSON has no sets",
    "set_item_removed": "JSON has no sets",
}


@dataclass(frozen=True)
class ShapeChange:
    """A member whose JSON type differs: ``pointer`` into the body, the types seen/got."""

    pointer: str
    seen: str
    got: str

    def __str__(self) -> str:
        return (f"{self.pointer or '/'} was {self.seen} for the consumer, "
                f"the provider answered {self.got}")


def compare(seen: JSON, got: JSON) -> list[ShapeChange]:
    """The members of ``seen`` (what the consumer got) whose type ``got`` changed.

    Integers and floats are one JSON type (``number``); a ``null`` on either side is the
    contract's business (``nullable``), not a change of shape.
    """
    from deepdiff import DeepDiff  # noqa: PLC0415 - lazy: it imports numpy and pydantic

    diff = DeepDiff(seen, got, view="tree")
    changes = []
    for kind, items in diff.items():
        if kind in EXCLUDED:
            continue
        # what is left for decoded JSON is type_changes
        for item in items:
            if item.t1 is None or item.t2 is None or _json_type(item.t1) == _json_type(item.t2):
                continue
            changes.append(ShapeChange(_pointer(item.path(output_format="list")),
                                       _json_type(item.t1), _json_type(item.t2)))
    return sorted(changes, key=lambda change: change.pointer)


def _pointer(path: list[object]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
