"""Validate requests and responses of one operation; violations are data.

A :class:`Violation` says where (``location`` — path, query, header, cookie, body,
content-type, security, status — and a JSON pointer inside that part) and what is wrong.
Validators for parameters and bodies are compiled on first use and cached per operation.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import Compat32
from email.utils import collapse_rfc2231_value
from typing import Any, Literal
from urllib.parse import parse_qsl

from contractkit._http import HttpRequest, HttpResponse
from contractkit._types import JSON
from contractkit.contract.brackets import nest, split_key
from contractkit.contract.media_types import is_json, is_xml
from contractkit.contract.model import (
    Contract,
    MediaType,
    Operation,
    Parameter,
    Response,
    Schema,
    SecurityScheme,
)
from contractkit.contract.params import (
    MISSING,
    ArrayFormat,
    Decoded,
    Field,
    ParameterError,
    coerce,
    form_field,
    nested_by_schema,
    property_schema,
    read_parameter,
    schema_types,
)
from contractkit.contract.schema_validator import CompiledSchema
from contractkit.contract.shape import resolve
from contractkit.contract.xml_body import read_xml

Direction = Literal["request", "response"]


@dataclass(frozen=True)
class Violation:
    """One way a request or response breaks the contract."""

    location: str
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}{self.pointer}: {self.message}"


@dataclass(frozen=True)
class RequestValidation:
    """What validating a request found, and the values it read on the way."""

    violations: tuple[Violation, ...]
    parameters: Mapping[str, Mapping[str, JSON]] = field(default_factory=dict)
    body: JSON = None
    media_type: str = ""

    @property
    def ok(self) -> bool:
        return not self.violations


def media_type_matches(pattern: str, actual: str) -> bool:
    """``application/*`` matches ``application/json``; ``*/*`` matches anything."""
    pattern = pattern.split(";", 1)[0].strip().lower()
    if pattern in ("*/*", actual):
        return True
    kind, _, sub = pattern.partition("/")
    actual_kind, _, _actual_sub = actual.partition("/")
    return sub == "*" and kind == actual_kind


def find_media_type(content: Mapping[str, MediaType], actual: str) -> MediaType | None:
    exact = [m for name, m in content.items() if name.split(";")[0].strip().lower() == actual]
    if exact:
        return exact[0]
    for name, media in content.items():
        if media_type_matches(name, actual):
            return media
    return None


def find_response(operation: Operation, status: int) -> Response | None:
    """The declared response for a status: exact, then ``4XX``-style range, then default."""
    responses = operation.responses
    return (responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
            or responses.get("DEFAULT"))


@dataclass(frozen=True)
class _ParameterPlan:
    parameter: Parameter
    pointer: str
    schema: JSON
    compiled: CompiledSchema | None
    claimed: frozenset[str] = frozenset()  # the operation's other query parameters


class OperationValidator:
    """Validates requests to, and responses from, one operation."""

    def __init__(self, contract: Contract, operation: Operation, *,
                 array_format: ArrayFormat = "auto") -> None:
        self.contract = contract
        self.operation = operation
        #: serialisations of query arrays read where the contract gives none
        self.array_format: ArrayFormat = array_format
        self._compiled: dict[tuple[str, str, Direction], tuple[JSON, CompiledSchema]] = {}
        self._parameter_plan: list[_ParameterPlan] | None = None
        self._reads_cookies = any(p.location == "cookie" for p in operation.parameters)

    def compiled(self, schema: Schema, direction: Direction) -> tuple[JSON, CompiledSchema]:
        key = (schema.uri, schema.pointer, direction)
        found = self._compiled.get(key)
        if found is None:
            bundled = self.contract.schema_bundle(schema, direction)
            found = self._compiled[key] = (bundled, CompiledSchema(bundled))
        return found

    # -- requests ---------------------------------------------------------------------

    def validate_request(
        self, request: HttpRequest, path_params: Mapping[str, str] | None = None
    ) -> RequestValidation:
        violations: list[Violation] = []
        values: dict[str, dict[str, JSON]] = {"path": {}, "query": {}, "header": {},
                                              "cookie": {}}
        cookies = request.cookies() if self._reads_cookies else {}
        path = dict(path_params or {})
        for plan in self._plan():
            self._parameter(plan, request, path, cookies, values, violations)
        violations.extend(self._security(request))
        body, media_type = self._body(request, violations)
        return RequestValidation(tuple(violations), values, body, media_type)

    def _plan(self) -> list[_ParameterPlan]:
        """Per parameter, what every request needs: its pointer and compiled schema."""
        if self._parameter_plan is None:
            plan = []
            for parameter in self.operation.parameters:
                schema = parameter.schema
                if schema is None and parameter.content:
                    schema = next(iter(parameter.content.values())).schema
                bundled, compiled = (self.compiled(schema, "request") if schema
                                     else ({}, None))
                where = "/" + parameter.name.replace("~", "~0").replace("/", "~1")
                plan.append(_ParameterPlan(parameter, where, bundled, compiled))
            self._parameter_plan = [
                _ParameterPlan(p.parameter, p.pointer, p.schema, p.compiled,
                               self._query_keys(plan, p.parameter)) for p in plan]
        return self._parameter_plan

    def _query_keys(self, plan: list[_ParameterPlan], parameter: Parameter) -> frozenset[str]:
        """The query keys that other parameters own: their names, the properties of
        exploded objects, the API keys sent in the query."""
        owned = {s.parameter_name for s in self.contract.security_schemes.values()
                 if s.type == "apiKey" and s.location == "query" and s.parameter_name}
        for other in plan:
            if other.parameter is parameter or other.parameter.location != "query":
                continue
            owned.add(other.parameter.name)
            if other.parameter.explode and other.parameter.style == "form":
                node = resolve(other.schema, other.schema if isinstance(other.schema, dict)
                               else {})
                owned.update(node.get("properties") or ())
        return frozenset(owned)

    def _parameter(
        self, plan: _ParameterPlan, request: HttpRequest, path_params: dict[str, str],
        cookies: dict[str, str], values: dict[str, dict[str, JSON]],
        violations: list[Violation],
    ) -> None:
        parameter, where = plan.parameter, plan.pointer
        try:
            value = read_parameter(parameter, request, path_params, cookies, plan.schema,
                                   plan.claimed, self.array_format)
        except ParameterError as error:
            violations.append(Violation(parameter.location, where, str(error)))
            return
        if value is MISSING:
            if parameter.required:
                violations.append(Violation(
                    parameter.location, where,
                    f"required {parameter.location} parameter {parameter.name!r} is missing"))
            return
        values[parameter.location][parameter.name] = value
        if plan.compiled is not None:
            violations.extend(Violation(parameter.location, where + found.pointer, found.message)
                              for found in plan.compiled.errors(value))

    def _security(self, request: HttpRequest) -> list[Violation]:
        alternatives = self.operation.security
        if not alternatives or any(not requirement for requirement in alternatives):
            return []
        schemes = self.contract.security_schemes
        for requirement in alternatives:
            if all(_credential_present(schemes.get(name), request) for name in requirement):
                return []
        wanted = " or ".join(
            " and ".join(_describe(schemes.get(name), name) for name in requirement)
            for requirement in alternatives
        )
        return [Violation("security", "", f"missing credentials: expected {wanted}")]

    def _body(self, request: HttpRequest, violations: list[Violation]) -> tuple[JSON, str]:
        declared = self.operation.request_body
        if declared is None or not declared.content:
            return None, ""
        actual = request.content_type
        if not request.body and (not actual or is_json(actual)):
            # no entity at all. A zero-length JSON body is no JSON value but a leftover
            # header (SDKs set Content-Type on every request, sendgrid's on GETs): no body.
            # With another Content-Type it is a value (the empty string of text/plain, say)
            # that the schema decides on
            if declared.required:
                violations.append(Violation("body", "", "request body is required but empty"))
            return None, ""
        media = find_media_type(declared.content, actual) if actual else None
        if media is None:
            expected = ", ".join(declared.content)
            violations.append(Violation(
                "content-type", "",
                f"Content-Type {actual or '(none)'!r} is not accepted; expected {expected}"))
            return None, actual
        try:
            if is_xml(actual):
                # read by the schema's XML mapping (elements, attributes, wrapped arrays)
                bundled = (self.compiled(media.schema, "request")[0]
                           if media.schema is not None else {})
                body = read_xml(request.body, bundled)
                if media.schema is not None:
                    violations.extend(Violation("body", found.pointer, found.message)
                                      for found in self.compiled(media.schema,
                                                                 "request")[1].errors(body))
                return body, actual
            body = parse_body(request.body, actual, request.headers.get("content-type", ""))
        except ValueError as error:
            violations.append(Violation("body", "", str(error)))
            return None, actual
        if media.schema is not None and body is not MISSING:
            bundled, compiled = self.compiled(media.schema, "request")
            if not is_json(actual) and isinstance(body, dict):
                body = _coerce_form(body, bundled, flattened=actual.endswith("urlencoded"),
                                    comma=self.array_format == "comma")
            if not is_json(actual) and _not_deserialisable(body, bundled):
                # text/csv into an array, a form into an array...: no parser turns this
                # encoding into the schema's data, so it is not checked against it
                return body, actual
            violations.extend(Violation("body", found.pointer, found.message)
                              for found in compiled.errors(body))
        return (None if body is MISSING else body), actual

    # -- responses --------------------------------------------------------------------

    def validate_response(self, response: HttpResponse) -> list[Violation]:
        declared = find_response(self.operation, response.status)
        if declared is None:
            known = ", ".join(self.operation.responses) or "none"
            return [Violation("status", "", f"status {response.status} is not declared for "
                                            f"{self.operation.id} (declared: {known})")]
        violations: list[Violation] = []
        for name, header in declared.headers.items():
            value = response.headers.get(name.lower())
            where = "/" + name
            if value is None:
                if header.required:
                    violations.append(Violation("header", where,
                                                f"required response header {name!r} is missing"))
                continue
            if header.schema is not None:
                bundled, compiled = self.compiled(header.schema, "response")
                for error in compiled.errors(coerce(value, bundled, bundled)):
                    violations.append(Violation("header", where + error.pointer, error.message))
        if not declared.content:
            return violations
        actual = response.content_type
        media = find_media_type(declared.content, actual) if actual else None
        if media is None:
            if response.body or actual:
                violations.append(Violation(
                    "content-type", "", f"Content-Type {actual or '(none)'!r} is not declared "
                    f"for status {response.status}; expected {', '.join(declared.content)}"))
            return violations
        if media.schema is None or not (is_json(actual) or actual.startswith("text/")):
            return violations
        try:
            body = parse_body(response.body, actual, response.headers.get("content-type", ""))
        except ValueError as error:
            return [*violations, Violation("body", "", str(error))]
        _, compiled = self.compiled(media.schema, "response")
        violations.extend(Violation("body", e.pointer, e.message) for e in compiled.errors(body))
        return violations


def parse_body(raw: bytes, media_type: str, content_type_header: str) -> Any:
    """Decode a body by media type; ``ValueError`` with a located message if it can't be."""
    if is_json(media_type):
        try:
            return json.loads(raw)
        except UnicodeDecodeError:
            raise ValueError("body is not valid UTF-8") from None
        except json.JSONDecodeError as error:
            raise ValueError(f"body is not valid JSON: {error.msg} at line {error.lineno} "
                             f"column {error.colno}") from None
        except RecursionError:
            raise ValueError("body JSON is nested too deeply to parse (deeper than Python's "
                             f"recursion limit, {sys.getrecursionlimit()} levels)") from None
    if media_type == "application/x-www-form-urlencoded":
        try:
            return _fields(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise ValueError("form body is not valid UTF-8") from None
    if media_type.startswith("multipart/"):
        return _multipart(raw, content_type_header)
    if media_type.startswith("text/"):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("text body is not valid UTF-8") from None
    return MISSING


def _fields(pairs: Iterable[tuple[str, Field]]) -> dict[str, Field | list[Field]]:
    """Form or multipart fields by name; a name sent more than once (an exploded array,
    the default encoding) keeps every value, in order."""
    out: dict[str, Field | list[Field]] = {}
    for name, value in pairs:
        found = out.get(name)
        if found is None:
            out[name] = value
        elif isinstance(found, list):
            found.append(value)
        else:
            out[name] = [found, value]
    return out


_MULTIPART_DEFECTS = {
    "CloseBoundaryNotFoundDefect": "multipart body has no close delimiter (--BOUNDARY--)",
    "StartBoundaryNotFoundDefect": "multipart body does not start with its boundary",
}


class _RawHeaderPolicy(Compat32):
    """compat32, not the HTTP policy: the same parse and defects without the header
    registry, which cost ~0.5 ms a part (a 30-field form took 15 ms, now 2); header values
    are kept as parsed (raw UTF-8 as surrogates, see ``_header_text``), not wrapped in
    ``Header`` objects that turn them into replacement characters."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        return value


_MULTIPART_POLICY = _RawHeaderPolicy()


def _multipart(raw: bytes, content_type_header: str) -> dict[str, Field | list[Field]]:
    if "boundary=" not in content_type_header:
        raise ValueError("multipart body has no boundary in its Content-Type")
    message = BytesParser(policy=_MULTIPART_POLICY).parsebytes(
        b"Content-Type: " + content_type_header.encode("latin-1") + b"\r\n\r\n" + raw)
    if not message.is_multipart():
        if raw.strip() == f"--{message.get_boundary()}--".encode("latin-1"):
            return {}  # only the close delimiter: a form with no fields
        raise ValueError("multipart body could not be parsed")
    if message.defects:  # e.g. no close delimiter: a truncated or hand-made body
        defect = type(message.defects[0]).__name__
        raise ValueError(_MULTIPART_DEFECTS.get(defect, f"multipart body is malformed ({defect})"))
    pairs: list[tuple[str, Field]] = []
    parts = message.get_payload()
    for number, part in enumerate(parts if isinstance(parts, list) else [], 1):
        name = _header_text(part.get_param("name", header="content-disposition"))
        if name is None:  # RFC 7578: every part is a named form-data field
            raise ValueError(f"multipart part {number} has no Content-Disposition name")
        if part.defects:
            raise ValueError(f"multipart part {number} ({name!r}) is malformed "
                             f"({type(part.defects[0]).__name__})")
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            payload = b""
        if is_json(part.get_content_type()):
            # OpenAPI's default encoding for object and array fields
            try:
                pairs.append((name, Decoded(json.loads(payload))))
            except (ValueError, RecursionError):
                raise ValueError(f"multipart field {name!r} is not valid JSON") from None
            continue
        if part.get_filename() is None:
            try:
                pairs.append((name, payload.decode("utf-8")))
                continue
            except UnicodeDecodeError:
                pass
        pairs.append((name, payload.decode("latin-1")))  # files: any bytes are binary
    return _fields(pairs)


def _header_text(value: str | tuple[str, str | None, str] | None) -> str | None:
    """A compat32 header parameter as text: RFC 2231 values (``name*=utf-8''...``) decoded
    by their charset, raw UTF-8 bytes (kept as surrogates by that policy) decoded."""
    if value is None:
        return None
    if isinstance(value, tuple):
        value = collapse_rfc2231_value(value)
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _not_deserialisable(body: Any, schema: JSON) -> bool:
    types = schema_types(schema, schema)
    if not types:
        return False
    if isinstance(body, str):
        return "string" not in types
    return isinstance(body, dict) and "object" not in types


def _coerce_form(body: dict[str, Any], schema: JSON, *, flattened: bool,
                 comma: bool = False) -> dict[str, Any]:
    """Fields read by their property's schema. An exploded array with no items has no field
    at all (``a=1&a=2``, then nothing), so a required array that is absent is empty. In a
    urlencoded form (``flattened``) an object property is exploded too, as OpenAPI's
    default ``style: form, explode: true`` says: ``location: {type, coordinates}`` is sent
    as ``type=Point&coordinates=1&coordinates=2``. ``comma``: an array field sent once is
    comma-separated (``--array-format comma``)."""
    bundle = schema if isinstance(schema, dict) else {}
    shape = resolve(schema, bundle)
    body, nested = _bracketed_fields(body, shape, schema)
    value = {k: form_field(v, property_schema(schema, schema, k), schema, comma=comma)
             for k, v in body.items()}
    value.update(nested)
    if flattened:
        _gather_exploded_objects(body, value, shape, schema)
    for name in shape.get("required", ()):
        types = set(schema_types(property_schema(schema, schema, name), schema))
        if name not in value and "array" in types and types <= {"array", "null"}:
            value[name] = []
    return value


def _bracketed_fields(body: dict[str, Any], shape: dict[str, Any],
                      schema: JSON) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fields in bracket notation (``metadata[key]=v``, ``items[0][price]=p``,
    ``include[]=x``: OpenAPI's ``encoding: {style: deepObject}``, and what Stripe's and
    Stainless's SDKs send where the contract is silent), nested and read by the schema; the
    other fields as they were. A bracketed name is nested only when its base is not itself a
    declared property name (``a[b]`` declared literally stays a field)."""
    declared = shape.get("properties") or {}
    plain: dict[str, Any] = {}
    bracketed: list[tuple[str, Any]] = []
    for key, raw in body.items():
        parts = split_key(key) if "[" in key and key not in declared else None
        if parts is None:
            plain[key] = raw
        else:
            bracketed.extend((key, item) for item in (raw if isinstance(raw, list) else [raw]))
    if not bracketed:
        return body, {}
    nested = {name: nested_by_schema(member, property_schema(schema, schema, name), schema,
                                     lambda leaf, at: form_field(leaf, at, schema))
              for name, member in nest(bracketed).items()}
    return plain, nested


def _gather_exploded_objects(body: dict[str, Any], value: dict[str, Any],
                             shape: dict[str, Any], schema: JSON) -> None:
    """Move the fields of each exploded object property (absent by its own name) from the
    top level into it. A required one that needs no property and got none is ``{}``."""
    declared: dict[str, Any] = shape.get("properties") or {}
    required = set(shape.get("required") or ())
    moved: set[str] = set()
    for name, raw in declared.items():
        if name in body or "object" not in schema_types(raw, schema):
            continue
        members = _property_names(raw, schema) - set(declared)
        taken = [key for key in body if key in members]  # shared members go to each
        if taken:
            value[name] = {key: form_field(body[key], property_schema(raw, schema, key), schema)
                          for key in taken}
            moved.update(taken)
        elif name in required and not resolve(raw, schema if isinstance(schema, dict)
                                              else {}).get("required"):
            value[name] = {}
    for key in moved:
        del value[key]


def _property_names(raw: JSON, schema: JSON, seen: set[str] | None = None) -> set[str]:
    """The properties an object schema declares, in ``allOf`` parts and in any branch
    (each referenced schema once)."""
    seen = set() if seen is None else seen
    ref = raw.get("$ref") if isinstance(raw, dict) else None
    if isinstance(ref, str):
        if ref in seen:
            return set()
        seen.add(ref)
    node = resolve(raw, schema if isinstance(schema, dict) else {})
    names = set(node.get("properties") or ())
    for branch in (*(node.get("anyOf") or ()), *(node.get("oneOf") or ())):
        names |= _property_names(branch, schema, seen)
    return names


def _credential_present(scheme: SecurityScheme | None, request: HttpRequest) -> bool:
    if scheme is None:
        return False
    authorization = request.headers.get("authorization", "")
    if scheme.type == "apiKey":
        # presence is what a contract can check; whether a key is genuine is the provider's
        name = scheme.parameter_name
        if scheme.location == "header":
            return name.lower() in request.headers
        if scheme.location == "query":
            return any(key == name for key, _ in request.query)
        return name in request.cookies()
    if scheme.type == "http":
        prefix = (scheme.scheme or "bearer").lower() + " "
        return authorization.lower().startswith(prefix) and len(authorization) > len(prefix)
    if scheme.type in ("oauth2", "openIdConnect"):
        return authorization.lower().startswith("bearer ") and len(authorization) > 7
    return True  # mutualTLS: the TLS layer decides; nothing to see in the request


def _describe(scheme: SecurityScheme | None, name: str) -> str:
    if scheme is None:
        return f"{name} (undeclared scheme)"
    if scheme.type == "apiKey":
        return f"API key in {scheme.location} {scheme.parameter_name!r} ({name})"
    if scheme.type == "http":
        return f"{scheme.scheme or 'bearer'} credentials in Authorization ({name})"
    return f"bearer token in Authorization ({name})"


def validator_for(contract: Contract, operation: Operation) -> OperationValidator:
    """The cached validator of one operation of a contract."""
    cache: dict[Any, OperationValidator] = contract._runtime.cache("validators")
    key = (operation.method, operation.path, operation.id)
    found = cache.get(key)
    if found is None:
        found = cache[key] = OperationValidator(contract, operation)
    return found
