"""Swagger 2.0 is converted to the 3.x model; messages still point at the 2.0 lines."""

from __future__ import annotations

import json
from pathlib import Path

import contractkit
from contractkit import HttpRequest

SWAGGER = """\
swagger: "2.0"
info: {title: Pets, version: "2.1"}
host: api.example.com
basePath: /v2
schemes: [https]
consumes: [application/json]
produces: [application/json]
securityDefinitions:
  key: {type: apiKey, in: header, name: X-Key}
  basic: {type: basic}
  oauth: {type: oauth2, flow: accessCode, authorizationUrl: "https://a/auth",
          tokenUrl: "https://a/token", scopes: {read: r, write: w}}
security: [{key: []}]
parameters:
  limit: {name: limit, in: query, type: integer, maximum: 100}
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - $ref: "#/parameters/limit"
        - {name: tags, in: query, type: array, items: {type: string}, collectionFormat: pipes}
      responses:
        "200":
          description: ok
          headers:
            X-Rate-Limit: {type: integer}
          schema: {type: array, items: {$ref: "#/definitions/Pet"}}
          examples:
            application/json: [{id: 1, name: Rex}]
    post:
      operationId: createPet
      parameters:
        - {name: body, in: body, required: true, schema: {$ref: "#/definitions/Pet"}}
      responses:
        "201": {description: created, schema: {$ref: "#/definitions/Pet"}}
  /pets/{petId}/photo:
    post:
      operationId: uploadPhoto
      consumes: [multipart/form-data]
      parameters:
        - {name: petId, in: path, required: true, type: integer}
        - {name: file, in: formData, type: file, required: true}
        - {name: caption, in: formData, type: string}
      responses:
        "204": {description: stored}
definitions:
  Pet:
    type: object
    required: [id, name]
    discriminator: kind
    properties:
      id: {type: integer, minimum: 1}
      name: {type: string}
      kind: {type: string}
      nickname: {type: string, x-nullable: true}
      age: {type: integer, minimum: 0, exclusiveMinimum: true}
"""


def load(tmp_path: Path) -> contractkit.Contract:
    (tmp_path / "swagger.yaml").write_text(SWAGGER)
    return contractkit.load(tmp_path / "swagger.yaml")


def test_model_matches_the_3x_shape(tmp_path: Path) -> None:
    contract = load(tmp_path)
    assert (contract.spec_version, contract.title, contract.version) == ("2.0", "Pets", "2.1")
    assert [s.url for s in contract.servers] == ["https://api.example.com/v2"]
    assert contract.base_path == "/v2"
    assert contract.raw["swagger"] == "2.0"  # the original is kept for diffing
    schemes = contract.security_schemes
    assert (schemes["basic"].type, schemes["basic"].scheme) == ("http", "basic")
    assert (schemes["key"].location, schemes["key"].parameter_name) == ("header", "X-Key")
    assert schemes["oauth"].scopes == ("read", "write")

    listing = contract.operation("listPets")
    limit, tags = listing.parameters
    assert (limit.name, limit.schema.raw if limit.schema else None) == (
        "limit", {"type": "integer", "maximum": 100})
    assert (tags.style, tags.explode) == ("pipeDelimited", False)
    ok = listing.responses["200"]
    assert ok.content["application/json"].examples[0].value == [{"id": 1, "name": "Rex"}]
    assert ok.headers["X-Rate-Limit"].schema is not None

    create = contract.operation("createPet")
    assert create.request_body is not None
    assert create.request_body.required
    assert list(create.request_body.content) == ["application/json"]

    upload = contract.operation("uploadPhoto")
    assert upload.request_body is not None
    media = upload.request_body.content["multipart/form-data"]
    assert media.schema is not None
    assert media.schema.raw["required"] == ["file"]


def test_schemas_are_normalised(tmp_path: Path) -> None:
    contract = load(tmp_path)
    bundled = contract.schema_bundle(contract.schemas["Pet"])
    properties = bundled["properties"]
    assert properties["nickname"] == {"type": ["string", "null"]}
    assert properties["age"] == {"type": "integer", "exclusiveMinimum": 0}
    assert bundled["discriminator"] == {"propertyName": "kind"}


def test_requests_validate_against_converted_operations(tmp_path: Path) -> None:
    contract = load(tmp_path)
    validator = contract.validator("createPet")
    request = HttpRequest.build("POST", "/pets", body=json.dumps({"id": 0, "name": "Rex"}),
                                headers={"Content-Type": "application/json", "X-Key": "k"})
    result = validator.validate_request(request)
    assert [str(v) for v in result.violations] == ["body/id: 0 is less than the minimum of 1"]
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\""
            f"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--{boundary}--\r\n")
    upload = HttpRequest.build(
        "POST", "/pets/1/photo", body=body.encode("latin-1"),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "X-Key": "k"})
    match = contract.match("POST", "/pets/1/photo")
    assert match is not None
    assert contract.validator(match.operation).validate_request(upload, match.path_params).ok


def test_locations_point_at_the_swagger_lines(tmp_path: Path) -> None:
    contract = load(tmp_path)
    create = contract.operation("createPet")
    assert create.request_body is not None
    schema = create.request_body.content["application/json"].schema
    assert schema is not None
    location = contract.location(schema.uri, schema.pointer)
    assert (location.line, location.pointer) == (34, "/paths/~1pets/post/parameters/0/schema")
    pet = contract.schemas["Pet"]
    assert contract.location(pet.uri, pet.pointer + "/properties/age").line == 57
