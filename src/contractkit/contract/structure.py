"""The skeleton of an OpenAPI or Swagger document: objects where the specification says
objects, arrays where it says arrays, before anything is built from it.

The builders read a document trusting its shape; ``"paths": 5`` or ``"info": "x"`` would
otherwise crash them or be skipped in silence. :func:`structure_errors` walks the parts the
builders read (not schemas or examples, whose content is checked elsewhere) and returns every
misshapen node as ``(pointer, message)``; the loader refuses a document with any.
A ``$ref`` object stands for its target and is checked where the target lives; a ``null``
(an empty YAML key) counts as absent, as other tools read it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contractkit.contract._source import join_pointer

Errors = list[tuple[str, str]]
Check = Callable[[Any, str, Errors], None]

_NAMES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
          int: "an integer", float: "a number", type(None): "null"}
_OAS3_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SWAGGER_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")


def structure_errors(data: dict[str, Any], dialect: str) -> Errors:
    """Every node of the document's skeleton that has the wrong kind of value."""
    errors: Errors = []
    if dialect == "swagger-2.0":
        _swagger(data, errors)
    else:
        _openapi(data, errors, schema_may_be_bool=dialect == "openapi-3.1")
    return errors


def _kind(value: Any) -> str:
    return _NAMES.get(type(value), type(value).__name__)


def _is(value: Any, expected: type, pointer: str, errors: Errors, what: str) -> bool:
    """Whether ``value`` is of ``expected`` type; records an error when it is present and not."""
    if isinstance(value, expected) and not (expected is int and isinstance(value, bool)):
        return True
    errors.append((pointer, f"{what} must be {_NAMES[expected]}, not {_kind(value)}"))
    return False


def _field(owner: dict[str, Any], key: str, expected: type, pointer: str, errors: Errors,
           what: str | None = None) -> Any:
    """``owner[key]`` when present and of the right type, else None (an error if wrong)."""
    value = owner.get(key)
    if value is None:  # absent, or written empty (`responses:` in YAML): tools read both as
        return None    # not given, and so does contractkit
    here = join_pointer(pointer, key)
    return value if _is(value, expected, here, errors, what or f"'{key}'") else None


def _is_ref(node: Any) -> bool:
    return isinstance(node, dict) and "$ref" in node


def _map_of(owner: dict[str, Any], key: str, pointer: str, errors: Errors, what: str,
            each: Check | None = None) -> None:
    """``owner[key]`` must be an object whose members (extensions aside) are objects."""
    members = _field(owner, key, dict, pointer, errors)
    if members is None:
        return
    base = join_pointer(pointer, key)
    for name, node in members.items():
        if str(name).startswith("x-") or node is None:
            continue
        here = join_pointer(base, str(name))
        if _is(node, dict, here, errors, f"{what} {name!r}") and each and not _is_ref(node):
            each(node, here, errors)


def _list_of(owner: dict[str, Any], key: str, pointer: str, errors: Errors, what: str,
             each: Check | None = None, member: type = dict) -> None:
    """``owner[key]`` must be an array of ``member`` values."""
    items = _field(owner, key, list, pointer, errors)
    if items is None:
        return
    base = join_pointer(pointer, key)
    for index, node in enumerate(items):
        here = f"{base}/{index}"
        if _is(node, member, here, errors, f"{what} {index}") and each and not _is_ref(node):
            each(node, here, errors)


def _info(data: dict[str, Any], errors: Errors) -> None:
    info = _field(data, "info", dict, "", errors)
    if info is not None:
        _field(info, "title", str, "/info", errors)


# -- OpenAPI 3.x -------------------------------------------------------------------------

def _openapi(data: dict[str, Any], errors: Errors, *, schema_may_be_bool: bool) -> None:
    def is_schema(value: Any) -> bool:
        return isinstance(value, dict) or (schema_may_be_bool and isinstance(value, bool))

    def schema_error(value: Any, pointer: str, what: str) -> None:
        also = " or a boolean" if schema_may_be_bool else ""
        errors.append((pointer, f"{what} must be an object{also}, not {_kind(value)}"))

    def schema(owner: dict[str, Any], pointer: str) -> None:
        if owner.get("schema") is not None and not is_schema(owner["schema"]):
            schema_error(owner["schema"], join_pointer(pointer, "schema"), "'schema'")

    def examples(owner: dict[str, Any], pointer: str) -> None:
        _map_of(owner, "examples", pointer, errors, "example")

    def media(node: dict[str, Any], pointer: str, errors: Errors) -> None:
        schema(node, pointer)
        examples(node, pointer)
        _map_of(node, "encoding", pointer, errors, "encoding")

    def content(owner: dict[str, Any], pointer: str) -> None:
        _map_of(owner, "content", pointer, errors, "media type", media)

    def header(node: dict[str, Any], pointer: str, errors: Errors) -> None:
        schema(node, pointer)
        examples(node, pointer)
        content(node, pointer)

    def parameter(node: dict[str, Any], pointer: str, errors: Errors) -> None:
        _field(node, "in", str, pointer, errors)
        header(node, pointer, errors)

    def request_body(node: dict[str, Any], pointer: str, errors: Errors) -> None:
        content(node, pointer)

    def response(node: dict[str, Any], pointer: str, errors: Errors) -> None:
        _map_of(node, "headers", pointer, errors, "header", header)
        content(node, pointer)
        _map_of(node, "links", pointer, errors, "link")

    def callback(node: dict[str, Any], pointer: str, errors: Errors) -> None:
        for expression, item in node.items():
            if not str(expression).startswith("x-") and item is not None:
                here = join_pointer(pointer, str(expression))
                if _is(item, dict, here, errors, f"callback path item {expression!r}") \
                        and not _is_ref(item):
                    path_item(item, here, errors)

    def operation(node: dict[str, Any], pointer: str, errors: Errors) -> None:
        _list_of(node, "parameters", pointer, errors, "parameter", parameter)
        if node.get("requestBody") is not None and _is(node["requestBody"], dict, join_pointer(
                pointer, "requestBody"), errors, "'requestBody'") \
                and not _is_ref(node["requestBody"]):
            request_body(node["requestBody"], join_pointer(pointer, "requestBody"), errors)
        _map_of(node, "responses", pointer, errors, "response", response)
        _map_of(node, "callbacks", pointer, errors, "callback", callback)
        _list_of(node, "security", pointer, errors, "security requirement")
        _list_of(node, "tags", pointer, errors, "tag", member=str)
        _list_of(node, "servers", pointer, errors, "server")

    def path_item(node: dict[str, Any], pointer: str, errors: Errors) -> None:
        _list_of(node, "parameters", pointer, errors, "parameter", parameter)
        _list_of(node, "servers", pointer, errors, "server")
        for method in _OAS3_METHODS:
            if node.get(method) is not None:
                here = join_pointer(pointer, method)
                if _is(node[method], dict, here, errors, f"operation '{method}'"):
                    operation(node[method], here, errors)

    _info(data, errors)
    _list_of(data, "servers", "", errors, "server")
    _list_of(data, "security", "", errors, "security requirement")
    _list_of(data, "tags", "", errors, "tag")
    _map_of(data, "paths", "", errors, "path item", path_item)
    _map_of(data, "webhooks", "", errors, "webhook path item", path_item)
    components = _field(data, "components", dict, "", errors)
    if components is not None:
        for key, what, each in (
            ("responses", "response", response), ("parameters", "parameter", parameter),
            ("examples", "example", None), ("requestBodies", "request body", request_body),
            ("headers", "header", header), ("securitySchemes", "security scheme", None),
            ("links", "link", None), ("callbacks", "callback", callback),
            ("pathItems", "path item", path_item),
        ):
            _map_of(components, key, "/components", errors, what, each)
        schemas = _field(components, "schemas", dict, "/components", errors)
        for name, node in (schemas or {}).items():
            if node is not None and not is_schema(node):
                schema_error(node, join_pointer("/components/schemas", str(name)),
                             f"schema {name!r}")


# -- Swagger 2.0 -------------------------------------------------------------------------

def _swagger(data: dict[str, Any], errors: Errors) -> None:
    def parameter(node: dict[str, Any], pointer: str, errors: Errors) -> None:
        _field(node, "in", str, pointer, errors)
        _field(node, "schema", dict, pointer, errors)

    def response(node: dict[str, Any], pointer: str, errors: Errors) -> None:
        _field(node, "schema", dict, pointer, errors)
        _map_of(node, "headers", pointer, errors, "header")
        _field(node, "examples", dict, pointer, errors)

    def media_types(node: dict[str, Any], pointer: str) -> None:
        for key in ("consumes", "produces", "schemes"):
            _list_of(node, key, pointer, errors, f"'{key}' entry", member=str)

    def operation(node: dict[str, Any], pointer: str, errors: Errors) -> None:
        _list_of(node, "parameters", pointer, errors, "parameter", parameter)
        _map_of(node, "responses", pointer, errors, "response", response)
        _list_of(node, "security", pointer, errors, "security requirement")
        _list_of(node, "tags", pointer, errors, "tag", member=str)
        media_types(node, pointer)

    def path_item(node: dict[str, Any], pointer: str, errors: Errors) -> None:
        _list_of(node, "parameters", pointer, errors, "parameter", parameter)
        for method in _SWAGGER_METHODS:
            if node.get(method) is not None:
                here = join_pointer(pointer, method)
                if _is(node[method], dict, here, errors, f"operation '{method}'"):
                    operation(node[method], here, errors)

    _info(data, errors)
    media_types(data, "")
    _list_of(data, "security", "", errors, "security requirement")
    _list_of(data, "tags", "", errors, "tag")
    _map_of(data, "paths", "", errors, "path item", path_item)
    _map_of(data, "definitions", "", errors, "schema")
    _map_of(data, "parameters", "", errors, "parameter", parameter)
    _map_of(data, "responses", "", errors, "response", response)
    _map_of(data, "securityDefinitions", "", errors, "security scheme")
