"""An invalid request is answered with the contract's own error response, and the
violations go in its human-readable fields where the schema allows (issue 12, item 8:
the SDK showed `APIError: br`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import contractkit
from contractkit.server.runner import MockServer

CONTRACT = """\
openapi: 3.1.0
info: {title: llm, version: "1"}
paths:
  /v1/embeddings:
    post:
      operationId: createEmbedding
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [model, input]
              properties: {model: {type: string}, input: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {object: {const: list}}}
        "400":
          description: bad request
          content:
            application/json:
              schema:
                type: object
                required: [error]
                properties:
                  error:
                    type: object
                    required: [message, type, code]
                    properties:
                      message: {type: string}
                      type: {type: string}
                      code: {type: string, enum: [invalid_request, missing_field]}
  /v1/legacy:
    post:
      operationId: legacy
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [a], properties: {a: {type: integer}}}
      responses:
        "200": {description: ok}
        "422":
          description: invalid
          content:
            application/json:
              schema:
                type: object
                required: [detail]
                properties:
                  detail: {type: string, maxLength: 10}
                  title: {type: string}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    path: Path = tmp_path_factory.mktemp("c") / "api.yaml"
    path.write_text(CONTRACT)
    with MockServer(contractkit.load(path)) as running:
        yield running


def test_the_violation_is_the_error_message_an_sdk_shows(server: MockServer) -> None:
    answer = httpx.post(f"{server.url}/v1/embeddings", json={"model": "m"})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["message"] == ("the request does not match createEmbedding: body: "
                                "\"input\" is a required property")
    assert error["code"] in ("invalid_request", "missing_field")  # an enum stays valid
    assert answer.headers["Contractkit-Violations"] == 'body: "input" is a required property'


def test_fields_the_schema_would_refuse_keep_their_generated_text(server: MockServer) -> None:
    answer = httpx.post(f"{server.url}/v1/legacy", json={"a": "x"})
    assert answer.status_code == 422
    body = answer.json()
    assert 0 < len(body["detail"]) <= 10  # maxLength 10: the message does not fit there
    assert "does not match" not in body["detail"]
    assert answer.headers["Contractkit-Violations"] == 'body/a: "x" is not of type "integer"'
