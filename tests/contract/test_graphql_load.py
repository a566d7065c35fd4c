"""GraphQL contracts load from SDL and from an introspection result into the same model."""

from __future__ import annotations

import json
from pathlib import Path

import graphql
import pytest
from tests.conftest import CONTRACTS

import contractkit
from contractkit.contract.graphql import graphql_schema


def test_sdl_root_fields_become_operations() -> None:
    contract = contractkit.load(CONTRACTS / "payments.graphql")
    assert (contract.kind, contract.spec_version) == ("graphql", "graphql")
    ids = {operation.id for operation in contract.operations}
    assert {"Query.payment", "Mutation.createPayment"} <= ids
    assert all(op.method == "POST" and op.path == "/graphql" for op in contract.operations)
    assert contract.problems == ()


@pytest.mark.parametrize("wrapped", [True, False], ids=["data-wrapped", "bare"])
def test_introspection_json_loads(tmp_path: Path, wrapped: bool) -> None:
    schema = graphql.build_schema((CONTRACTS / "payments.graphql").read_text())
    result = graphql.introspection_from_schema(schema)
    path = tmp_path / "schema.json"
    path.write_text(json.dumps({"data": result} if wrapped else result))
    contract = contractkit.load(path)
    assert contract.kind == "graphql"
    assert {op.id for op in contract.operations} == {
        op.id for op in contractkit.load(CONTRACTS / "payments.graphql").operations}
    assert graphql.print_schema(graphql_schema(contract)) == graphql.print_schema(schema)


def test_sdl_without_a_graphql_suffix_is_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "schema.txt"
    path.write_text('"""A tiny graph"""\ntype Query { hello: String }\n')
    assert contractkit.load(path).operation("Query.hello").tags == ("Query",)


def test_broken_introspection_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps({"__schema": {"types": "nope"}}))
    with pytest.raises(contractkit.ContractLoadError) as caught:
        contractkit.load(path)
    assert "invalid GraphQL introspection result" in str(caught.value)
    assert "\n" not in str(caught.value)
