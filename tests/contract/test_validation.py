"""Request and response validation of one operation: parameters by style, bodies, security."""

from __future__ import annotations

import json
from typing import Any

import pytest

import contractkit
from contractkit import HttpRequest, HttpResponse

ITEM = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "integer", "readOnly": True},
        "name": {"type": "string", "minLength": 1},
        "secret": {"type": "string", "writeOnly": True},
        "tag": {"type": "string", "nullable": True},
        "price": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "shop", "version": "1"},
    "components": {
        "schemas": {"Item": ITEM},
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "key": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        },
    },
    "security": [{"bearer": []}, {"key": []}],
    "paths": {
        "/items": {
            "get": {
                "operationId": "listItems",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 50}},
                    {"name": "tags", "in": "query", "schema": {"type": "array",
                                                                "items": {"type": "string"}}},
                    {"name": "ids", "in": "query", "style": "pipeDelimited", "explode": False,
                     "schema": {"type": "array", "items": {"type": "integer"}}},
                    {"name": "filter", "in": "query", "style": "deepObject",
                     "schema": {"type": "object", "properties": {
                         "min": {"type": "integer"}, "color": {"type": "string"}}}},
                    {"name": "X-Trace", "in": "header", "required": True,
                     "schema": {"type": "string", "pattern": "^[a-f0-9]+$"}},
                    {"name": "session", "in": "cookie", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "headers": {"X-Total": {"required": True, "schema": {"type": "integer"}}},
                        "content": {"application/json": {"schema": {
                            "type": "array", "items": {"$ref": "#/components/schemas/Item"}}}},
                    },
                    "4XX": {"description": "client error", "content": {
                        "application/problem+json": {"schema": {"type": "object"}}}},
                },
            },
            "post": {
                "operationId": "createItem",
                "security": [],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Item"}},
                    "application/x-www-form-urlencoded": {
                        "schema": {"$ref": "#/components/schemas/Item"}},
                }},
                "responses": {"201": {"description": "created"}},
            },
        },
        "/items/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 1}}],
            "get": {"operationId": "getItem", "security": [],
                    "responses": {"200": {"description": "ok"}}},
        },
        "/points/{coords}": {
            "get": {
                "operationId": "getPoint", "security": [],
                "parameters": [{"name": "coords", "in": "path", "required": True,
                                "style": "matrix", "explode": True,
                                "schema": {"type": "array", "items": {"type": "number"}}}],
                "responses": {"200": {"description": "ok"}},
            },
        },
    },
}


@pytest.fixture(scope="module")
def shop() -> contractkit.Contract:
    return contractkit.load(DOCUMENT)


def validate(contract: contractkit.Contract, method: str, url: str,
             **kwargs: Any) -> contractkit.RequestValidation:
    request = HttpRequest.build(method, url, **kwargs)
    match = contract.match(request.method, request.path)
    assert match is not None
    return contract.validator(match.operation).validate_request(request, match.path_params)


def messages(result: contractkit.RequestValidation) -> list[str]:
    return [str(v) for v in result.violations]


AUTH = {"Authorization": "Bearer t0k3n", "X-Trace": "abc123"}


def test_valid_query_parameters_are_read_by_style(shop: contractkit.Contract) -> None:
    result = validate(shop, "GET",
                      "/items?limit=5&tags=a&tags=b&ids=1|2|3&filter[min]=3&filter[color]=red",
                      headers={**AUTH, "Cookie": "session=s1"})
    assert result.ok, messages(result)
    assert result.parameters["query"] == {
        "limit": 5, "tags": ["a", "b"], "ids": [1, 2, 3], "filter": {"min": 3, "color": "red"}}
    assert result.parameters["header"] == {"X-Trace": "abc123"}
    assert result.parameters["cookie"] == {"session": "s1"}


def test_parameter_violations_name_location_and_pointer(shop: contractkit.Contract) -> None:
    result = validate(shop, "GET", "/items?limit=500&ids=1|x",
                      headers={"Authorization": "Bearer t", "X-Trace": "XYZ"})
    assert messages(result) == [
        "query/limit: 500 is greater than the maximum of 50",
        'query/ids/1: "x" is not of type "integer"',
        'header/X-Trace: "XYZ" does not match "^[a-f0-9]+$"',
    ]


def test_missing_required_header(shop: contractkit.Contract) -> None:
    result = validate(shop, "GET", "/items", headers={"Authorization": "Bearer t"})
    assert messages(result) == ["header/X-Trace: required header parameter 'X-Trace' is missing"]


def test_security_any_alternative_satisfies(shop: contractkit.Contract) -> None:
    assert validate(shop, "GET", "/items", headers={"X-API-Key": "k", "X-Trace": "a"}).ok
    result = validate(shop, "GET", "/items", headers={"Authorization": "Basic x",
                                                       "X-Trace": "a"})
    assert messages(result) == [
        "security: missing credentials: expected bearer credentials in Authorization (bearer)"
        " or API key in header 'X-API-Key' (key)"]


def test_path_parameters_are_coerced_and_validated(shop: contractkit.Contract) -> None:
    assert validate(shop, "GET", "/items/3").parameters["path"] == {"id": 3}
    assert messages(validate(shop, "GET", "/items/0")) == [
        "path/id: 0 is less than the minimum of 1"]
    assert messages(validate(shop, "GET", "/items/abc")) == [
        'path/id: "abc" is not of type "integer"']


def test_matrix_style_path_parameter(shop: contractkit.Contract) -> None:
    result = validate(shop, "GET", "/points/;coords=1.5;coords=2")
    assert result.ok, messages(result)
    assert result.parameters["path"] == {"coords": [1.5, 2]}


def test_json_body_valid_without_read_only_id(shop: contractkit.Contract) -> None:
    result = validate(shop, "POST", "/items", headers={"Content-Type": "application/json"},
                      body=json.dumps({"name": "hat", "tag": None, "price": 1.5}))
    assert result.ok, messages(result)
    assert result.body == {"name": "hat", "tag": None, "price": 1.5}


def test_json_body_violations(shop: contractkit.Contract) -> None:
    result = validate(shop, "POST", "/items", headers={"Content-Type": "application/json"},
                      body=json.dumps({"name": "", "price": 0}))
    assert messages(result) == [
        'body/name: "" is shorter than 1 character',
        "body/price: 0 is less than or equal to the minimum of 0",
    ]


def test_invalid_json_body(shop: contractkit.Contract) -> None:
    result = validate(shop, "POST", "/items", headers={"Content-Type": "application/json"},
                      body='{"name": ')
    assert messages(result) == [
        "body: body is not valid JSON: Expecting value at line 1 column 10"]


def test_wrong_and_missing_content_type(shop: contractkit.Contract) -> None:
    result = validate(shop, "POST", "/items", headers={"Content-Type": "text/plain"}, body="x")
    assert messages(result) == [
        "content-type: Content-Type 'text/plain' is not accepted; expected application/json, "
        "application/x-www-form-urlencoded"]


def test_required_body_missing(shop: contractkit.Contract) -> None:
    assert messages(validate(shop, "POST", "/items")) == [
        "body: request body is required but empty"]


def test_an_empty_json_body_is_no_body(shop: contractkit.Contract) -> None:
    # sendgrid-python sends Content-Type: application/json with an empty body on every
    # request; for an optional body that is no body, for a required one a missing one
    contract = contractkit.load({
        "openapi": "3.0.2", "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"patch": {
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok"}}}}}})
    json_header = {"Content-Type": "application/json"}
    assert messages(validate(contract, "PATCH", "/x", headers=json_header)) == []
    assert messages(validate(shop, "POST", "/items", headers=json_header)) == [
        "body: request body is required but empty"]


@pytest.mark.parametrize(("schema", "expected"), [
    ({"type": "string"}, []),
    ({"type": "string", "minLength": 1}, ["body: \"\" is shorter than 1 character"]),
])
def test_empty_body_with_a_content_type_is_a_value(schema: dict[str, Any],
                                                   expected: list[str]) -> None:
    # cdcgov's POST /reports: a zero-length text/csv entity is the empty string, which the
    # schema decides on; without a Content-Type there is no body at all
    contract = contractkit.load({
        "openapi": "3.0.2", "info": {"title": "t", "version": "1"},
        "paths": {"/reports": {"post": {
            "requestBody": {"required": True, "content": {"text/csv": {"schema": schema}}},
            "responses": {"200": {"description": "ok"}}}}}})
    result = validate(contract, "POST", "/reports", headers={"Content-Type": "text/csv"})
    assert messages(result) == expected
    assert messages(validate(contract, "POST", "/reports")) == [
        "body: request body is required but empty"]


def test_form_body_is_coerced_per_property(shop: contractkit.Contract) -> None:
    result = validate(shop, "POST", "/items",
                      headers={"Content-Type": "application/x-www-form-urlencoded"},
                      body="name=hat&price=2.5")
    assert result.ok, messages(result)
    assert result.body == {"name": "hat", "price": 2.5}


@pytest.mark.parametrize("media_type", ["application/x-www-form-urlencoded",
                                        "multipart/form-data; boundary=b"])
def test_form_fields_of_array_type_are_exploded(media_type: str) -> None:
    # gitlab's `skip_groups=1` and `actions=a&actions=b`: form arrays are exploded by default
    contract = contractkit.load({
        "openapi": "3.0.0", "info": {"title": "t", "version": "1"},
        "paths": {"/groups": {"post": {
            "requestBody": {"content": {media_type.split(";", maxsplit=1)[0]: {"schema": {
                "type": "object", "properties": {
                    "skip": {"type": "array", "items": {"type": "integer"}},
                    "page": {"type": "integer"}}}}}},
            "responses": {"200": {"description": "ok"}}}}}})

    def post(*fields: tuple[str, str]) -> contractkit.RequestValidation:
        if media_type.startswith("multipart"):
            body = "".join(f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                           f"{value}\r\n" for name, value in fields) + "--b--\r\n"
        else:
            body = "&".join(f"{name}={value}" for name, value in fields)
        return validate(contract, "POST", "/groups", headers={"Content-Type": media_type},
                        body=body)

    assert post(("skip", "7")).body == {"skip": [7]}
    assert post(("skip", "7"), ("skip", "8"), ("page", "2")).body == {"skip": [7, 8], "page": 2}
    assert messages(post(("skip", "x"))) == ["body/skip/0: \"x\" is not of type \"integer\""]
    assert messages(post(("page", "1"), ("page", "2"))) == [
        "body/page: [1,2] is not of type \"integer\""]


def test_empty_text_is_an_empty_string_where_strings_are_allowed() -> None:
    # gsmtasks: an empty multipart `id` (nullable uuid) was read as null, and accepted
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/orders": {"post": {
            "requestBody": {"content": {"multipart/form-data": {"schema": {
                "type": "object", "properties": {
                    "id": {"type": "string", "format": "uuid", "nullable": True},
                    "count": {"type": "integer", "nullable": True}}}}}},
            "responses": {"200": {"description": "ok"}}}}}})

    def post(name: str, value: str) -> contractkit.RequestValidation:
        body = (f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                "--b--\r\n")
        return validate(contract, "POST", "/orders", body=body,
                        headers={"Content-Type": "multipart/form-data; boundary=b"})

    assert messages(post("id", "")) == ['body/id: "" is not a "uuid"']
    assert post("id", "null").body == {"id": None}
    assert post("count", "").body == {"count": None}  # no string allowed: empty is null


def test_multipart_fields_by_their_schema_without_a_part_content_type() -> None:
    # gsmtasks: `location` (object or null) sent as JSON text with no Content-Type (whose
    # default for objects is application/json), and a nullable array sent as `null`
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/routes": {"post": {
            "requestBody": {"content": {"multipart/form-data": {"schema": {
                "type": "object", "properties": {
                    "location": {"type": "object", "nullable": True, "required": ["x"],
                                 "properties": {"x": {"type": "number"}}},
                    "emails": {"type": "array", "nullable": True,
                               "items": {"type": "string", "format": "email"}},
                    "tags": {"type": "array", "items": {"type": "string"}}}}}}},
            "responses": {"200": {"description": "ok"}}}}}})

    def post(name: str, value: str, kind: str = "") -> contractkit.RequestValidation:
        header = f"Content-Type: {kind}\r\n" if kind else ""
        body = (f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n{header}\r\n'
                f"{value}\r\n--b--\r\n")
        return validate(contract, "POST", "/routes", body=body,
                        headers={"Content-Type": "multipart/form-data; boundary=b"})

    assert post("location", '{"x": 1.5}').body == {"location": {"x": 1.5}}
    assert post("location", "null").body == {"location": None}
    assert messages(post("location", "{}")) == ['body/location: "x" is a required property']
    assert messages(post("location", "{x")) == [
        'body/location: "{x" is not of types "null", "object"']
    assert post("emails", "null").body == {"emails": None}
    assert messages(post("emails", "a")) == ['body/emails/0: "a" is not a "email"']
    assert post("tags", '["a", "b"]', "application/json").body == {"tags": ["a", "b"]}
    assert post("tags", '"a"', "application/json").body == {"tags": ["a"]}


def test_text_json_bodies_are_json() -> None:
    # naviplancentral: `[null, null]` as text/json was read as text and not checked
    contract = contractkit.load({
        "openapi": "3.0.1", "info": {"title": "t", "version": "1"},
        "paths": {"/accounts": {"post": {
            "requestBody": {"content": {"text/json": {"schema": {
                "type": "object", "properties": {"name": {"type": "string"}}}}}},
            "responses": {"200": {"description": "ok"}}}}}})

    def post(body: str) -> contractkit.RequestValidation:
        return validate(contract, "POST", "/accounts", body=body,
                        headers={"Content-Type": "text/json"})

    assert post('{"name": "a"}').body == {"name": "a"}
    assert messages(post("[null, null]")) == ['body: [null,null] is not of type "object"']


def test_xml_bodies_must_be_well_formed() -> None:
    # ndhm: `<A>null</A><A>null</A>` (two root elements) was accepted unread
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/sessions": {"post": {
            "requestBody": {"content": {"application/xml": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok"}}}}}})

    def post(body: str) -> contractkit.RequestValidation:
        return validate(contract, "POST", "/sessions", body=body,
                        headers={"Content-Type": "application/xml"})

    assert post("<Session><id>1</id></Session>").ok
    assert messages(post("<Session>null</Session><Session>null</Session>")) == [
        "body: body is not well-formed XML: junk after document element: line 1, column 23"]


def test_multipart_json_fields_and_empty_forms() -> None:
    # gsmtasks: an object field sent as an application/json part (OpenAPI's default
    # encoding for objects), and a form with no field at all (only the close delimiter)
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/addresses": {"post": {
            "requestBody": {"content": {"multipart/form-data": {"schema": {
                "type": "object", "properties": {
                    "address": {"type": "object", "required": ["city"],
                                "properties": {"city": {"type": "string"}}},
                    "note": {"type": "string"}}}}}},
            "responses": {"200": {"description": "ok"}}}}}})
    headers = {"Content-Type": "multipart/form-data; boundary=b"}

    def post(body: str) -> contractkit.RequestValidation:
        return validate(contract, "POST", "/addresses", headers=headers, body=body)

    def part(name: str, value: str, kind: str = "application/json") -> str:
        return (f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n'
                f"Content-Type: {kind}\r\n\r\n{value}\r\n")

    found = post(part("address", '{"city": "Tartu"}') + part("note", "hi", "text/plain")
                 + "--b--\r\n")
    assert (found.ok, found.body) == (True, {"address": {"city": "Tartu"}, "note": "hi"})
    assert messages(post(part("address", "{}") + "--b--\r\n")) == [
        "body/address: \"city\" is a required property"]
    assert messages(post(part("address", "{") + "--b--\r\n")) == [
        "body: multipart field 'address' is not valid JSON"]
    empty = post("--b--\r\n")
    assert (empty.ok, empty.body) == (True, {})
    assert messages(post("garbage")) == ["body: multipart body could not be parsed"]
    # sakari: a part with no headers (the JSON array `[]`) and no close delimiter
    assert messages(post("--b\r\n[]--b--\r\n")) == [
        "body: multipart body has no close delimiter (--BOUNDARY--)"]
    assert messages(post("--b\r\nX-Note: 1\r\n\r\nhi\r\n--b--\r\n")) == [
        "body: multipart part 1 has no Content-Disposition name"]
    # microcks: an empty name is still a name (an additional property called "")
    assert post(part("", "x", "text/plain") + "--b--\r\n").body == {"": "x"}


def test_multipart_field_names_in_utf8_and_rfc_2231() -> None:
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/people": {"post": {
            "requestBody": {"content": {"multipart/form-data": {"schema": {
                "type": "object", "additionalProperties": {"type": "string"}}}}},
            "responses": {"200": {"description": "ok"}}}}}})
    body = ('--b\r\nContent-Disposition: form-data; name="prénom"\r\n\r\nLéa\r\n'
            "--b\r\nContent-Disposition: form-data; name*=utf-8''%C3%A2ge\r\n\r\n7\r\n"
            "--b--\r\n")
    found = validate(contract, "POST", "/people", body=body,
                     headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert (found.ok, found.body) == (True, {"prénom": "Léa", "âge": "7"})


def test_response_validation(shop: contractkit.Contract) -> None:
    validator = shop.validator("listItems")
    good = HttpResponse.build(200, headers={"Content-Type": "application/json", "X-Total": "1"},
                              body=json.dumps([{"id": 1, "name": "hat"}]))
    assert validator.validate_response(good) == []
    bad = HttpResponse.build(200, headers={"Content-Type": "application/json"},
                             body=json.dumps([{"name": "hat", "secret": 3}]))
    assert [str(v) for v in validator.validate_response(bad)] == [
        "header/X-Total: required response header 'X-Total' is missing",
        'body/0: "id" is a required property',
        'body/0/secret: 3 is not of type "string"',
    ]


def test_response_status_ranges_and_undeclared_status(shop: contractkit.Contract) -> None:
    validator = shop.validator("listItems")
    problem = HttpResponse.build(404, headers={"Content-Type": "application/problem+json"},
                                 body="{}")
    assert validator.validate_response(problem) == []
    [violation] = validator.validate_response(HttpResponse.build(500))
    assert str(violation) == "status: status 500 is not declared for listItems (declared: 200, 4XX)"


def test_text_bodies_are_not_checked_against_structured_schemas() -> None:
    document = {
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/rows": {"post": {
            "operationId": "upload",
            "requestBody": {"required": True, "content": {"text/csv": {"schema": {
                "type": "array", "items": {"type": "object"}}}}},
            "responses": {"204": {"description": "ok"}}}}},
    }
    contract = contractkit.load(document)
    request = HttpRequest.build("POST", "/rows", headers={"Content-Type": "text/csv"},
                                body="id,name\n1,hat\n")
    assert contract.validator("upload").validate_request(request).ok


def test_a_json_string_is_not_an_object(shop: contractkit.Contract) -> None:
    result = validate(shop, "POST", "/items", headers={"Content-Type": "application/json"},
                      body='"AAA"')
    assert messages(result) == ['body: "AAA" is not of type "object"']


def test_accept_content_type_and_authorization_header_parameters_are_ignored() -> None:
    document = {
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {
            "operationId": "a",
            "parameters": [
                {"name": name, "in": "header", "required": True, "schema": {"type": "string"}}
                for name in ("Accept", "Content-Type", "Authorization", "X-Kept")],
            "responses": {"200": {"description": "ok"}}}}},
    }
    operation = contractkit.load(document).operation("a")
    assert [p.name for p in operation.parameters] == ["X-Kept"]


def test_object_header_with_an_array_property() -> None:
    document = {
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {
            "operationId": "a",
            "parameters": [{"name": "X-Form", "in": "header", "required": True, "schema": {
                "type": "object", "properties": {
                    "fields": {"type": "array", "items": {"type": "string"}},
                    "size": {"type": "integer"}}}}],
            "responses": {"200": {"description": "ok"}}}}},
    }
    contract = contractkit.load(document)
    request = HttpRequest.build("GET", "/a", headers={"X-Form": "fields,,size,3"})
    result = contract.validator("a").validate_request(request)
    assert result.ok, messages(result)
    assert result.parameters["header"] == {"X-Form": {"fields": [], "size": 3}}


def test_free_form_exploded_query_object_takes_the_unclaimed_keys() -> None:
    # microcks' required `queryMap` (additionalProperties: string): `?name=x` is {name: x}
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "query",
                                                   "name": "api_key"}}},
        "paths": {"/search": {"get": {
            "parameters": [
                {"name": "queryMap", "in": "query", "required": True, "schema": {
                    "type": "object", "additionalProperties": {"type": "string"}}},
                {"name": "page", "in": "query", "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "ok"}}}},
            # telnyx' `filter[status]`: an exploded object with an array property
            "/orders": {"get": {
                "parameters": [{"name": "status", "in": "query", "schema": {
                    "type": "object", "properties": {
                        "details": {"type": "array", "items": {"type": "string"}},
                        "value": {"type": "string"}}}}],
                "responses": {"200": {"description": "ok"}}}}}})
    result = validate(contract, "GET", "/search?name=pets&labels.env=prod&page=2&api_key=k")
    assert result.ok, messages(result)
    assert result.parameters["query"] == {
        "queryMap": {"name": "pets", "labels.env": "prod"}, "page": 2}
    orders = validate(contract, "GET", "/orders?details=code&details=text&value=ported")
    assert orders.parameters["query"] == {
        "status": {"details": ["code", "text"], "value": "ported"}}
    assert validate(contract, "GET", "/orders?details=code").parameters["query"] == {
        "status": {"details": ["code"]}}
    # {} is written as nothing at all, and is a valid queryMap
    assert validate(contract, "GET", "/search?page=2").parameters["query"] == {
        "queryMap": {}, "page": 2}


def test_form_fields_are_read_through_all_of_and_recursive_any_of() -> None:
    # mineskin: `allOf: [$ref GenerateOptions, {file}]`; `visibility=0` is the integer 0
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "components": {"schemas": {
            "Options": {"type": "object", "properties": {
                "visibility": {"type": "integer", "enum": [0, 1]}}},
            "Node": {"anyOf": [{"$ref": "#/components/schemas/Node"},
                               {"type": "object", "properties": {"n": {"type": "integer"}}}]}}},
        "paths": {
            "/upload": {"post": {
                "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
                    "allOf": [{"$ref": "#/components/schemas/Options"},
                              {"properties": {"file": {"type": "string"}}}]}}}},
                "responses": {"200": {"description": "ok"}}}},
            "/node": {"post": {
                "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
                    "$ref": "#/components/schemas/Node"}}}},
                "responses": {"200": {"description": "ok"}}}}}})
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    result = validate(contract, "POST", "/upload", body="visibility=0&file=", headers=form)
    assert result.ok, messages(result)
    assert result.body == {"visibility": 0, "file": ""}
    assert messages(validate(contract, "POST", "/upload", body="visibility=2",
                             headers=form)) == ["body/visibility: 2 is not one of 0 or 1"]
    assert validate(contract, "POST", "/node", body="n=3", headers=form).body == {"n": 3}


@pytest.mark.parametrize("media_type", ["application/x-www-form-urlencoded",
                                        "multipart/form-data; boundary=b"])
def test_an_absent_required_form_array_is_empty(media_type: str) -> None:
    # twilio's CreateRole: `Permission` (required array) with no items has no field at all
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/roles": {"post": {
            "requestBody": {"content": {media_type.split(";", maxsplit=1)[0]: {"schema": {
                "type": "object", "required": ["Permission", "Type"], "properties": {
                    "Permission": {"type": "array", "items": {"type": "string"}},
                    "Type": {"type": "string"}}}}}},
            "responses": {"201": {"description": "ok"}}}}}})
    body = ("Type=deployment" if media_type.startswith("application") else
            '--b\r\nContent-Disposition: form-data; name="Type"\r\n\r\ndeployment\r\n--b--\r\n')
    found = validate(contract, "POST", "/roles", body=body, headers={"Content-Type": media_type})
    assert (found.ok, found.body) == (True, {"Type": "deployment", "Permission": []})
    empty = "" if media_type.startswith("application") else "--b--\r\n"
    assert messages(validate(contract, "POST", "/roles", body=empty,
                             headers={"Content-Type": media_type})) == [
        "body: \"Type\" is a required property"]


def test_a_single_valued_query_parameter_sent_twice() -> None:
    # openSUSE: `?view=status&view=null` — servers disagree on which one counts
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/published?view=status": {"get": {
            "parameters": [{"name": "view", "in": "query",
                            "schema": {"type": "string", "enum": ["status"]}}],
            "responses": {"200": {"description": "ok"}}}}}})
    assert messages(validate(contract, "GET", "/published?view=status&view=null")) == [
        "query/view: is sent 2 times with different values ('status', 'null'); it takes one"]
    # the same value twice (the path key's `?view=status` and the parameter) is one value
    assert validate(contract, "GET", "/published?view=status&view=status").ok


def test_object_fields_of_a_urlencoded_form_are_exploded() -> None:
    # gsmtasks' time_locations: `location: {type, coordinates}` sent as
    # `type=Point&coordinates=0&coordinates=0`, OpenAPI's default for an object field
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "components": {"schemas": {"Point": {
            "type": "object", "required": ["type", "coordinates"], "properties": {
                "type": {"type": "string", "enum": ["Point"]},
                "coordinates": {"type": "array", "items": {"type": "number"}}}}}},
        "paths": {"/time_locations": {"post": {
            "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
                "type": "object", "required": ["location", "rules"], "properties": {
                    "location": {"$ref": "#/components/schemas/Point"},
                    "rules": {"type": "object", "additionalProperties": {}},
                    "speed": {"type": "number"}}}}}},
            "responses": {"201": {"description": "ok"}}}}}})
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    found = validate(contract, "POST", "/time_locations",
                     body="speed=1&coordinates=24.7&coordinates=59.4&type=Point", headers=form)
    assert (found.ok, found.body) == (True, {
        "speed": 1, "location": {"type": "Point", "coordinates": [24.7, 59.4]}, "rules": {}})
    assert messages(validate(contract, "POST", "/time_locations", body="speed=1",
                             headers=form)) == ["body: \"location\" is a required property"]
    assert messages(validate(contract, "POST", "/time_locations", body="type=Line",
                             headers=form)) == [
        "body/location: \"coordinates\" is a required property",
        "body/location/type: \"Line\" is not one of \"Point\""]


def test_parameter_content_by_its_media_type() -> None:
    # JSON content with a charset is still JSON; text/plain and */* content is the text
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/a/{id}": {"get": {
            "parameters": [
                {"name": "id", "in": "path", "required": True,
                 "content": {"*/*": {"schema": {"type": "string", "format": "uuid"}}}},
                {"name": "f", "in": "query", "content": {"application/json; charset=utf-8": {
                    "schema": {"type": "object", "properties": {"x": {"type": "integer"}}}}}},
                {"name": "t", "in": "query",
                 "content": {"text/plain": {"schema": {"type": "object"}}}}],
            "responses": {"200": {"description": "ok"}}}}}})
    uuid = "e3e70682-c209-1cac-a29f-6fbed82c07cd"
    found = validate(contract, "GET", f'/a/{uuid}?f={{"x":1}}')
    assert found.ok, messages(found)
    assert found.parameters["path"] == {"id": uuid}
    assert found.parameters["query"] == {"f": {"x": 1}}
    assert messages(validate(contract, "GET", f'/a/{uuid}?f={{"x":"bad"}}')) == [
        'query/f/x: "bad" is not of type "integer"']
    assert messages(validate(contract, "GET", f"/a/{uuid}?t=hello")) == [
        'query/t: "hello" is not of type "object"']


def test_a_free_form_query_object_leaves_other_parameters_keys_alone() -> None:
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "components": {"schemas": {"Closed": {
            "type": "object", "additionalProperties": False,
            "properties": {"a": {"type": "integer"}}}}},
        "paths": {
            "/m": {"get": {
                "parameters": [
                    {"name": "m", "in": "query",
                     "schema": {"type": "object", "additionalProperties": {"type": "integer"}}},
                    {"name": "filter", "in": "query", "style": "deepObject",
                     "schema": {"type": "object", "additionalProperties": {"type": "string"}}},
                    {"name": "p", "in": "query", "schema": {
                        "type": "object", "properties": {"name": {"type": "string"}}}}],
                "responses": {"200": {"description": "ok"}}}},
            # an object behind allOf with additionalProperties: false is not free-form:
            # jQuery's cache-buster `_=` is no property of it
            "/c": {"get": {
                "parameters": [{"name": "f", "in": "query", "schema": {
                    "allOf": [{"$ref": "#/components/schemas/Closed"}]}}],
                "responses": {"200": {"description": "ok"}}}}}})
    found = validate(contract, "GET", "/m?x=1&filter[s]=abc&name=bob")
    assert found.ok, messages(found)
    assert found.parameters["query"] == {
        "m": {"x": 1}, "filter": {"s": "abc"}, "p": {"name": "bob"}}
    closed = validate(contract, "GET", "/c?a=1&_=123")
    assert closed.ok, messages(closed)
    assert closed.parameters["query"] == {"f": {"a": 1}}


def test_self_referencing_branches_are_walked_once() -> None:
    # `N: oneOf [N, N, N, N]` with twelve form fields: each branch is looked at once
    # (a depth bound alone made this 4^8 walks per field)
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "components": {"schemas": {"N": {"oneOf": [
            *[{"$ref": "#/components/schemas/N"}] * 4,
            {"type": "object", "properties": {"k0": {"type": "integer"}}}]}}},
        "paths": {"/n": {"post": {
            "requestBody": {"content": {"application/x-www-form-urlencoded": {
                "schema": {"$ref": "#/components/schemas/N"}}}},
            "responses": {"200": {"description": "ok"}}}}}})
    body = "&".join(f"k{i}={i}" for i in range(12))
    found = validate(contract, "POST", "/n", body=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert found.body is not None
    assert (found.body["k0"], found.body["k11"]) == (0, "11")
