"""Lines of JSON pointers: found one by one and in one batch, they agree with the file."""

from __future__ import annotations

import json
from pathlib import Path

from contractkit.contract._source import ReadLimits, read_document
from contractkit.contract.checks import validate_files

TEXT = """\ufeff{
  "a": {"x/y": [10,
     {"é": "\\u00e9\\"}",   "b~c": null}],
        "n": 1},
  "big": [[1, 2], {"k": [true, false]}, "s"],
  "z": {}
}
"""

POINTERS = ["", "/a", "/a/x~1y", "/a/x~1y/0", "/a/x~1y/1", "/a/x~1y/1/\u00e9", "/a/x~1y/1/b~0c",
            "/a/n", "/big/1/k/1", "/big/2", "/z", "/a/missing/deeper", "/big/9", "/z/q"]


def expected(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    before = text[:offset]
    return before.count("\n") + 1, offset - before.rfind("\n")


def test_batch_and_single_lookups_agree_and_point_at_the_value(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(TEXT, encoding="utf-8")
    json.loads(TEXT.lstrip("\ufeff"))  # the fixture is valid JSON
    single = read_document(path, ReadLimits(), display="c.json")
    one_by_one = [single.location(pointer) for pointer in POINTERS]
    batch = read_document(path, ReadLimits(), display="c.json").locations(POINTERS)
    assert batch == one_by_one
    found = {location.pointer: (location.line, location.column) for location in batch}
    text = TEXT
    assert found["/a/x~1y/1/\u00e9"] == expected(text, '"\\u00e9')
    assert found["/a/x~1y/1/b~0c"] == expected(text, "null")
    assert found["/a/x~1y/0"] == expected(text, "10")
    assert found["/big/1/k/1"] == expected(text, "false")
    assert found["/big/2"] == expected(text, '"s"')
    assert found["/a/n"] == expected(text, "1}")
    # a pointer past the file names its deepest existing ancestor's line
    assert found["/a/missing/deeper"] == expected(text, "{", 1)
    assert found["/z/q"] == expected(text, "{}")


YAML = """\
a:
  x/y:
    - 10
    - {é: 1, b~c: null}
  n: &anchor
    deep: 1
big: [[1, 2], {k: [true, false]}, s]
alias: *anchor
z: {}
"""


def test_yaml_batch_lookups_agree_with_the_composed_document(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(YAML, encoding="utf-8")
    pointers = [*POINTERS, "/a/n/deep", "/big/1"]
    single = read_document(path, ReadLimits(), display="c.yaml")
    one_by_one = [single.location(pointer) for pointer in pointers]
    batch = read_document(path, ReadLimits(), display="c.yaml").locations(pointers)
    assert batch == one_by_one
    assert {location.pointer: location.line for location in batch}["/big/1/k/1"] == 7


def test_example_warnings_name_the_line_of_the_wrong_value(tmp_path: Path) -> None:
    contract = {
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/p": {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"type": "object", "properties": {
                "n": {"type": "integer"}, "s": {"type": "string"}}},
                "examples": {"one": {"value": {"n": "one", "s": 1}}}}}}}}}},
    }
    path = tmp_path / "c.json"
    text = json.dumps(contract, indent=2)
    path.write_text(text, encoding="utf-8")
    report = validate_files([path])
    warnings = {problem.location.pointer: problem.location.line
                for problem in report.files[0].problems if problem.code == "example-invalid"}
    lines = text.splitlines()
    assert set(warnings) == {"/paths/~1p/get/responses/200/content/application~1json/examples"
                             "/one/value/n",
                             "/paths/~1p/get/responses/200/content/application~1json/examples"
                             "/one/value/s"}
    for pointer, line in warnings.items():
        key = pointer.rsplit("/", 1)[1]
        assert lines[line - 1].strip().startswith(f'"{key}":'), (pointer, lines[line - 1])
