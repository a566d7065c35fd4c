"""Events from the contract: 3.1 ``webhooks``, ``x-webhooks``, ``callbacks`` with runtime
expressions; payloads from examples or generated, valid against the contract."""

from __future__ import annotations

from typing import Any

import pytest
from tests.conftest import CONTRACTS, corpus_dir

from contractkit.contract.loader import load
from contractkit.errors import WebhookError
from contractkit.webhooks.delivery import Ids, plan
from contractkit.webhooks.events import callbacks_of, events, find_event
from contractkit.webhooks.expressions import Exchange, Side, resolve
from contractkit.webhooks.payloads import is_valid, payload_for

CALLBACKS: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "subscriptions", "version": "1"},
    "paths": {"/subscribe": {"post": {
        "operationId": "subscribe",
        "requestBody": {"content": {"application/json": {"schema": {
            "type": "object", "required": ["callbackUrl"],
            "properties": {"callbackUrl": {"type": "string"}}}}}},
        "responses": {"201": {"description": "ok", "content": {"application/json": {
            "schema": {"type": "object", "properties": {"id": {"type": "string"}}}}}}},
        "callbacks": {"onData": {"{$request.body#/callbackUrl}?sub={$response.body#/id}": {
            "post": {"requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "required": ["count"],
                "properties": {"count": {"type": "integer", "minimum": 3}}}}}},
                "responses": {"200": {"description": "ok"}}}}}},
    }}},
    "x-webhooks": {"newPet": {"post": {
        "requestBody": {"content": {"application/json": {
            "schema": {"type": "object", "required": ["name"],
                       "properties": {"name": {"type": "string"}}},
            "example": {"name": "Rex"}}}},
        "responses": {"200": {"description": "ok"}}}}},
}


def test_31_webhooks_by_key_or_operation_id() -> None:
    contract = load(CONTRACTS / "payments.yaml")
    [event] = events(contract)
    assert (event.name, event.kind, event.operation.method) == ("paymentSucceeded", "webhook",
                                                                "POST")
    assert find_event(contract, "onPaymentSucceeded") == event


def test_x_webhooks_and_callbacks() -> None:
    contract = load(CALLBACKS)
    by_name = {event.name: event for event in events(contract)}
    assert set(by_name) == {"newPet", "onData"}
    assert payload_for(contract, by_name["newPet"]).value == {"name": "Rex"}
    [callback] = callbacks_of(contract, "subscribe")
    assert callback.expression == "{$request.body#/callbackUrl}?sub={$response.body#/id}"
    generated = payload_for(contract, callback, seed=5)
    assert generated.origin == "generated"
    assert generated.value["count"] >= 3
    served = Exchange(request=Side(body={"callbackUrl": "http://127.0.0.1:9000/cb"}),
                      response=Side(body={"id": "sub_1"}))
    assert resolve(callback.expression, served) == "http://127.0.0.1:9000/cb?sub=sub_1"


def test_runtime_expressions() -> None:
    served = Exchange(url="http://x/y", method="POST", status=201,
                      request=Side(headers={"x-hook": "http://127.0.0.1/h"},
                                   query=(("to", "q"),), path={"id": "7"},
                                   body={"a": [{"b/c": 1}]}),
                      response=Side(body={"id": "pay_1"}))
    assert resolve("$method", served) == "POST"
    assert resolve("{$statusCode}", served) == 201
    assert resolve("{$request.header.X-Hook}", served) == "http://127.0.0.1/h"
    assert resolve("{$request.query.to}/{$request.path.id}", served) == "q/7"
    assert resolve("$request.body#/a/0/b~1c", served) == 1
    with pytest.raises(WebhookError, match=r"'\{\$request.body#/missing\}' has no value"):
        resolve("{$request.body#/missing}", served)
    with pytest.raises(WebhookError, match="is not a runtime expression"):
        resolve("$nonsense", served)


def test_unknown_event_suggests_and_no_webhooks_says_so() -> None:
    contract = load(CONTRACTS / "payments.yaml")
    with pytest.raises(WebhookError, match=r"no webhook event 'paymentSucceded'; did you mean "
                                           r"'paymentSucceeded'\?"):
        find_event(contract, "paymentSucceded")
    with pytest.raises(WebhookError, match="the contract declares no webhooks"):
        find_event(load(CONTRACTS / "petstore.yaml"), "anything")


def test_payload_is_seeded_and_valid() -> None:
    contract = load(CONTRACTS / "payments.yaml")
    event = find_event(contract, "paymentSucceeded")
    first = payload_for(contract, event, seed=1)
    assert first == payload_for(contract, event, seed=1)
    assert first.value != payload_for(contract, event, seed=2).value
    assert first.value["data"]["object"]["id"]  # readOnly members are in a provider's event
    for seed in range(20):
        assert is_valid(contract, event, payload_for(contract, event, seed=seed).value)


def test_adyen_webhook_only_contract_every_payload_valid() -> None:
    name = "adyen.com__BalancePlatformConfigurationNotification-v1.json"
    contract = load(corpus_dir() / "openapi" / name)
    assert contract.operations == ()
    found = events(contract)
    assert len(found) == 11
    origins = set()
    for event in found:
        delivery = plan(contract, event, ids=Ids())
        origins.add(payload_for(contract, event).origin.partition(":")[0])
        assert is_valid(contract, event, delivery.value), event.name
    assert origins == {"example", "generated"}
