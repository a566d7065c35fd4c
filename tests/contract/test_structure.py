"""A misshapen skeleton (`paths: 5`, `info: "x"`, `parameters: 5`) is a located load error,
never a traceback or "ok"; an uncompilable `pattern` is a validate warning and the mock
still answers (issue 11, item 13)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

import contractkit
from contractkit import ContractLoadError
from contractkit.contract.checks import validate_files
from contractkit.server.runner import MockServer

SWAGGER = {"swagger": "2.0", "info": {"title": "t", "version": "1"},
           "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}
OPENAPI = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
           "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}


def _error(tmp_path: Path, document: dict[str, object]) -> ContractLoadError:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(document, indent=1))
    with pytest.raises(ContractLoadError) as caught:
        contractkit.load(path)
    assert "\n" not in str(caught.value)
    return caught.value


@pytest.mark.parametrize(("document", "pointer", "message"), [
    ({**SWAGGER, "paths": 5}, "/paths", "'paths' must be an object, not an integer"),
    ({**SWAGGER, "paths": {"/a": {"get": {"parameters": 5, "responses": {}}}}},
     "/paths/~1a/get/parameters", "'parameters' must be an array, not an integer"),
    ({**SWAGGER, "parameters": 5}, "/parameters", "'parameters' must be an object"),
    ({**SWAGGER, "definitions": {"A": "x"}}, "/definitions/A", "schema 'A' must be an object"),
    ({**OPENAPI, "paths": 5}, "/paths", "'paths' must be an object, not an integer"),
    ({**OPENAPI, "info": "x"}, "/info", "'info' must be an object, not a string"),
    ({**OPENAPI, "paths": {"/a": {"get": {"responses": []}}}}, "/paths/~1a/get/responses",
     "'responses' must be an object, not an array"),
    ({**OPENAPI, "paths": {"/a": {"get": {"responses": {"200": {
        "description": "ok", "content": {"application/json": 3}}}}}}},
     "/paths/~1a/get/responses/200/content/application~1json", "media type"),
    ({**OPENAPI, "components": {"schemas": {"A": 1}}}, "/components/schemas/A",
     "schema 'A' must be an object"),
])
def test_misshapen_documents_are_located_errors(
        tmp_path: Path, document: dict[str, object], pointer: str, message: str) -> None:
    error = _error(tmp_path, document)
    assert error.location is not None
    assert error.location.pointer == pointer
    assert error.location.line is not None
    assert message in error.message


def test_validate_lists_every_misshapen_node_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text('openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths:\n'
                    '  /a:\n    get:\n      parameters: 5\n      responses: []\n'
                    '  /b: 7\n')
    report = validate_files([path])
    found = [(p.location.line, p.location.pointer, p.severity)
             for p in report.files[0].problems]
    assert found == [(6, "/paths/~1a/get/parameters", "error"),
                     (7, "/paths/~1a/get/responses", "error"),
                     (8, "/paths/~1b", "error")]


def test_empty_yaml_keys_count_as_absent_as_other_tools_read_them(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text('openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths:\n'
                    '  /a:\n    get:\n      responses:\n')
    assert len(contractkit.load(path).operations) == 1


PATTERNS = """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      parameters:
        - {name: q, in: query, schema: {type: string, pattern: "([a-z"}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [s]
                properties:
                  s: {type: string, pattern: "(x"}
                  pattern: {type: string, pattern: "^\\\\p{L}+$"}
              example: {s: "any", pattern: "x"}
"""


def test_uncompilable_patterns_are_warnings_and_the_mock_still_answers(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(PATTERNS)
    report = validate_files([path])
    assert report.ok
    warnings = {(p.location.line, p.location.pointer): p.message
                for p in report.files[0].problems if p.code == "pattern-invalid"}
    assert set(warnings) == {
        (7, "/paths/~1a/get/parameters/0/schema/pattern"),
        (17, "/paths/~1a/get/responses/200/content/application~1json/schema/properties/s"
             "/pattern")}
    assert "'(x' is not a regular expression" in " ".join(warnings.values())
    contract = contractkit.load(path)
    with MockServer(contract, port=0) as server, httpx.Client(base_url=server.url) as client:
        generated = client.get("/a", params={"q": "abc"}, headers={"Prefer": "dynamic=true"})
        assert generated.status_code == 200, generated.text
        assert isinstance(generated.json()["s"], str)
        assert generated.json()["s"] != "any"  # generated, not the example
