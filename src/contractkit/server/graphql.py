"""Serve a GraphQL contract: execute any valid query against generated, schema-valid data.

Every field without its own resolver gets a value made from its type, seeded by the
server seed and the field's path in the response, so the same query gets the same answer
and aliases, fragments, variables, lists, unions and interfaces all work. Introspection is
graphql-core's own.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import graphql
import orjson

from contractkit._http import HttpRequest
from contractkit.contract.graphql import graphql_schema
from contractkit.contract.model import Contract
from contractkit.errors import ContractLoadError
from contractkit.server.responses import MockResponse

LIST_LENGTH = 2
_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")


@dataclass(frozen=True)
class FieldFailure:
    path: str
    message: str
    code: str | None = None


class GraphQLResponder:
    def __init__(self, contract: Contract, *, seed: int = 0, lenient: bool = False) -> None:
        """``lenient``: serve a schema that fails GraphQL's validation as written (GitHub's
        own has fields defined twice); otherwise such a schema is refused, with every error
        located, since graphql-core will not execute anything against it."""
        schema = graphql_schema(contract)
        invalid = [problem for problem in contract.problems if problem.severity == "error"
                   and problem.code.startswith("graphql-")]
        if invalid and not lenient:
            count = f"{len(invalid)} error{'s' if len(invalid) > 1 else ''}"
            raise ContractLoadError(
                f"the GraphQL schema is invalid ({count}; the first: {invalid[0].message}); "
                "fix it, or serve it as written with --lenient (Python: lenient=True)",
                invalid[0].location,
                errors=[ContractLoadError(problem.message, problem.location)
                        for problem in invalid])
        if invalid:
            # the same types, marked valid: graphql-core validates a schema once and refuses
            # every query to one that failed
            schema = graphql.GraphQLSchema(
                query=schema.query_type, mutation=schema.mutation_type,
                subscription=schema.subscription_type, types=list(schema.type_map.values()),
                directives=schema.directives, description=schema.description,
                assume_valid=True)
        self.schema = schema
        self.seed = seed

    def respond(self, request: HttpRequest, failures: Sequence[FieldFailure] = (),
                ) -> tuple[MockResponse, str | None]:
        """The answer, and the first root field asked for (``Query.payment``).

        ``failures``: fields (by response path without list indexes, ``payment.amount``)
        whose resolver fails, so the error, its path and the null propagation are exactly
        what a GraphQL server produces.
        """
        try:
            query, variables, operation_name = _read(request)
        except ValueError as error:
            return _json(400, {"errors": [{"message": str(error)}]}), None
        try:
            document = graphql.parse(query)
        except graphql.GraphQLError as error:
            return _json(400, {"errors": [error.formatted]}), None
        try:
            errors = graphql.validate(self.schema, document)
        except (TypeError, graphql.GraphQLError) as error:  # the schema itself, served as is
            return _json(200, {"errors": [{"message": f"the schema cannot run this query: "
                                                      f"{str(error).splitlines()[0]}"}]}), None
        if errors:
            return _json(200, {"errors": [e.formatted for e in errors]}), None
        operation = graphql.get_operation_ast(document, operation_name)
        if operation is None:
            return _json(400, {"errors": [{"message": "no operation to execute; pass "
                                                      "operationName"}]}), None
        if request.method == "GET" and operation.operation != graphql.OperationType.QUERY:
            return _json(405, {"errors": [{"message": "only queries can be sent with GET"}]}), (
                None)
        failing = {f.path: f for f in failures}

        def resolve(source: Any, info: graphql.GraphQLResolveInfo[Any], **arguments: Any) -> Any:
            if failing:
                where = ".".join(str(k) for k in info.path.as_list() if isinstance(k, str))
                failure = failing.get(where)
                if failure is not None:
                    raise graphql.GraphQLError(
                        failure.message,
                        extensions={"code": failure.code} if failure.code else None)
            return self._resolve_field(source, info, **arguments)

        result = graphql.execute(
            self.schema, document, variable_values=variables, operation_name=operation_name,
            field_resolver=resolve, type_resolver=self._resolve_type,
        )
        if not isinstance(result, graphql.ExecutionResult):  # pragma: no cover - no async here
            return _json(500, {"errors": [{"message": "asynchronous execution"}]}), None
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [e.formatted for e in result.errors]
        return _json(200, body), _root_field(operation)

    def _random(self, path: graphql.pyutils.Path | None) -> random.Random:
        key = ".".join(str(p) for p in (path.as_list() if path else []))
        return random.Random(zlib.crc32(f"{self.seed}:{key}".encode()))

    def _resolve_field(self, source: Any, info: graphql.GraphQLResolveInfo[Any],
                       **arguments: Any) -> Any:
        if isinstance(source, Mapping) and info.field_name in source:
            return source[info.field_name]
        return self._value(info.return_type, self._random(info.path))

    def _value(self, kind: graphql.GraphQLOutputType, rng: random.Random) -> Any:
        if isinstance(kind, graphql.GraphQLNonNull):
            return self._value(kind.of_type, rng)
        if isinstance(kind, graphql.GraphQLList):
            return [{} if _is_composite(kind.of_type) else self._value(kind.of_type, rng)
                    for _ in range(LIST_LENGTH)]
        if isinstance(kind, graphql.GraphQLEnumType):
            return rng.choice(list(kind.values))
        if isinstance(kind, graphql.GraphQLScalarType):
            return _scalar(kind.name, rng)
        return {}  # objects, interfaces, unions: their fields resolve one by one

    def _resolve_type(self, value: Any, info: graphql.GraphQLResolveInfo[Any],
                      abstract: graphql.GraphQLAbstractType) -> str:
        possible = sorted(t.name for t in self.schema.get_possible_types(abstract))
        return self._random(info.path).choice(possible)


def _is_composite(kind: graphql.GraphQLOutputType) -> bool:
    return isinstance(graphql.get_named_type(kind), (
        graphql.GraphQLObjectType, graphql.GraphQLInterfaceType, graphql.GraphQLUnionType))


def _scalar(name: str, rng: random.Random) -> Any:
    if name == "Int":
        return rng.randint(0, 1000)
    if name == "Float":
        return round(rng.uniform(0, 1000), 2)
    if name == "Boolean":
        return rng.random() < 0.5
    if name == "ID":
        return f"{rng.choice(_WORDS)}_{rng.randint(1, 10**6)}"
    lowered = name.lower()
    if "datetime" in lowered or lowered in ("timestamp", "instant"):
        return f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T12:00:00Z"
    if lowered == "date":
        return f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    if "uri" in lowered or "url" in lowered:
        return f"https://example.com/{rng.choice(_WORDS)}"
    if lowered in ("json", "jsonobject"):
        return {}
    return f"{rng.choice(_WORDS)} {rng.randint(1, 999)}"


def _read(request: HttpRequest) -> tuple[str, dict[str, Any] | None, str | None]:
    if request.method == "GET":
        values = dict(request.query)
        variables = values.get("variables")
        parsed = orjson.loads(variables) if variables else None
        query = values.get("query")
        name = values.get("operationName")
    elif request.method == "POST":
        if request.content_type == "application/graphql":
            return request.body.decode("utf-8", "replace"), None, None
        try:
            payload = orjson.loads(request.body)
        except orjson.JSONDecodeError:
            raise ValueError("the body is not JSON: send {\"query\": ..., "
                             "\"variables\": ...}") from None
        if not isinstance(payload, dict):
            raise ValueError("the body must be a JSON object with a 'query'")
        query, parsed, name = (payload.get("query"), payload.get("variables"),
                               payload.get("operationName"))
    else:
        raise ValueError("GraphQL is served over GET and POST only")
    if not isinstance(query, str) or not query.strip():
        raise ValueError("no 'query' in the request")
    if parsed is not None and not isinstance(parsed, dict):
        raise ValueError("'variables' must be a JSON object")
    return query, parsed, name if isinstance(name, str) else None


def _root_field(operation: graphql.OperationDefinitionNode) -> str | None:
    root = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}[
        operation.operation.value]
    for selection in operation.selection_set.selections:
        if isinstance(selection, graphql.FieldNode) and not selection.name.value.startswith("__"):
            return f"{root}.{selection.name.value}"
    return None


def _json(status: int, data: Any) -> MockResponse:
    return MockResponse(status, {"Content-Type": "application/json"}, orjson.dumps(data))
