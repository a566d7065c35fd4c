"""Build the contract model from an OpenAPI 3.x document (2.0 arrives already converted)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, cast

from contractkit._types import JSON
from contractkit.contract._runtime import ContractRuntime
from contractkit.contract._source import SourceDocument, join_pointer
from contractkit.contract.model import (
    HTTP_METHODS,
    Callback,
    Contract,
    Example,
    Header,
    MediaType,
    Operation,
    Parameter,
    ParameterLocation,
    Problem,
    RequestBody,
    Response,
    Schema,
    SecurityRequirement,
    SecurityScheme,
    Server,
)
from contractkit.contract.normalize import Dialect
from contractkit.contract.refs import Resolver, Target
from contractkit.contract.routing import template_variables

_DEFAULT_STYLE = {"path": "simple", "query": "form", "header": "simple", "cookie": "form"}
_LOCATIONS = ("path", "query", "header", "cookie")
#: Described by the request body, the responses and the security schemes instead.
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


class OpenAPIBuilder:
    """Walks one 3.x document once, following refs lazily, into frozen model objects."""

    def __init__(self, resolver: Resolver, dialect: Dialect) -> None:
        self.resolver = resolver
        self.dialect = dialect
        self.root = resolver.root
        self.problems: list[Problem] = []
        self._problem_sites: list[tuple[str, str, str, str, str]] = []

    def build(
        self, *, source: str, spec_version: str, raw: JSON,
        original_pointer: Callable[[str], str] | None = None,
    ) -> Contract:
        doc = self.root.data
        info = doc.get("info") if isinstance(doc.get("info"), dict) else {}
        components = _mapping(doc.get("components"))
        schemes = {
            name: self._security_scheme(name, node, join_pointer(
                "/components/securitySchemes", name))
            for name, node in _mapping(components.get("securitySchemes")).items()
        }
        default_security = _security(doc.get("security"))
        operations: list[Operation] = []
        for path, item in _mapping(doc.get("paths")).items():
            operations.extend(self._path_item(path, item, join_pointer("/paths", path),
                                              default_security))
        webhooks: list[Operation] = []
        for key in ("webhooks", "x-webhooks"):  # x-webhooks: the 3.0 extension (Redocly)
            for name, item in _mapping(doc.get(key)).items():
                webhooks.extend(self._path_item(name, item, join_pointer(f"/{key}", name),
                                                default_security, webhook=True))
        self._check_ids(operations)
        if not operations and not webhooks:
            self._problem("warning", self.root, "/paths", "the contract declares no operations",
                          "no-operations")
        schemas = {
            name: Schema(node, self.root.uri, join_pointer("/components/schemas", name))
            for name, node in _mapping(components.get("schemas")).items()
        }
        runtime = ContractRuntime(
            operations,
            resolver=self.resolver,
            dialect=self.dialect,
            original_pointer=original_pointer,
            extensions={k: v for k, v in doc.items() if k.startswith("x-")},
        )
        problems = tuple(
            Problem(severity, runtime.location(uri, pointer), message, code)  # type: ignore[arg-type]
            for severity, uri, pointer, message, code in self._problem_sites
        )
        return Contract(
            kind="openapi",
            spec_version=spec_version,
            title=str(info.get("title", "")),
            version=str(info.get("version", "")),
            source=source,
            operations=tuple(operations),
            security_schemes=schemes,
            servers=tuple(_servers(doc.get("servers"))),
            webhooks=tuple(webhooks),
            schemas=schemas,
            problems=problems,
            raw=raw,
            _runtime=runtime,
        )

    def _problem(self, severity: str, target: SourceDocument, pointer: str, message: str,
                 code: str) -> None:
        self._problem_sites.append((severity, target.uri, pointer, message, code))

    def _follow(self, node: JSON, document: SourceDocument, pointer: str) -> Target:
        return self.resolver.follow(node, document, pointer)

    def _path_item(
        self, path: str, item: JSON, pointer: str,
        default_security: tuple[SecurityRequirement, ...],
        *, webhook: bool = False,
    ) -> list[Operation]:
        target = self._follow(item, self.root, pointer)
        node, document, pointer = _mapping(target.value), target.document, target.pointer
        shared = self._parameters(node.get("parameters"), document, join_pointer(pointer,
                                                                                "parameters"))
        operations = []
        for method in HTTP_METHODS:
            raw = node.get(method)
            if not isinstance(raw, dict):
                continue
            op_pointer = join_pointer(pointer, method)
            own = self._parameters(raw.get("parameters"), document,
                                   join_pointer(op_pointer, "parameters"))
            merged = {(p.name, p.location): p for p in (*shared, *own)}
            operation = self._operation(path, method, raw, document, op_pointer,
                                        tuple(merged.values()), default_security)
            if not webhook:
                self._check_path_parameters(operation, document)
            operations.append(operation)
        return operations

    def _operation(
        self, path: str, method: str, raw: dict[str, Any], document: SourceDocument,
        pointer: str, parameters: tuple[Parameter, ...],
        default_security: tuple[SecurityRequirement, ...],
    ) -> Operation:
        operation_id = raw.get("operationId")
        body = None
        if "requestBody" in raw:
            body = self._request_body(raw["requestBody"], document,
                                      join_pointer(pointer, "requestBody"))
        responses = {  # keys upper-cased: "200", "4XX", "DEFAULT"
            str(status).upper(): self._response(str(status), node, document,
                                                join_pointer(pointer, "responses", status))
            for status, node in _mapping(raw.get("responses")).items()
        }
        security = _security(raw["security"]) if "security" in raw else default_security
        tags = raw.get("tags")
        return Operation(
            id=str(operation_id) if operation_id else f"{method.upper()} {path}",
            method=method.upper(),
            path=path,
            parameters=parameters,
            request_body=body,
            responses=responses,
            security=security,
            deprecated=raw.get("deprecated") is True,
            summary=str(raw.get("summary") or ""),
            description=str(raw.get("description") or ""),
            tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
            callbacks=_mapping(raw.get("callbacks")),
            callback_operations=self._callbacks(raw.get("callbacks"), document,
                                                join_pointer(pointer, "callbacks"),
                                                default_security),
            extensions={k: v for k, v in raw.items() if k.startswith("x-")},
            generated_id=not operation_id,
            uri=document.uri,
            pointer=pointer,
        )

    def _callbacks(self, raw: JSON, document: SourceDocument, pointer: str,
                   default_security: tuple[SecurityRequirement, ...]) -> tuple[Callback, ...]:
        found = []
        for name, node in _mapping(raw).items():
            target = self._follow(node, document, join_pointer(pointer, name))
            for expression, item in _mapping(target.value).items():
                if not isinstance(expression, str) or expression.startswith("x-"):
                    continue
                for operation in self._path_item(
                        expression, item, join_pointer(target.pointer, expression),
                        default_security, webhook=True):
                    found.append(Callback(str(name), expression, operation))
        return tuple(found)

    def _parameters(self, raw: JSON, document: SourceDocument, pointer: str) -> list[Parameter]:
        if not isinstance(raw, list):
            return []
        out = []
        for index, node in enumerate(raw):
            target = self._follow(node, document, f"{pointer}/{index}")
            value = target.value
            if not isinstance(value, dict) or value.get("in") not in _LOCATIONS:
                self._problem("error", target.document, target.pointer,
                              "parameter needs 'name' and 'in' (path, query, header or cookie)",
                              "parameter-invalid")
                continue
            if value["in"] == "header" and str(value.get("name", "")).lower() in _IGNORED_HEADERS:
                continue  # the OpenAPI spec: such header parameters SHALL be ignored
            out.append(self._parameter(value, target.document, target.pointer))
        return out

    def _parameter(self, raw: dict[str, Any], document: SourceDocument, pointer: str) -> Parameter:
        location = cast(ParameterLocation, raw["in"])
        style = str(raw.get("style") or _DEFAULT_STYLE[location])
        explode = raw.get("explode")
        return Parameter(
            name=str(raw.get("name", "")),
            location=location,
            required=location == "path" or raw.get("required") is True,
            schema=self._schema(raw, document, pointer),
            style=style,
            explode=bool(explode) if explode is not None else style == "form",
            allow_reserved=raw.get("allowReserved") is True,
            content=self._content(raw.get("content"), document, join_pointer(pointer, "content")),
            deprecated=raw.get("deprecated") is True,
            description=str(raw.get("description") or ""),
            examples=self._examples(raw, document, pointer),
            pointer=pointer,
            styled="style" in raw or "explode" in raw,
        )

    def _request_body(self, raw: JSON, document: SourceDocument, pointer: str) -> RequestBody:
        target = self._follow(raw, document, pointer)
        value = _mapping(target.value)
        return RequestBody(
            required=value.get("required") is True,
            content=self._content(value.get("content"), target.document,
                                  join_pointer(target.pointer, "content")),
            description=str(value.get("description") or ""),
            pointer=target.pointer,
        )

    def _response(self, status: str, raw: JSON, document: SourceDocument,
                  pointer: str) -> Response:
        target = self._follow(raw, document, pointer)
        value = _mapping(target.value)
        headers = {}
        for name, node in _mapping(value.get("headers")).items():
            header_pointer = join_pointer(target.pointer, "headers", name)
            found = self._follow(node, target.document, header_pointer)
            header = _mapping(found.value)
            headers[name] = Header(
                name=name,
                required=header.get("required") is True,
                schema=self._schema(header, found.document, found.pointer),
                deprecated=header.get("deprecated") is True,
                description=str(header.get("description") or ""),
                examples=self._examples(header, found.document, found.pointer),
                pointer=found.pointer,
            )
        return Response(
            status=status.upper(),
            description=str(value.get("description") or ""),
            headers=headers,
            content=self._content(value.get("content"), target.document,
                                  join_pointer(target.pointer, "content")),
            pointer=target.pointer,
        )

    def _content(self, raw: JSON, document: SourceDocument, pointer: str) -> dict[str, MediaType]:
        out = {}
        for name, node in _mapping(raw).items():
            here = join_pointer(pointer, name)
            media = _mapping(node)
            out[name] = MediaType(
                name=name,
                schema=self._schema(media, document, here),
                examples=self._examples(media, document, here),
                pointer=here,
            )
        return out

    def _schema(self, owner: dict[str, Any], document: SourceDocument,
                pointer: str) -> Schema | None:
        if "schema" not in owner:
            return None
        return Schema(owner["schema"], document.uri, join_pointer(pointer, "schema"))

    def _examples(self, owner: dict[str, Any], document: SourceDocument,
                  pointer: str) -> tuple[Example, ...]:
        found = []
        if "example" in owner:
            found.append(Example("example", owner["example"], pointer=join_pointer(
                pointer, "example")))
        for name, node in _mapping(owner.get("examples")).items():
            target = self._follow(node, document, join_pointer(pointer, "examples", name))
            example = _mapping(target.value)
            if "value" in example:
                found.append(Example(str(name), example["value"],
                                     str(example.get("summary") or ""),
                                     join_pointer(target.pointer, "value")))
        return tuple(found)

    def _security_scheme(self, name: str, raw: JSON, pointer: str) -> SecurityScheme:
        target = self._follow(raw, self.root, pointer)
        node = _mapping(target.value)
        scopes: list[str] = []
        for flow in _mapping(node.get("flows")).values():
            scopes.extend(str(s) for s in _mapping(_mapping(flow).get("scopes")))
        return SecurityScheme(
            name=name,
            type=str(node.get("type", "")),
            scheme=str(node.get("scheme", "")).lower(),
            location=str(node.get("in", "")),
            parameter_name=str(node.get("name", "")),
            bearer_format=str(node.get("bearerFormat", "")),
            scopes=tuple(dict.fromkeys(scopes)),
            open_id_connect_url=str(node.get("openIdConnectUrl", "")),
            pointer=target.pointer,
        )

    def _check_ids(self, operations: list[Operation]) -> None:
        first: dict[str, Operation] = {}
        for operation in operations:
            if operation.generated_id:
                continue
            if operation.id in first:
                other = first[operation.id]
                self._problem(
                    "error", self.resolver.document(operation.uri),
                    join_pointer(operation.pointer, "operationId"),
                    f"duplicate operationId {operation.id!r} (also {other.method} {other.path}); "
                    "operationIds must be unique", "operation-id-duplicate")
            else:
                first[operation.id] = operation

    def _check_path_parameters(self, operation: Operation, document: SourceDocument) -> None:
        declared = {p.name for p in operation.parameters if p.location == "path"}
        for variable in template_variables(operation.path):
            if variable not in declared:
                self._problem(
                    "error", document, operation.pointer,
                    f"path template variable {{{variable}}} of {operation.method} "
                    f"{operation.path} is not declared as an 'in: path' parameter",
                    "path-parameter-undeclared")
        for name in declared - set(template_variables(operation.path)):
            self._problem(
                "warning", document, operation.pointer,
                f"path parameter {name!r} is declared but {operation.path} has no {{{name}}}",
                "path-parameter-unused")


def _mapping(value: JSON) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _security(raw: JSON) -> tuple[SecurityRequirement, ...]:
    if not isinstance(raw, list):
        return ()
    alternatives = []
    for requirement in raw:
        if isinstance(requirement, dict):
            alternatives.append({
                str(name): tuple(str(s) for s in scopes) if isinstance(scopes, list) else ()
                for name, scopes in requirement.items()
            })
    return tuple(alternatives)


def _servers(raw: JSON) -> list[Server]:
    if not isinstance(raw, list):
        return []
    return [
        Server(url=str(s.get("url", "")), description=str(s.get("description") or ""),
               variables=_mapping(s.get("variables")))
        for s in raw if isinstance(s, dict)
    ]


def dialect_of(spec_version: str) -> Literal["openapi-3.1", "openapi-3.0", "swagger-2.0"]:
    if spec_version.startswith("2"):
        return "swagger-2.0"
    if spec_version.startswith("3.0"):
        return "openapi-3.0"
    return "openapi-3.1"
