"""The contract model: what every layer above ``contract/`` works with.

OpenAPI 2.0 / 3.0 / 3.1 and GraphQL all load into these frozen dataclasses. Schemas stay as
written (``Schema.raw``, for diffing); :meth:`Contract.schema_bundle` gives the normalised,
self-contained 2020-12 form that validators and the generator use.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from contractkit._types import JSON
from contractkit.errors import Location, OperationNotFound

if TYPE_CHECKING:
    from contractkit.contract._runtime import ContractRuntime
    from contractkit.contract.routing import RouteMatch
    from contractkit.contract.validation import OperationValidator

ParameterLocation = Literal["path", "query", "header", "cookie"]
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Schema:
    """A schema as written in the contract, and where: ``uri`` of its file and ``pointer``."""

    raw: JSON
    uri: str
    pointer: str


@dataclass(frozen=True)
class Example:
    name: str
    value: JSON
    summary: str = ""
    pointer: str = ""


@dataclass(frozen=True)
class MediaType:
    name: str
    schema: Schema | None
    examples: tuple[Example, ...] = ()
    pointer: str = ""


@dataclass(frozen=True)
class Parameter:
    name: str
    location: ParameterLocation
    required: bool
    schema: Schema | None
    style: str
    explode: bool
    allow_reserved: bool = False
    content: Mapping[str, MediaType] = field(default_factory=dict)
    deprecated: bool = False
    description: str = ""
    examples: tuple[Example, ...] = ()
    pointer: str = ""
    #: the contract gives ``style`` or ``explode`` (else the defaults apply, and the mock
    #: may read other serialisations a client uses: ``--array-format``)
    styled: bool = False


@dataclass(frozen=True)
class Header:
    name: str
    required: bool
    schema: Schema | None
    deprecated: bool = False
    description: str = ""
    examples: tuple[Example, ...] = ()
    pointer: str = ""


@dataclass(frozen=True)
class RequestBody:
    required: bool
    content: Mapping[str, MediaType]
    description: str = ""
    pointer: str = ""


@dataclass(frozen=True)
class Response:
    status: str  # "200", "4XX" or "default"
    description: str
    headers: Mapping[str, Header] = field(default_factory=dict)
    content: Mapping[str, MediaType] = field(default_factory=dict)
    pointer: str = ""


@dataclass(frozen=True)
class SecurityScheme:
    name: str
    type: str  # apiKey | http | oauth2 | openIdConnect | mutualTLS
    scheme: str = ""  # for http: basic, bearer, digest...
    location: str = ""  # for apiKey: header | query | cookie
    parameter_name: str = ""  # for apiKey
    bearer_format: str = ""
    scopes: tuple[str, ...] = ()
    open_id_connect_url: str = ""
    pointer: str = ""


#: One way to authenticate: every scheme named must be satisfied (scheme → scopes).
SecurityRequirement = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Server:
    url: str
    description: str = ""
    variables: Mapping[str, JSON] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The path part of the URL (``/v1``, ``""`` for none); server variables take
        their defaults (``https://api.example.com/{version}`` → ``/v2``)."""
        url = self.url
        for name, variable in self.variables.items():
            default = variable.get("default") if isinstance(variable, Mapping) else None
            if isinstance(default, str | int | float):
                url = url.replace("{" + name + "}", str(default))
        return urlsplit(url).path.rstrip("/")


@dataclass(frozen=True)
class Callback:
    """One request an operation's ``callbacks`` says the provider makes: ``name`` (the
    callback's key), ``expression`` (the URL as a runtime expression,
    ``{$request.body#/callbackUrl}``) and the request as an operation."""

    name: str
    expression: str
    operation: Operation


@dataclass(frozen=True)
class Operation:
    id: str
    method: str  # upper case; "POST" for GraphQL root fields
    path: str
    parameters: tuple[Parameter, ...] = ()
    request_body: RequestBody | None = None
    responses: Mapping[str, Response] = field(default_factory=dict)
    #: Alternatives; ``()`` means none required. Already defaulted from the contract level.
    security: tuple[SecurityRequirement, ...] = ()
    deprecated: bool = False
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    callbacks: Mapping[str, JSON] = field(default_factory=dict)
    #: ``callbacks`` built: each expression's requests, in the order written
    callback_operations: tuple[Callback, ...] = ()
    extensions: Mapping[str, JSON] = field(default_factory=dict)
    #: True when the contract gave no operationId and one was made from method and path.
    generated_id: bool = False
    uri: str = ""
    pointer: str = ""

    def parameter(self, name: str, location: ParameterLocation) -> Parameter | None:
        for parameter in self.parameters:
            if parameter.name == name and parameter.location == location:
                return parameter
        return None


@dataclass(frozen=True)
class Problem:
    """Something wrong or suspicious in a contract that does not stop it from loading."""

    severity: Literal["error", "warning"]
    location: Location
    message: str
    code: str

    def __str__(self) -> str:
        parts = [str(self.location)]
        if self.location.pointer:
            parts.append(self.location.pointer)
        parts.append(f"{self.severity}: {self.message}")
        return "  ".join(parts)


@dataclass(frozen=True)
class Contract:
    """One loaded contract: its operations and everything needed to validate and mock them."""

    kind: Literal["openapi", "graphql"]
    spec_version: str  # "2.0", "3.0.3", "3.1.0" … or "graphql"
    title: str
    version: str  # info.version
    source: str  # the path or URL it was loaded from, as given
    operations: tuple[Operation, ...]
    security_schemes: Mapping[str, SecurityScheme] = field(default_factory=dict)
    servers: tuple[Server, ...] = ()
    webhooks: tuple[Operation, ...] = ()
    schemas: Mapping[str, Schema] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    #: The document as written (Swagger 2.0 stays 2.0), for diffing.
    raw: JSON = field(default=None, repr=False, compare=False)
    _runtime: ContractRuntime = field(default=None, repr=False, compare=False)  # type: ignore[assignment]

    @property
    def base_path(self) -> str:
        """The path part of the first server URL (``/v1``), or ``""``; server variables
        take their defaults (``https://api.example.com/{version}`` → ``/v2``)."""
        return self.servers[0].path if self.servers else ""

    def operation(self, operation_id: str) -> Operation:
        """The operation with this id; ``OperationNotFound`` (with suggestions) otherwise."""
        found = self._runtime.by_id.get(operation_id)
        if found is None:
            close = difflib.get_close_matches(operation_id, list(self._runtime.by_id), n=3)
            raise OperationNotFound(operation_id, close)
        return found

    def match(self, method: str, path: str, headers: Mapping[str, str] | None = None,
              query: Sequence[tuple[str, str]] = ()) -> RouteMatch | None:
        """The operation serving ``method path``, if any. ``path`` is relative to the base
        path and still percent-encoded (``%2F`` inside a parameter is not a separator).
        ``headers`` (lower-case names) and ``query`` (decoded pairs) pick among operations
        that share method and path and tell themselves apart by a header, as AWS contracts
        do (``/#X-Amz-Target=Logs.PutLogEvents``), or by a query written in the path key
        (``/request?view=collection``)."""
        return self._runtime.router.match(method, path, headers, query)

    def allowed_methods(self, path: str) -> tuple[str, ...]:
        """Methods declared for the path template that ``path`` matches (for 405/Allow)."""
        return self._runtime.router.allowed_methods(path)

    def schema_bundle(
        self, schema: Schema, direction: Literal["request", "response"] = "response"
    ) -> JSON:
        """``schema`` as one self-contained, normalised JSON Schema 2020-12 document.

        ``direction`` drops ``readOnly`` properties from ``required`` in requests and
        ``writeOnly`` ones in responses, as OpenAPI specifies.
        """
        return self._runtime.bundle(schema, direction)

    def validator(self, operation: Operation | str) -> OperationValidator:
        """The (cached) request/response validator of an operation, by object or id."""
        from contractkit.contract.validation import validator_for  # noqa: PLC0415 - cycle

        if isinstance(operation, str):
            operation = self.operation(operation)
        return validator_for(self, operation)

    def location(self, uri: str, pointer: str) -> Location:
        """File, line and column of a node, for messages (computed on demand)."""
        return self._runtime.location(uri, pointer)

    def extension(self, name: str) -> Any:
        return self._runtime.extensions.get(name)
