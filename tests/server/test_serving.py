"""The mock over real sockets: routing, validation, Prefer, negotiation, headers."""

from __future__ import annotations

import httpx
import pytest
import requests

import contractkit
from contractkit import HttpResponse
from contractkit.server.runner import MockServer


def conforms(contract: contractkit.Contract, operation_id: str, response: httpx.Response) -> list[
        str]:
    """Violations of the contract in a response (the mock must never serve one)."""
    answer = HttpResponse.build(response.status_code, headers=response.headers.items(),
                                body=response.content)
    return [str(v) for v in contract.validator(operation_id).validate_response(answer)]


def test_serves_at_the_contract_base_path(shop: MockServer) -> None:
    assert shop.url.endswith("/api")
    response = httpx.get(shop.url + "/items")
    assert response.status_code == 200
    assert isinstance(response.json(), list)
    assert response.headers["x-request-id"]


def test_generated_bodies_conform_and_repeat_for_a_seed(
        shop: MockServer, shop_contract: contractkit.Contract) -> None:
    first = httpx.get(shop.url + "/items/5")
    assert first.status_code == 200
    assert conforms(shop_contract, "getItem", first) == []
    assert httpx.get(shop.url + "/items/5").json() == first.json()
    with MockServer(shop_contract, seed=3) as again:
        assert httpx.get(again.url + "/items/5").json() == first.json()


def test_literal_segment_beats_template(shop: MockServer) -> None:
    response = httpx.get(shop.url + "/items/mine")
    assert response.status_code == 200
    [entry] = shop.journal.entries()
    assert entry.operation_id == "myItems"


def test_unknown_path_lists_the_nearest_operations(shop: MockServer) -> None:
    response = httpx.get(shop.url + "/itemz/5")
    assert response.status_code == 404
    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert "GET /api/items/{itemId}" in body["nearest"]


def test_wrong_method_is_405_with_allow(shop: MockServer) -> None:
    response = httpx.put(shop.url + "/items/5")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET"


def test_head_and_options(shop: MockServer) -> None:
    head = httpx.head(shop.url + "/items/5")
    assert head.status_code == 200
    assert head.content == b""
    assert int(head.headers["content-length"]) > 0
    options = httpx.options(shop.url + "/items/5")
    assert options.status_code == 204
    assert options.headers["allow"] == "DELETE, GET, OPTIONS"


def test_cors_preflight_and_headers(shop: MockServer) -> None:
    preflight = httpx.options(shop.url + "/items", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,idempotency-key"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://app.example"
    assert preflight.headers["access-control-allow-headers"] == "content-type,idempotency-key"
    simple = httpx.get(shop.url + "/items", headers={"Origin": "https://app.example"})
    assert simple.headers["access-control-allow-origin"] == "https://app.example"


def test_invalid_parameter_gets_problem_json_with_violations(shop: MockServer) -> None:
    response = requests.get(shop.url + "/items", params={"limit": "99"}, timeout=10)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["violations"] == [
        {"location": "query", "pointer": "/limit",
         "message": "99 is greater than the maximum of 10"}]
    [entry] = shop.journal.entries()
    assert entry.outcome == "invalid"
    assert [str(v) for v in entry.violations] == ["query/limit: 99 is greater than the maximum "
                                                  "of 10"]


def test_invalid_body_gets_the_contracts_own_422(shop: MockServer) -> None:
    response = httpx.post(shop.url + "/items", json={"name": "", "price": 1},
                          headers={"Authorization": "Bearer t", "Idempotency-Key": "k1"})
    assert response.status_code == 422
    assert response.json() == {"code": "invalid_item"}
    assert response.headers["contractkit-violations"] == (
        'body/name: "" is shorter than 1 character')


def test_missing_credentials_get_401(shop: MockServer) -> None:
    response = httpx.post(shop.url + "/items", json={"name": "a", "price": 1},
                          headers={"Idempotency-Key": "k1"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "missing credentials" in response.json()["detail"]


def test_wrong_content_type_gets_415(shop: MockServer) -> None:
    response = httpx.post(shop.url + "/items", content=b"name=a",
                          headers={"Content-Type": "application/x-www-form-urlencoded",
                                   "X-Shop-Key": "k", "Idempotency-Key": "k1"})
    assert response.status_code == 415


def test_valid_post_serves_the_first_valid_example(
        shop: MockServer, shop_contract: contractkit.Contract) -> None:
    response = httpx.post(shop.url + "/items", json={"name": "hat", "price": 12.5},
                          headers={"X-Shop-Key": "secret-key", "Idempotency-Key": "k1"})
    assert response.status_code == 201
    assert response.json() == {"id": 7, "name": "hat", "price": 12.5}
    assert conforms(shop_contract, "createItem", response) == []


@pytest.mark.parametrize("via", ["header", "query"])
def test_prefer_code_and_example(shop: MockServer, via: str) -> None:
    if via == "header":
        response = httpx.get(shop.url + "/items/5", headers={"Prefer": "code=404"})
    else:
        response = httpx.get(shop.url + "/items/5", params={"__code": "404"})
    assert response.status_code == 404
    assert "code" in response.json()
    named = httpx.post(shop.url + "/items", json={"name": "a", "price": 1},
                       headers={"X-Shop-Key": "k", "Idempotency-Key": "k1",
                                "Prefer": "example=hat"})
    assert named.json()["name"] == "hat"


def test_prefer_an_undeclared_code_or_unknown_example(shop: MockServer) -> None:
    response = httpx.get(shop.url + "/items/5", headers={"Prefer": "code=418"})
    assert response.status_code == 500
    assert "declares no response for status 418" in response.json()["detail"]
    missing = httpx.post(shop.url + "/items", json={"name": "a", "price": 1},
                         headers={"X-Shop-Key": "k", "Idempotency-Key": "k1",
                                  "Prefer": "example=nope"})
    assert missing.status_code == 404
    assert "available: hat, broken" in missing.json()["detail"]


def test_prefer_dynamic_and_seed(shop: MockServer, shop_contract: contractkit.Contract) -> None:
    seeded = [httpx.get(shop.url + "/items", headers={"Prefer": "dynamic=true, seed=11"}).json()
              for _ in range(2)]
    assert seeded[0] == seeded[1]
    dynamic = [httpx.get(shop.url + "/items", headers={"Prefer": "dynamic=true"})
               for _ in range(6)]
    for response in dynamic:
        assert conforms(shop_contract, "listItems", response) == []
    assert len({r.content for r in dynamic}) > 1


def test_prefer_validate_off_skips_validation(shop: MockServer) -> None:
    response = httpx.get(shop.url + "/items", params={"limit": "99"},
                         headers={"Prefer": "validate=off"})
    assert response.status_code == 200


def test_accept_negotiation(shop: MockServer) -> None:
    csv = httpx.get(shop.url + "/items/5", headers={"Accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text == "id,name\n1,hat"
    preferred = httpx.get(shop.url + "/items/5",
                          headers={"Accept": "text/csv;q=0.5, application/json"})
    assert preferred.headers["content-type"].startswith("application/json")
    refused = httpx.get(shop.url + "/items/5", headers={"Accept": "application/xml"})
    assert refused.status_code == 406
    assert refused.json()["available"] == ["application/json", "text/csv"]
    # staging-ecotaco: an Accept that holds no media range asks for nothing in particular
    for garbage in ("*b", "P=I+:!$|m", "{{ j3jPXkV"):
        served = httpx.get(shop.url + "/items/5", headers={"Accept": garbage})
        assert served.status_code == 200, garbage
        assert served.headers["content-type"].startswith("application/json")


def test_declared_response_headers_are_filled(shop: MockServer) -> None:
    response = httpx.get(shop.url + "/items")
    assert int(response.headers["x-total-count"]) >= 0
    limited = httpx.post(shop.url + "/items", json={"name": "a", "price": 1},
                         headers={"X-Shop-Key": "k", "Idempotency-Key": "k1",
                                  "Prefer": "code=429"})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1


def test_deprecated_operation_says_so(shop: MockServer) -> None:
    response = httpx.delete(shop.url + "/items/5")
    assert response.status_code == 204
    assert response.headers["deprecation"] == "true"


def test_validate_warn_serves_and_records(shop_contract: contractkit.Contract) -> None:
    with MockServer(shop_contract, validate="warn") as server:
        response = httpx.get(server.url + "/items", params={"limit": "99"})
        assert response.status_code == 200
        [entry] = server.journal.entries()
        assert entry.violations


def test_encoded_slash_stays_inside_a_path_parameter(shop: MockServer) -> None:
    response = httpx.get(shop.url + "/items/mine%2Fextra")
    assert response.status_code == 400  # routed to getItem; "mine/extra" is not an integer
    [entry] = shop.journal.entries()
    assert entry.operation_id == "getItem"
    assert [str(v) for v in entry.violations] == ['path/itemId: "mine/extra" is not of type '
                                                  '"integer"']


def test_control_characters_in_a_path_reach_the_router(shop: MockServer) -> None:
    response = httpx.get(shop.url + "/items/%0A%F3%AB%8E%9C")
    assert response.status_code == 400  # getItem, with an invalid itemId; not aiohttp's 404
    assert response.headers["content-type"] == "application/problem+json"


def test_violation_header_escapes_control_characters(shop: MockServer) -> None:
    name = "a\x00b\nc" + "x" * 50  # too long: the message echoes the value
    response = httpx.post(shop.url + "/items", json={"name": name, "price": 1},
                          headers={"X-Shop-Key": "k", "Idempotency-Key": "k1"})
    assert response.status_code == 422
    header = response.headers["contractkit-violations"]
    assert header.isprintable()
    assert "\\u0000" in header
    assert not shop.app.errors


def test_invalid_request_gets_the_declared_default_response() -> None:
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/n": {"get": {
            "operationId": "n",
            "parameters": [{"name": "q", "in": "query", "required": True,
                            "schema": {"type": "integer"}}],
            "responses": {
                "200": {"description": "ok"},
                "default": {"description": "error", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["code"],
                               "properties": {"code": {"type": "string"}}},
                    "example": {"code": "bad"}}}}}}}},
    })
    with MockServer(contract) as server:
        response = httpx.get(server.url + "/n", params={"q": "x"})
    assert response.status_code == 400
    assert response.json() == {"code": "bad"}
    assert response.headers["content-type"] == "application/json"


def test_a_declared_media_range_is_served_as_the_member_asked_for() -> None:
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/logo": {"get": {"responses": {"200": {"description": "ok", "content": {
            "image/*": {"schema": {"type": "string", "format": "binary"}}}}}}}}})
    with MockServer(contract) as server:
        asked = httpx.get(f"{server.url}/logo", headers={"Accept": "image/webp, image/*;q=0.5"})
        anything = httpx.get(f"{server.url}/logo")
        refused = httpx.get(f"{server.url}/logo", headers={"Accept": "text/html"})
    assert (asked.status_code, asked.headers["content-type"]) == (200, "image/webp")
    assert (anything.status_code, anything.headers["content-type"]) == (200, "image/png")
    assert refused.status_code == 406
