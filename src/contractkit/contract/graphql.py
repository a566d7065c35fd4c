"""Load a GraphQL schema (SDL or introspection JSON) into the contract model.

Each root field (``Query.payment``, ``Mutation.createPayment``) becomes an ``Operation``
served at ``POST /graphql``, so code above ``contract/`` can count, journal and assert on
GraphQL operations the way it does on REST ones. The graphql-core schema is kept for the
layers that execute queries.
"""

from __future__ import annotations

from typing import Any

import graphql
from graphql.validation.validate import validate_sdl

from contractkit.contract._runtime import ContractRuntime
from contractkit.contract.model import Contract, Operation, Problem
from contractkit.errors import ContractLoadError, Location

GRAPHQL_PATH = "/graphql"


def load_sdl(text: str, *, source: str) -> Contract:
    """Parse SDL; definition errors (GitHub's own schema has some) become problems, and
    the schema is built as written, later definitions winning, as servers do."""
    try:
        document = graphql.parse(text)
    except graphql.GraphQLError as error:
        raise ContractLoadError(f"invalid GraphQL SDL: {error.message}",
                                _location(error, source)) from None
    problems = [
        Problem("error", _location(error, source), error.message, "graphql-sdl-invalid")
        for error in validate_sdl(document)
    ]
    try:
        schema = graphql.build_ast_schema(document, assume_valid_sdl=True)
    except (graphql.GraphQLError, TypeError) as error:
        message = str(error).splitlines()[0]
        raise ContractLoadError(f"invalid GraphQL SDL: {message}", Location(source)) from None
    return _contract(schema, source=source, raw=text, problems=problems)


def load_introspection(data: dict[str, Any], *, source: str) -> Contract:
    result = data.get("data", data)
    try:
        schema = graphql.build_client_schema(result)
    except (TypeError, KeyError, graphql.GraphQLError) as error:
        raise ContractLoadError(f"invalid GraphQL introspection result: {error}",
                                Location(source, pointer="/__schema")) from None
    return _contract(schema, source=source, raw=data)


def _contract(schema: graphql.GraphQLSchema, *, source: str, raw: Any,
              problems: list[Problem] | None = None) -> Contract:
    problems = list(problems or ()) + [
        Problem("error", _location(error, source), error.message, "graphql-schema-invalid")
        for error in graphql.validate_schema(schema)
    ]
    operations = []
    roots = (("Query", schema.query_type), ("Mutation", schema.mutation_type),
             ("Subscription", schema.subscription_type))
    for kind, root in roots:
        if root is None:
            continue
        for name, field in root.fields.items():
            operations.append(Operation(
                id=f"{kind}.{name}",
                method="POST",
                path=GRAPHQL_PATH,
                deprecated=field.deprecation_reason is not None,
                description=field.description or "",
                tags=(kind,),
                extensions={"x-graphql-root": kind, "x-graphql-field": name},
            ))
    runtime = ContractRuntime(operations, extensions={"x-graphql-schema": schema})
    description = schema.description or ""
    return Contract(
        kind="graphql",
        spec_version="graphql",
        title=description.splitlines()[0] if description else source.rsplit("/", 1)[-1],
        version="",
        source=source,
        operations=tuple(operations),
        problems=tuple(problems),
        raw=raw,
        _runtime=runtime,
    )


def _location(error: graphql.GraphQLError, source: str) -> Location:
    if error.locations:
        return Location(source, error.locations[0].line, error.locations[0].column)
    return Location(source)


def graphql_schema(contract: Contract) -> graphql.GraphQLSchema:
    """The graphql-core schema of a GraphQL contract."""
    schema = contract.extension("x-graphql-schema")
    if not isinstance(schema, graphql.GraphQLSchema):
        raise TypeError(f"{contract.source} is not a GraphQL contract")
    return schema
