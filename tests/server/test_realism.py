"""Answers a consumer suite can rely on (issue 12, item 6): the path's id reflected into
the resource, and generated arrays with at least one item where the schema allows."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

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


def test_reflected_answers_are_cached_per_url_and_bounded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from contractkit.server import responses
    monkeypatch.setattr(responses, "MAX_CACHED_REFLECTIONS", 4)
    path = tmp_path / "api.yaml"
    path.write_text(CONTRACT)
    with MockServer(contractkit.load(path)) as server, httpx.Client() as client:
        # each URL reflects its own id, the second time from the cache as the first
        for round_ in range(2):
            for n in range(10):
                customer = client.get(f"{server.root_url}/v1/customers/cus_{n}").json()
                assert customer == {"id": f"cus_{n}", "object": "customer"}, round_
            # the schema-refused id is still not reflected when the answer is cached
            other = client.get(f"{server.root_url}/v1/accounts/a/cards/x_1").json()
            assert other["id"].startswith("card_")
            assert other["account"] == "a"
        cached = [len(mount.responder._reflections) for mount in server.app.mounts]
        assert cached == [4]


def test_generated_arrays_have_an_item(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(CONTRACT)
    with MockServer(contractkit.load(path)) as server:
        for seed in range(20):
            answer = httpx.get(f"{server.root_url}/v1/embeddings",
                               headers={"Prefer": f"dynamic=true, seed={seed}"})
            assert answer.json()["data"], answer.text


OPTIONALS = """\
openapi: 3.0.0
info: {title: shop, version: "1"}
paths:
  /orders:
    get:
      operationId: listOrders
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [data]
                properties:
                  data: {type: array, minItems: 3, maxItems: 3,
                         items: {$ref: "#/components/schemas/Order"}}
                  total_count: {type: integer}
                  url: {type: string}
components:
  schemas:
    Order:
      type: object
      required: [id]
      properties:
        id: {type: string}
        metadata: {type: object, additionalProperties: {type: string}}
        note: {type: string}
        customer: {$ref: "#/components/schemas/Customer"}
    Customer:
      type: object
      required: [id]
      properties:
        id: {type: string}
        a: {type: string}
        b: {type: string}
        c: {type: string}
        d: {type: string}
        e: {type: string}
        f: {type: string}
"""


def test_generated_bodies_carry_the_optional_properties_of_their_top_levels(
        tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(OPTIONALS)
    everything = {"a", "b", "c", "d", "e", "f", "id"}
    answers = {}
    for optionals in ("top", "some", "all"):
        with MockServer(contractkit.load(path), optionals=optionals) as server:  # type: ignore[arg-type]
            answers[optionals] = [httpx.get(f"{server.url}/orders", headers={
                "Prefer": f"dynamic=true, seed={seed}"}).json() for seed in range(5)]
    for body in answers["top"]:
        # the list and each of its items: every optional property
        assert {"total_count", "url"} <= set(body)
        for order in body["data"]:
            assert {"id", "metadata", "note", "customer"} <= set(order)
    # below those two levels, and everywhere with `some`, each with a 60% chance
    customers = [set(order["customer"]) for body in answers["top"] for order in body["data"]]
    assert any(customer != everything for customer in customers)
    orders = [set(order) for body in answers["some"] for order in body["data"]]
    assert any(order != {"id", "metadata", "note", "customer"} for order in orders)
    for body in answers["all"]:
        for order in body["data"]:
            assert set(order["customer"]) == everything


LINKS = """\
openapi: 3.0.0
info: {title: fees, version: "1"}
paths:
  /v1/fees/{fee}:
    get:
      operationId: getFee
      parameters: [{name: fee, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id, url, refunds]
                properties:
                  id: {type: string}
                  url: {type: string}
                  homepage: {type: string, format: uri}
                  refunds:
                    type: object
                    required: [object, url, data, has_more]
                    properties:
                      object: {type: string, enum: [list]}
                      url: {type: string}
                      has_more: {type: boolean}
                      data:
                        type: array
                        minItems: 1
                        items:
                          type: object
                          required: [id, url]
                          properties:
                            id: {type: string}
                            url: {type: string}
  /v1/notes:
    get:
      operationId: getNotes
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [url, links]
                properties:
                  url: {type: string, pattern: "^https://"}
                  links: {type: object, required: [href], properties: {href: {type: string}}}
              example: {url: "https://example.com/notes", links: {href: "/elsewhere"}}
"""


def test_generated_links_are_paths_of_the_api_that_answered(tmp_path: Path) -> None:
    path = tmp_path / "fees.yaml"
    path.write_text(LINKS)
    with MockServer(contractkit.load(path)) as server:
        fee = httpx.get(f"{server.root_url}/v1/fees/fee_123").json()
        assert fee["url"] == "/v1/fees/fee_123"
        assert fee["refunds"]["url"] == "/v1/fees/fee_123/refunds"
        refund = fee["refunds"]["data"][0]
        assert refund["url"] == f"/v1/fees/fee_123/refunds/{refund['id']}"
        # a URL the example gives, or one the schema's pattern would refuse, stays
        notes = httpx.get(f"{server.root_url}/v1/notes").json()
        assert notes == {"url": "https://example.com/notes", "links": {"href": "/elsewhere"}}
    with MockServer(contractkit.load(path), reflect_path_params=False) as server:
        assert not httpx.get(f"{server.root_url}/v1/fees/fee_123").json()["url"].startswith("/")
