"""GraphQL contracts are served at /graphql with schema-valid generated data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import graphql
import httpx
import pytest

import contractkit
from contractkit.server.runner import MockServer

SDL = '''
"""Payments graph"""
scalar DateTime
enum Status { PENDING SUCCEEDED FAILED }
interface Node { id: ID! }
type Card implements Node { id: ID! last4: String! }
type Wallet implements Node { id: ID! provider: String }
union Method = Card | Wallet
type Payment implements Node {
  id: ID!
  amount: Int!
  status: Status!
  created: DateTime!
  method: Method
  refunds(first: Int = 2): [Refund!]!
  legacy: String @deprecated(reason: "use status")
}
type Refund { id: ID! amount: Float! }
type Query { payment(id: ID!): Payment  node(id: ID!): Node  payments: [Payment!]! }
input CreatePayment { amount: Int! }
type Mutation { createPayment(input: CreatePayment!): Payment! }
'''


@pytest.fixture(scope="module")
def schema() -> graphql.GraphQLSchema:
    return graphql.build_schema(SDL)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[MockServer]:
    (tmp_path / "payments.graphql").write_text(SDL)
    with MockServer(contractkit.load(tmp_path / "payments.graphql"), seed=5) as running:
        yield running


QUERY = """
query Get($id: ID!) {
  payment(id: $id) {
    ...Basics
    method { __typename ... on Card { last4 } ... on Wallet { provider } }
  }
  first: payments { id refunds { amount } }
  node(id: "n1") { __typename id ... on Card { last4 } }
}
fragment Basics on Payment { id amount status created }
"""


def test_query_with_fragments_variables_aliases_and_unions(
        server: MockServer, schema: graphql.GraphQLSchema) -> None:
    response = httpx.post(server.url + "/graphql",
                          json={"query": QUERY, "variables": {"id": "p1"}})
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    data = body["data"]
    assert data["payment"]["status"] in ("PENDING", "SUCCEEDED", "FAILED")
    assert isinstance(data["payment"]["amount"], int)
    assert data["payment"]["method"]["__typename"] in ("Card", "Wallet")
    assert len(data["first"]) == 2
    # the answer is a valid result for the query: re-executing it over the returned data
    # with graphql-core's default resolvers gives the same data back
    again = graphql.graphql_sync(schema, QUERY, root_value=data, variable_values={"id": "p1"},
                                 field_resolver=_by_response_key,
                                 type_resolver=lambda value, *_: value["__typename"])
    assert again.errors is None
    assert again.data == data
    repeat = httpx.post(server.url + "/graphql", json={"query": QUERY, "variables": {"id": "p1"}})
    assert repeat.json() == body
    [entry, _] = server.journal.entries()
    assert entry.operation_id == "Query.payment"


def _by_response_key(source: dict[str, object], info: graphql.GraphQLResolveInfo[object],
                     **_: object) -> object:
    node = info.field_nodes[0]
    return source.get(node.alias.value if node.alias else node.name.value)


def test_get_queries_and_mutations(server: MockServer) -> None:
    response = httpx.get(server.url + "/graphql", params={"query": "{ payments { id } }"})
    assert response.status_code == 200
    assert len(response.json()["data"]["payments"]) == 2
    mutation = httpx.post(server.url + "/graphql", json={
        "query": "mutation { createPayment(input: {amount: 5}) { id amount } }"})
    assert set(mutation.json()["data"]["createPayment"]) == {"id", "amount"}
    refused = httpx.get(server.url + "/graphql",
                        params={"query": "mutation { createPayment(input: {amount: 5}) { id } }"})
    assert refused.status_code == 405


def test_validation_errors_use_the_standard_format(server: MockServer) -> None:
    response = httpx.post(server.url + "/graphql", json={"query": "{ payment { nope } }"})
    assert response.status_code == 200
    errors = response.json()["errors"]
    messages = [e["message"] for e in errors]
    assert "Cannot query field 'nope' on type 'Payment'." in messages
    assert "Argument 'Query.payment(id:)' of type 'ID!' is required, but it was not provided." in (
        messages)
    assert all("locations" in e for e in errors)
    syntax = httpx.post(server.url + "/graphql", json={"query": "{ payment("})
    assert syntax.status_code == 400
    assert syntax.json()["errors"][0]["message"].startswith("Syntax Error")
    not_json = httpx.post(server.url + "/graphql", content=b"{", headers={
        "Content-Type": "application/json"})
    assert not_json.status_code == 400


def test_introspection(server: MockServer) -> None:
    response = httpx.post(server.url + "/graphql",
                          json={"query": graphql.get_introspection_query()})
    schema = graphql.build_client_schema(response.json()["data"])
    assert "Payment" in schema.type_map
