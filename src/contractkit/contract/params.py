"""Read parameter values out of a request, per OpenAPI ``style`` and ``explode``.

Path, query, header and cookie values arrive as text; the parameter's schema says whether
it is an array, an object or a primitive, and which primitive. Values that do not parse as
the schema's type are returned as text, so the schema validator reports the mismatch.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from contractkit._http import HttpRequest
from contractkit._types import JSON
from contractkit.contract import shape
from contractkit.contract.brackets import nest
from contractkit.contract.media_types import is_json
from contractkit.contract.model import Parameter

_INTEGER = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_DELIMITERS = {"spaceDelimited": " ", "pipeDelimited": "|"}
_MISSING = object()


class ParameterError(ValueError):
    """A parameter value that cannot be read at all (e.g. invalid JSON content)."""


#: How clients send query arrays where the contract is silent: ``auto`` reads ``a=1&a=2``
#: (OpenAPI's default), ``a[]=1&a[]=2`` and ``a[0]=1``; ``comma`` also ``a=1,2``.
ArrayFormat = Literal["auto", "comma"]
ARRAY_FORMATS: tuple[ArrayFormat, ...] = ("auto", "comma")


def resolve(schema: JSON, root: JSON) -> JSON:
    """Follow a bundled schema's local ``$ref``s (``#/$defs/X``) to a real node."""
    seen = 0
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and seen < 32:
        name = schema["$ref"].rpartition("/")[2].replace("~1", "/").replace("~0", "~")
        defs = root.get("$defs", {}) if isinstance(root, dict) else {}
        if name not in defs:
            break
        schema = defs[name]
        seen += 1
    return schema


def schema_types(schema: JSON, root: JSON, seen: set[int] | None = None) -> list[str]:
    """The JSON types a schema admits, looking through refs and combinators (each node
    once: a self-referencing ``anyOf`` costs no more than a plain one)."""
    node = resolve(schema, root)
    seen = set() if seen is None else seen
    if not isinstance(node, dict) or id(node) in seen:
        return []
    seen.add(id(node))
    kind = node.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [str(k) for k in kind]
    found: list[str] = []
    for key in ("allOf", "anyOf", "oneOf"):
        for branch in node.get(key) or []:
            found.extend(t for t in schema_types(branch, root, seen) if t not in found)
    if not found and isinstance(node.get("properties"), dict):
        found.append("object")
    return found


def coerce(text: str, schema: JSON, root: JSON) -> JSON:
    """Text → the first of the schema's types it parses as; else the text itself."""
    types = schema_types(schema, root)
    for kind in types:
        if kind == "integer" and _INTEGER.fullmatch(text):
            return int(text)
        if kind == "number" and _NUMBER.fullmatch(text):
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
        if kind == "boolean" and text in ("true", "false"):
            return text == "true"
        # empty text is the empty string where the schema admits strings, not null
        if kind == "null" and (text == "null" or (text == "" and "string" not in types)):
            return None
    return text


def _items_schema(schema: JSON, root: JSON) -> JSON:
    node = resolve(schema, root)
    return node.get("items", {}) if isinstance(node, dict) else {}


def property_schema(schema: JSON, root: JSON, name: str,
                    seen: set[int] | None = None) -> JSON:
    """The schema of an object's property ``name``: declared (``allOf`` parts merged, else
    the first ``anyOf``/``oneOf`` branch declaring it), else ``additionalProperties``."""
    seen = set() if seen is None else seen
    target = resolve(schema, root)
    if id(target) in seen:
        return {}
    seen.add(id(target))
    node = shape.resolve(schema, root if isinstance(root, dict) else {})
    properties = node.get("properties")
    if isinstance(properties, dict) and name in properties:
        return properties[name]
    for branch in (*(node.get("anyOf") or ()), *(node.get("oneOf") or ())):
        found = property_schema(branch, root, name, seen)
        if found:
            return found
    extra = node.get("additionalProperties")
    return extra if isinstance(extra, dict) else {}


def _member(text: str, schema: JSON, root: JSON) -> JSON:
    """One property of an object serialised in a parameter. The styles define no nesting,
    so an array-typed property holds at most the one value written (or none)."""
    if "array" in schema_types(schema, root):
        return [coerce(text, _items_schema(schema, root), root)] if text else []
    return coerce(text, schema, root)


@dataclass(frozen=True)
class Decoded:
    """A multipart field sent as JSON (its part's Content-Type said so): a value, not text."""

    value: JSON


#: A form or multipart field as sent: text, or a decoded JSON part.
Field = str | Decoded


def nested_by_schema(value: Any, schema: JSON, root: JSON,
                     leaf: Callable[[Any, JSON], JSON]) -> JSON:
    """A field nested by bracket notation (``brackets.nest``) read by its schema: objects by
    their properties, index-keyed objects (``items[0]``, ``expand[]``) as arrays where the
    schema wants one, and each leaf by ``leaf(value, schema)``."""
    if not isinstance(value, dict):
        return leaf(value, schema)
    if value and "array" in schema_types(schema, root) and all(k.isdigit() for k in value):
        items = _items_schema(schema, root)
        return [nested_by_schema(value[key], items, root, leaf)
                for key in sorted(value, key=int)]
    return {key: nested_by_schema(member, property_schema(schema, root, key), root, leaf)
            for key, member in value.items()}


def form_field(value: Field | list[Field], schema: JSON, root: JSON, *,
               comma: bool = False) -> JSON:
    """One field of a form or multipart body. Arrays are exploded by default (``a=1&a=2``),
    so every value of an array-typed field is an item, even a single one; ``null`` is null
    where the schema admits it. ``comma``: an array field sent once is comma-separated
    (``ids=1,2``, ``--array-format comma``)."""
    if isinstance(value, str) and coerce(value, schema, root) is None:
        return None
    if isinstance(value, Decoded) and isinstance(value.value, list):
        return value.value  # a JSON part holding the whole array
    if "array" in schema_types(schema, root):
        items = _items_schema(schema, root)
        if comma and isinstance(value, str):
            return [_field_value(v, items, root) for v in value.split(",")]
        return [_field_value(v, items, root) for v in ([value] if not isinstance(value, list)
                                                        else value)]
    if isinstance(value, list):  # a scalar sent more than once: the schema will say no
        return [_field_value(v, schema, root) for v in value]
    return _field_value(value, schema, root)


def _field_value(value: Field, schema: JSON, root: JSON) -> JSON:
    if isinstance(value, Decoded):
        return value.value
    types = schema_types(schema, root)
    if "object" in types and "string" not in types and value.startswith("{"):
        # an object field written as JSON text: a multipart part without its
        # (default, application/json) Content-Type
        try:
            found = json.loads(value)
        except ValueError:
            return value
        return found if isinstance(found, dict) else value
    return coerce(value, schema, root)


def _pairs_to_object(items: list[str], schema: JSON, root: JSON) -> dict[str, JSON]:
    return {
        items[i]: _member(items[i + 1], property_schema(schema, root, items[i]), root)
        for i in range(0, len(items) - 1, 2)
    }


def _assignments_to_object(items: list[str], schema: JSON, root: JSON) -> dict[str, JSON]:
    out: dict[str, JSON] = {}
    for item in items:
        key, _, value = item.partition("=")
        out[key] = _member(value, property_schema(schema, root, key), root)
    return out


def _shape(text: str, parameter: Parameter, schema: JSON, root: JSON,
           delimiter: str = ",") -> JSON:
    """A delimited text value as the schema's array, object or primitive."""
    types = schema_types(schema, root)
    if "array" in types:
        if text == "":
            return []
        return [coerce(item, _items_schema(schema, root), root) for item in text.split(delimiter)]
    if "object" in types:
        items = text.split(delimiter) if text else []
        if parameter.explode:
            return _assignments_to_object(items, schema, root)
        return _pairs_to_object(items, schema, root)
    return coerce(text, schema, root)


def read_parameter(
    parameter: Parameter, request: HttpRequest, path_params: dict[str, str],
    cookies: dict[str, str], schema: JSON, claimed: frozenset[str] = frozenset(),
    array_format: ArrayFormat = "auto",
) -> Any:
    """The parameter's value from the request, or ``MISSING`` when it was not sent.

    ``claimed``: the operation's other query parameter names, which an exploded form
    object with free-form properties does not take. ``array_format="comma"``: a query
    array whose serialisation the contract does not give is also read from ``a=1,2``."""
    root = schema
    if parameter.content:  # the value is the media type's serialisation, not styled
        raw = _raw_text(parameter, request, path_params, cookies)
        if raw is _MISSING:
            return _MISSING
        media_type = next(iter(parameter.content)).split(";", 1)[0].strip().lower()
        if not is_json(media_type):
            return str(raw)  # text/plain, */*: the text itself
        try:
            return json.loads(raw)
        except json.JSONDecodeError as error:
            raise ParameterError(f"is not valid JSON: {error.msg}") from None
    if parameter.location == "query":
        return _query(parameter, request, schema, root, claimed, array_format)
    raw = _raw_text(parameter, request, path_params, cookies)
    if raw is _MISSING:
        return _MISSING
    text = str(raw)
    if parameter.location == "path" and parameter.style == "label":
        text = text[1:] if text.startswith(".") else text
        return _shape(text, parameter, schema, root, "." if parameter.explode else ",")
    if parameter.location == "path" and parameter.style == "matrix":
        return _matrix(text, parameter, schema, root)
    return _shape(text, parameter, schema, root)


def _raw_text(parameter: Parameter, request: HttpRequest, path_params: dict[str, str],
              cookies: dict[str, str]) -> Any:
    if parameter.location == "path":
        return path_params.get(parameter.name, _MISSING)
    if parameter.location == "header":
        return request.headers.get(parameter.name.lower(), _MISSING)
    if parameter.location == "cookie":
        return cookies.get(parameter.name, _MISSING)
    values = request.query_values(parameter.name)
    return values[0] if values else _MISSING


def _matrix(text: str, parameter: Parameter, schema: JSON, root: JSON) -> JSON:
    prefix = f";{parameter.name}="
    types = schema_types(schema, root)
    if "array" in types and parameter.explode:
        items = [part[len(prefix) - 1:] for part in (";" + text.lstrip(";")).split(";")[1:]
                 if part.startswith(f"{parameter.name}=")]
        return [coerce(i, _items_schema(schema, root), root) for i in items]
    if "object" in types and parameter.explode:
        return _assignments_to_object(text.lstrip(";").split(";"), schema, root)
    value = text[len(prefix):] if text.startswith(prefix) else text.lstrip(";")
    return _shape(value, parameter, schema, root)


def _query_leaf(root: JSON) -> Callable[[Any, JSON], JSON]:
    def leaf(value: Any, schema: JSON) -> JSON:
        if isinstance(value, list):  # sent more than once
            if "array" in schema_types(schema, root):
                return [coerce(v, _items_schema(schema, root), root) for v in value]
            return [coerce(v, schema, root) for v in value]
        if "array" in schema_types(schema, root):  # one item: name[tags]=a
            return [coerce(value, _items_schema(schema, root), root)]
        return coerce(value, schema, root)
    return leaf


def _query(parameter: Parameter, request: HttpRequest, schema: JSON, root: JSON,
           claimed: frozenset[str], array_format: ArrayFormat = "auto") -> Any:
    types = schema_types(schema, root)
    name = parameter.name
    if parameter.style == "deepObject" or not request.query_values(name):
        # name[key]=v (deepObject), nested (name[a][0][b]=v) or an array (name[]=v,
        # name[0]=v) as Stripe's and Stainless's SDKs send them
        bracketed = nest((key, value) for key, value in request.query
                         if key.startswith(f"{name}["))
        if name in bracketed:
            return nested_by_schema(bracketed[name], schema, root, _query_leaf(root))
        if parameter.style == "deepObject":
            return _MISSING
    if "object" in types and parameter.explode and parameter.style == "form":
        node = shape.resolve(schema, root if isinstance(root, dict) else {})
        known = set(node.get("properties") or ())
        # `?a=1&b=2` is the object {a: 1, b: 2}: with free-form properties every key no
        # other parameter owns (by name, or as `name[...]` for a deepObject) belongs to it
        extra = node.get("additionalProperties")
        free = extra is True or isinstance(extra, dict) or (extra is None and not known)
        sent: dict[str, list[Field]] = {}
        for key, value in request.query:
            if key in known or (free and key not in claimed
                                and key.partition("[")[0] not in claimed):
                sent.setdefault(key, []).append(value)
        if not sent:
            # {} and "not sent" are written alike: a required object needing no property
            # is present and empty
            return {} if parameter.required and not node.get("required") else _MISSING
        return {k: form_field(v if len(v) > 1 else v[0], property_schema(schema, root, k), root)
                for k, v in sent.items()}
    values = request.query_values(name)
    if not values:
        return _MISSING
    if "array" in types:
        delimiter = _DELIMITERS.get(parameter.style, ",")
        if parameter.explode and parameter.style == "form":
            if array_format == "comma" and not parameter.styled:
                values = [item for value in values for item in value.split(",")]
            return [coerce(v, _items_schema(schema, root), root) for v in values]
        return _shape(values[0], parameter, schema, root, delimiter)
    if len(values) > 1 and len(set(values)) > 1:
        # which one counts differs between servers: a client sending two means a bug
        raise ParameterError(f"is sent {len(values)} times with different values "
                             f"({', '.join(repr(v) for v in values[:3])}); it takes one")
    return _shape(values[0], parameter, schema, root)


MISSING = _MISSING
