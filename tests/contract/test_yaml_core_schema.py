"""YAML contracts are read with YAML 1.2's core schema (OpenAPI 3.1 says YAML 1.2): the
number openai's spec writes as ``-9.223372036854776e18`` is a number, not a string that
crashed validation (issue 12, item 3)."""

from __future__ import annotations

from pathlib import Path

import httpx

import contractkit
from contractkit.contract._source import ReadLimits, parse_yaml
from contractkit.contract.checks import validate_files
from contractkit.server.runner import MockServer


def test_plain_scalars_resolve_as_yaml_1_2_core() -> None:
    text = ("a: -9.223372036854776e18\nb: 1e3\nc: yes\nd: 017\ne: 1:20\nf: 0o17\n"
            "g: 0x1F\nh: on\ni: True\nj: ~\nk: 2024-01-01\nl: .5\nm: 1_000\nn: +3\n")
    assert parse_yaml(text, ReadLimits(), "t.yaml") == {
        "a": -9.223372036854776e18, "b": 1000.0, "c": "yes", "d": 17, "e": "1:20", "f": 15,
        "g": 31, "h": "on", "i": True, "j": None, "k": "2024-01-01", "l": 0.5,
        "m": "1_000", "n": 3}


CONTRACT = """\
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /items:
    get:
      parameters:
        - name: after
          in: query
          schema: {type: integer, minimum: -9.223372036854776e18, maximum: 9.223372036854776e18}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {flag: {type: string, enum: [yes, no]}}}
"""


def test_a_bound_in_exponent_notation_validates_requests(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(CONTRACT)
    contract = contractkit.load(path)
    with MockServer(contract, port=0) as server:
        assert httpx.get(f"{server.url}/items", params={"after": "12"}).status_code == 200
        answer = httpx.get(f"{server.url}/items", params={"after": "-1e19"})
        assert answer.status_code == 400, answer.text
        flagged = httpx.get(f"{server.url}/items", headers={"Prefer": "dynamic=true"})
        assert flagged.json().get("flag", "yes") in ("yes", "no")


def test_validate_flags_a_string_where_json_schema_wants_a_number(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_text('{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": '
                    '{"/items": {"get": {"parameters": [{"name": "after", "in": "query", '
                    '"schema": {"type": "integer", "minimum": "-9e18"}}], '
                    '"responses": {"200": {"description": "ok"}}}}}}')
    [problem] = validate_files([path]).files[0].problems
    assert problem.code == "schema-invalid"
    assert problem.location.pointer == "/paths/~1items/get/parameters/0/schema"
    assert "at /minimum: '-9e18' is not of type 'number'" in problem.message
    with MockServer(contractkit.load(path), port=0) as server:  # ignored, never a 500
        assert httpx.get(f"{server.url}/items", params={"after": "12"}).status_code == 200
