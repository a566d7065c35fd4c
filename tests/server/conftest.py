"""A small but complete contract, served by a real mock on 127.0.0.1, port 0."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import contractkit
from contractkit.server.runner import MockServer

SHOP: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Shop", "version": "2.0.0"},
    "servers": [{"url": "https://shop.example.com/api"}],
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "key": {"type": "apiKey", "in": "header", "name": "X-Shop-Key"},
        },
        "schemas": {
            "Item": {
                "type": "object",
                "required": ["id", "name", "price"],
                "properties": {
                    "id": {"type": "integer", "minimum": 1, "readOnly": True},
                    "name": {"type": "string", "minLength": 1, "maxLength": 40},
                    "price": {"type": "number", "exclusiveMinimum": 0},
                    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
                },
            },
            "Error": {"type": "object", "required": ["code"],
                      "properties": {"code": {"type": "string"}}},
        },
    },
    "security": [{"bearer": []}, {"key": []}],
    "paths": {
        "/items": {
            "get": {
                "operationId": "listItems",
                "security": [],
                "parameters": [{"name": "limit", "in": "query",
                                "schema": {"type": "integer", "minimum": 1, "maximum": 10}}],
                "responses": {"200": {
                    "description": "ok",
                    "headers": {"X-Total-Count": {"schema": {"type": "integer", "minimum": 0}}},
                    "content": {"application/json": {"schema": {
                        "type": "array", "items": {"$ref": "#/components/schemas/Item"}}}},
                }},
            },
            "post": {
                "operationId": "createItem",
                "parameters": [{"name": "Idempotency-Key", "in": "header", "required": True,
                                "schema": {"type": "string", "minLength": 1}}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Item"}}}},
                "responses": {
                    "201": {"description": "created", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Item"},
                        "examples": {
                            "hat": {"value": {"id": 7, "name": "hat", "price": 12.5}},
                            "broken": {"value": {"id": "not-an-int"}},
                        }}}},
                    "422": {"description": "invalid", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Error"},
                        "example": {"code": "invalid_item"}}}},
                    "429": {"description": "slow down",
                            "headers": {"Retry-After": {"required": True,
                                                        "schema": {"type": "integer",
                                                                   "minimum": 1}}}},
                },
            },
        },
        "/items/mine": {"get": {"operationId": "myItems", "security": [],
                                "responses": {"200": {"description": "ok"}}}},
        "/items/{itemId}": {
            "parameters": [{"name": "itemId", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 1}}],
            "get": {
                "operationId": "getItem",
                "security": [],
                "responses": {
                    "200": {"description": "ok", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Item"}},
                        "text/csv": {"schema": {"type": "string"}, "example": "id,name\n1,hat"},
                    }},
                    "404": {"description": "missing", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Error"}}}},
                },
            },
            "delete": {"operationId": "deleteItem", "deprecated": True, "security": [],
                       "responses": {"204": {"description": "gone"}}},
        },
    },
}


@pytest.fixture(scope="session")
def shop_contract() -> contractkit.Contract:
    return contractkit.load(SHOP)


@pytest.fixture
def shop(shop_contract: contractkit.Contract) -> Iterator[MockServer]:
    with MockServer(shop_contract, seed=3) as server:
        yield server
