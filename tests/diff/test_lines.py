"""Finding many pointers in one pass over a JSON text gives the positions the loader's own
one-at-a-time lookup gives."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contractkit.contract._source import SourceDocument, join_pointer
from contractkit.diff.lines import json_positions

keys = st.text(alphabet="ab/~é\"x", min_size=1, max_size=4)
documents = st.recursive(
    st.one_of(st.integers(), st.text(alphabet="aé\n\"\\", max_size=5), st.none()),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(keys, children, max_size=4)),
    max_leaves=25)


def pointers(value: Any, pointer: str = "") -> list[str]:
    found = [pointer]
    if isinstance(value, dict):
        for key, child in value.items():
            found += pointers(child, join_pointer(pointer, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += pointers(child, join_pointer(pointer, index))
    return found


@settings(max_examples=40, deadline=None)
@given(document=documents, indent=st.sampled_from([None, 2]), data=st.data())
def test_positions_match_the_loaders_lookup(document: Any, indent: int | None,
                                            data: st.DataObject) -> None:
    raw = json.dumps(document, indent=indent, ensure_ascii=False).encode()
    wanted = data.draw(st.lists(st.sampled_from(pointers(document)), max_size=6))
    wanted += ["/no/such/place"]
    source = SourceDocument("doc.json", "file:///doc.json", raw, document, "json")
    found = json_positions(raw, wanted)
    for pointer in wanted:
        expected = source.location(pointer)
        assert found[pointer] == (expected.line, expected.column), pointer
