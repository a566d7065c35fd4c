"""Nested form fields and queries in bracket notation, as Stripe's and Stainless-generated
SDKs send them (issue 12, item 4): ``metadata[key]=v`` for `encoding: deepObject`,
``line_items[0][price]=p``, ``expand[]=customer`` / ``expand[0]=customer``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import contractkit
from contractkit.server.runner import MockServer

CONTRACT = """\
openapi: 3.0.0
info: {title: pay, version: "1"}
paths:
  /v1/sessions:
    post:
      operationId: createSession
      parameters:
        - name: expand
          in: query
          style: deepObject
          explode: true
          schema: {type: array, items: {type: string, maxLength: 20}}
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            encoding:
              metadata: {style: deepObject, explode: true}
              line_items: {style: deepObject, explode: true}
            schema:
              type: object
              required: [mode, line_items]
              additionalProperties: false
              properties:
                mode: {type: string, enum: [payment, subscription]}
                metadata: {type: object, additionalProperties: {type: string}}
                line_items:
                  type: array
                  items:
                    type: object
                    required: [price]
                    additionalProperties: false
                    properties:
                      price: {type: string}
                      quantity: {type: integer, minimum: 1}
                      adjustable: {type: object, properties: {enabled: {type: boolean}}}
          multipart/form-data:
            schema:
              type: object
              properties:
                include: {type: array, items: {type: string}}
                expires_after:
                  type: object
                  required: [anchor]
                  properties: {anchor: {type: string}, seconds: {type: integer}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {id: {type: string}}}
              example: {id: cs_1}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    path: Path = tmp_path_factory.mktemp("c") / "api.yaml"
    path.write_text(CONTRACT)
    with MockServer(contractkit.load(path)) as running:
        yield running


def test_nested_form_fields_in_brackets_validate(server: MockServer) -> None:
    form = {"mode": "payment", "metadata[order]": "42", "metadata[note]": "x",
            "line_items[0][price]": "price_1", "line_items[0][quantity]": "2",
            "line_items[0][adjustable][enabled]": "true", "line_items[1][price]": "price_2"}
    answer = httpx.post(f"{server.root_url}/v1/sessions", data=form,
                        params={"expand[]": "customer"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"id": "cs_1"}


def violations(answer: httpx.Response) -> set[tuple[str, str]]:
    return {(v["pointer"], v["message"]) for v in answer.json()["violations"]}


@pytest.mark.parametrize(("form", "violation"), [
    ({"mode": "payment", "line_items[0][quantity]": "2"},
     ("/line_items/0", '"price" is a required property')),
    ({"mode": "payment", "line_items[0][price]": "p", "line_items[0][quantity]": "0"},
     ("/line_items/0/quantity", "0 is less than the minimum of 1")),
    ({"mode": "payment", "line_items[0][price]": "p", "metadata[n][deep]": "x"},
     ("/metadata/n", '{"deep":"x"} is not of type "string"')),
])
def test_nested_fields_are_checked_where_they_belong(
        server: MockServer, form: dict[str, str], violation: tuple[str, str]) -> None:
    answer = httpx.post(f"{server.root_url}/v1/sessions", data=form)
    assert answer.status_code == 422, answer.text
    assert violations(answer) == {violation}


@pytest.mark.parametrize("query", [[("expand[]", "customer"), ("expand[]", "invoice")],
                                   [("expand[0]", "customer"), ("expand[1]", "invoice")]])
def test_bracketed_query_arrays(server: MockServer, query: list[tuple[str, str]]) -> None:
    form = {"mode": "payment", "line_items[0][price]": "p"}
    answer = httpx.post(f"{server.root_url}/v1/sessions", data=form, params=query)
    assert answer.status_code == 200, answer.text
    too_long = httpx.post(f"{server.root_url}/v1/sessions", data=form,
                          params=[("expand[0]", "x" * 30)])
    assert too_long.status_code == 400, too_long.text
    assert "is longer than 20 characters" in too_long.text


def test_stainless_multipart_brackets_where_the_contract_is_silent(server: MockServer) -> None:
    files = {"include[]": (None, "a"), "expires_after[anchor]": (None, "created_at"),
             "expires_after[seconds]": (None, "3600")}
    answer = httpx.post(f"{server.root_url}/v1/sessions", files=files)
    assert answer.status_code == 200, answer.text
    bad = httpx.post(f"{server.root_url}/v1/sessions",
                     files={"expires_after[seconds]": (None, "soon")})
    assert bad.status_code == 422
    assert violations(bad) == {("/expires_after", '"anchor" is a required property'),
                               ("/expires_after/seconds", '"soon" is not of type "integer"')}
