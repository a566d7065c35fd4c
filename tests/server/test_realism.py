"""Answers a consumer suite can rely on (issue 12, item 6): the path's id reflected into
the resource, and generated arrays with at least one item where the schema allows."""

from __future__ import annotations

from pathlib import Path

import httpx

import contractkit
from contractkit.server.runner import MockServer

CONTRACT = """\
openapi: 3.0.0
info: {title: billing, version: "1"}
paths:
  /v1/customers/{customer}:
    get:
      operationId: getCustomer
      parameters: [{name: customer, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id, object]
                properties:
                  id: {type: string}
                  object: {type: string, enum: [customer]}
              example: {id: cus_example, object: customer}
  /v1/accounts/{account}/cards/{card}:
    get:
      operationId: getCard
      parameters:
        - {name: account, in: path, required: true, schema: {type: string}}
        - {name: card, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id, account]
                properties:
                  id: {type: string, pattern: "^card_"}
                  account: {type: string}
  /v1/embeddings:
    get:
      operationId: embeddings
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [data]
                properties:
                  data: {type: array, items: {type: object, required: [index],
                                                properties: {index: {type: integer}}}}
"""


def test_the_path_id_is_reflected_where_the_schema_allows(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(CONTRACT)
    with MockServer(contractkit.load(path)) as server:
        customer = httpx.get(f"{server.root_url}/v1/customers/cus_123").json()
        assert customer == {"id": "cus_123", "object": "customer"}
        card = httpx.get(f"{server.root_url}/v1/accounts/acct_9/cards/card_7").json()
        assert card["account"] == "acct_9"
        assert card["id"] == "card_7"
        # an id the schema refuses (pattern ^card_) is not reflected
        other = httpx.get(f"{server.root_url}/v1/accounts/acct_9/cards/x_1").json()
        assert other["id"].startswith("card_")
    with MockServer(contractkit.load(path), reflect_path_params=False) as server:
        assert httpx.get(f"{server.root_url}/v1/customers/cus_123").json()["id"] == (
            "cus_example")


def test_generated_arrays_have_an_item(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(CONTRACT)
    with MockServer(contractkit.load(path)) as server:
        for seed in range(20):
            answer = httpx.get(f"{server.root_url}/v1/embeddings",
                               headers={"Prefer": f"dynamic=true, seed={seed}"})
            assert answer.json()["data"], answer.text
