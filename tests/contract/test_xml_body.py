"""XML request bodies are read by the schema's ``xml`` mapping and validated."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

import contractkit
from contractkit import HttpRequest
from contractkit.contract.xml_body import read_xml, write_xml
from contractkit.server.runner import MockServer

PET = {
    "type": "object",
    "required": ["id", "name"],
    "xml": {"name": "pet"},
    "properties": {
        "id": {"type": "integer", "xml": {"attribute": True}},
        "name": {"type": "string", "maxLength": 10},
        "vaccinated": {"type": "boolean"},
        "tags": {"type": "array", "xml": {"wrapped": True},
                 "items": {"type": "string", "xml": {"name": "tag"}}},
        "photo": {"type": "array", "items": {"$ref": "#/components/schemas/Photo"}},
    },
}
CONTRACT: dict[str, Any] = {
    "openapi": "3.0.3", "info": {"title": "x", "version": "1"},
    "components": {"schemas": {"Pet": PET, "Photo": {
        "type": "object", "required": ["url"], "properties": {"url": {"type": "string"}}}}},
    "paths": {"/pets": {"post": {"operationId": "addPet", "requestBody": {
        "required": True, "content": {"application/xml": {
            "schema": {"$ref": "#/components/schemas/Pet"}}}},
        "responses": {"201": {"description": "ok"}}}}},
}


def violations(body: bytes) -> list[str]:
    contract = contractkit.load(CONTRACT)
    request = HttpRequest.build("POST", "/pets", headers={"Content-Type": "application/xml"},
                                body=body)
    result = contract.validator("addPet").validate_request(request)
    return [f"{v.pointer} {v.message}" for v in result.violations]


def test_a_valid_body_with_attributes_wrapped_and_repeated_arrays_and_namespaces() -> None:
    body = (b'<p:pet xmlns:p="urn:pets" id="7"><p:name>Rex</p:name>'
            b"<vaccinated>true</vaccinated><tags><tag>a</tag><tag>b</tag></tags>"
            b"<photo><url>x.png</url></photo><photo><url>y.png</url></photo></p:pet>")
    assert violations(body) == []


@pytest.mark.parametrize(("body", "expected"), [
    (b'<pet id="seven"><name>Rex</name></pet>', "/id"),
    (b"<pet><name>Rex</name></pet>", '"id" is a required property'),
    (b'<pet id="1"><name>far too long a name</name></pet>', "/name"),
    (b'<pet id="1"><name>Rex</name><photo><alt>no url</alt></photo></pet>', "/photo/0"),
    (b'<pet id="1"><name>Rex</name></pet><pet/>', "not well-formed XML"),
    # openSUSE: schemathesis' `true` for an object body, sent as the root element's text
    (b"<pet>true</pet>", 'is not of type "object"'),
])
def test_invalid_bodies_are_named(body: bytes, expected: str) -> None:
    found = violations(body)
    assert found, body
    assert any(expected in v for v in found), found


def test_allof_naming_and_an_empty_unwrapped_array() -> None:
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "x", "version": "1"},
        "components": {"schemas": {
            "Org": {"type": "object", "required": ["id"], "xml": {"name": "Org"},
                    "properties": {"id": {"type": "string"}}},
            "Notice": {"type": "object", "required": ["manager", "types"], "properties": {
                "manager": {"allOf": [{"$ref": "#/components/schemas/Org"},
                                      {"xml": {"name": "manager"}}], "type": "object"},
                "types": {"type": "array", "items": {"type": "string"}}}}}},
        "paths": {"/n": {"post": {"operationId": "notify", "requestBody": {"content": {
            "application/xml": {"schema": {"$ref": "#/components/schemas/Notice"}}}},
            "responses": {"202": {"description": "ok"}}}}}})
    body = b"<Notice><manager><id>cm-1</id></manager></Notice>"
    request = HttpRequest.build("POST", "/n", headers={"Content-Type": "application/xml"},
                                body=body)
    # no <types> element: an empty unwrapped array has no elements to send
    assert contract.validator("notify").validate_request(request).violations == ()


def test_values_are_written_by_the_same_mapping_they_are_read_by() -> None:
    contract = contractkit.load(CONTRACT)
    bundle = contract.schema_bundle(contract.operation("addPet").request_body.content[
        "application/xml"].schema, "request")
    pet = {"id": 7, "name": "Rex & <Co>", "vaccinated": False, "tags": ["a", "b"],
           "photo": [{"url": "x.png"}, {"url": "y.png"}]}
    written = write_xml(pet, bundle)
    root = ElementTree.fromstring(written)
    assert (root.tag, root.get("id"), root.findtext("name")) == ("pet", "7", "Rex & <Co>")
    assert [t.text for t in root.findall("tags/tag")] == ["a", "b"]
    assert [p.findtext("url") for p in root.findall("photo")] == ["x.png", "y.png"]
    assert read_xml(written, bundle) == pet
    # what XML cannot carry is left out rather than making the document ill-formed
    assert read_xml(write_xml({"id": 1, "name": "a\x00b"}, bundle), bundle) == {
        "id": 1, "name": "ab"}


def test_the_mock_serves_xml_examples_as_xml() -> None:
    # openSUSE's examples are JSON-shaped objects under application/xml: served as XML,
    # not as JSON text with an XML Content-Type
    document = {**CONTRACT, "paths": {"/pets/{id}": {"get": {
        "operationId": "getPet",
        "parameters": [{"name": "id", "in": "path", "required": True,
                        "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "ok", "content": {"application/xml": {
            "schema": {"$ref": "#/components/schemas/Pet"},
            "example": {"id": 3, "name": "Tom", "tags": ["cat"]}}}}}}}}}
    with MockServer(contractkit.load(document)) as server:
        answer = httpx.get(f"{server.url}/pets/3")
        generated = httpx.get(f"{server.url}/pets/3", headers={"Prefer": "dynamic=true"})
    assert answer.headers["content-type"] == "application/xml"
    root = ElementTree.fromstring(answer.content)
    assert (root.tag, root.get("id"), root.findtext("name"),
            root.findtext("tags/tag")) == ("pet", "3", "Tom", "cat")
    assert ElementTree.fromstring(generated.content).tag == "pet"


def test_null_is_the_text_null_where_the_schema_admits_null() -> None:
    # gsmtasks: `<route_end_address>null</route_end_address>` for a nullable object
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "x", "version": "1"},
        "components": {"schemas": {
            "Address": {"type": "object", "properties": {"city": {"type": "string"}}},
            "Point": {"type": "object", "properties": {
                "coordinates": {"type": "array", "items": {"type": "number"}}}}}},
        "paths": {"/r": {"post": {"operationId": "route", "requestBody": {"content": {
            "application/xml": {"schema": {"type": "object", "properties": {
                "end": {"allOf": [{"$ref": "#/components/schemas/Address"}],
                        "nullable": True},
                "count": {"type": "integer", "nullable": True},
                "size": {"type": "array", "items": {"type": "integer"}, "nullable": True},
                "at": {"anyOf": [{"$ref": "#/components/schemas/Point"}], "nullable": True},
                "start": {"$ref": "#/components/schemas/Address"}}}}}},
            "responses": {"202": {"description": "ok"}}}}}})

    def read(body: bytes) -> contractkit.RequestValidation:
        request = HttpRequest.build("POST", "/r", headers={"Content-Type": "application/xml"},
                                    body=body)
        return contract.validator("route").validate_request(request)

    found = read(b"<r><end>null</end><count>null</count><size>null</size></r>")
    assert (found.violations, found.body) == ((), {"end": None, "count": None, "size": None})
    # a nullable object (anyOf [Point, null]) is still read by Point's properties
    point = read(b"<r><at><coordinates>24.7</coordinates><coordinates>59</coordinates></at>"
                 b"<size>3</size></r>")
    assert (point.violations, point.body) == ((), {"at": {"coordinates": [24.7, 59]},
                                                   "size": [3]})
    assert [v.pointer for v in read(b"<r><start>null</start></r>").violations] == ["/start"]


def test_written_xml_is_well_formed_whatever_the_property_names() -> None:
    # names XML does not allow (non-ASCII digits, colons, a digit first) become valid ones
    odd = {"größe": 1, "a²": 2, "٣x": 3, "a:b": 4, ":a": 5, "1st": 6, "": 7, "has space": 8}
    root = ElementTree.fromstring(write_xml(odd, {}))
    assert [child.text for child in root] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert root[0].tag == "größe"


def test_prefixes_namespaces_unwrapped_item_names_and_null() -> None:
    schema = {"type": "object", "xml": {"name": "zoo"}, "properties": {
        "id": {"type": "integer",
               "xml": {"attribute": True, "prefix": "p", "namespace": "urn:p"}},
        "code": {"type": "string", "xml": {"prefix": "q"}},  # a prefix with no namespace
        "animals": {"type": "array", "xml": {"name": "aliens"}, "items": {"type": "string"}},
        "keeper": {"type": "string", "nullable": True},
        "cages": {"type": "array", "items": {"type": "integer"}, "nullable": True}}}
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "x", "version": "1"},
        "paths": {"/z": {"post": {"operationId": "z", "requestBody": {"content": {
            "application/xml": {"schema": schema}}},
            "responses": {"204": {"description": "ok"}}}}}})
    bundle = contract.schema_bundle(
        contract.operation("z").request_body.content["application/xml"].schema, "request")
    value = {"id": 1, "code": "c", "animals": ["cat", "dog"], "keeper": None, "cages": None}
    written = write_xml(value, bundle)
    root = ElementTree.fromstring(written)  # prefixes are declared where they are used
    assert root.get("{urn:p}id") == "1"
    # OpenAPI: an unwrapped array's own xml.name is ignored; its items are `animals`
    assert [a.text for a in root.findall("animals")] == ["cat", "dog"]
    assert root.findtext("code") == "c"
    assert read_xml(written, bundle) == value
