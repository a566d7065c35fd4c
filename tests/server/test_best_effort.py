"""A response schema no value satisfies is answered with the closest value and a
``Contractkit-Warning`` header, never a 500; `validate` lists such responses (issue 12,
item 9)."""

from __future__ import annotations

from pathlib import Path

import httpx

import contractkit
from contractkit.contract.checks import validate_files
from contractkit.server.runner import MockServer

UNSATISFIABLE = """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /u:
    get:
      operationId: unsat
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [handle, pet, count]
                properties:
                  handle: {type: string, pattern: '/^[a-z0-9._]+$/'}
                  pet:
                    oneOf:
                      - {type: object, properties: {name: {type: string}}}
                      - {type: object, properties: {tag: {type: string}}}
                  count: {type: integer, minimum: 1}
"""


def test_the_closest_value_is_served_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(UNSATISFIABLE)
    with MockServer(contractkit.load(path), port=0) as server:
        answer = httpx.get(f"{server.url}/u")
        assert answer.status_code == 200
        body = answer.json()
        # the parts that can follow the rules do; the JavaScript-delimited pattern is
        # matched by its inside
        assert body["count"] >= 1
        assert set(body["handle"]) <= set("abcdefghijklmnopqrstuvwxyz0123456789._")
        assert isinstance(body["pet"], dict)
        warning = answer.headers["Contractkit-Warning"]
        assert warning.startswith("unsat 200: the body does not match its schema")
        assert "/properties/pet/oneOf" in warning
        assert "/properties/handle/pattern" in warning
        [entry] = server.journal.entries()
        assert entry.response_headers["Contractkit-Warning"] == warning


def test_validate_lists_each_response_that_cannot_be_generated(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(UNSATISFIABLE)
    [problem] = [p for p in validate_files([path]).files[0].problems
                 if p.code == "response-ungenerable"]
    assert problem.severity == "warning"
    assert problem.location.line == 13
    assert problem.message.startswith("no valid 200 body for unsat can be generated: ")
