"""Every real third-party contract in ../shared/corpus loads, or fails with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import CORPUS, corpus_dir

import contractkit

#: file name → why it cannot load (none today: all 130 load; keep reasons here if one can't)
EXPECTED_FAILURES: dict[str, str] = {}


def _files(folder: str, pattern: str) -> list[Path]:
    return sorted((CORPUS / folder).glob(pattern)) if CORPUS.is_dir() else []


@pytest.mark.parametrize("path", _files("openapi", "*.json"), ids=lambda p: p.name)
def test_openapi_corpus_contract_loads(path: Path) -> None:
    corpus_dir()
    try:
        contract = contractkit.load(path)
    except contractkit.ContractLoadError as error:
        message = str(error)
        assert "\n" not in message, message
        assert message.startswith(str(path)), message
        assert path.name in EXPECTED_FAILURES, f"unexpected load failure: {message}"
        return
    assert path.name not in EXPECTED_FAILURES, "loads now: remove it from EXPECTED_FAILURES"
    assert contract.kind == "openapi"
    if not (contract.operations or contract.webhooks):
        assert [p.code for p in contract.problems] == ["no-operations"]
    for operation in contract.operations:
        assert contract.match(operation.method, _concrete(operation.path)) is not None


def _concrete(template: str) -> str:
    """A request path that the template matches (each variable replaced by 'x1'; a
    ``#key`` or ``?query`` suffix, as AWS contracts write them, dropped)."""
    import re

    path = re.split(r"[#?]", template, maxsplit=1)[0]
    return re.sub(r"\{[^{}/]+\}", "x1", path)


@pytest.mark.parametrize("path", _files("large", "*.json"), ids=lambda p: p.name)
def test_github_rest_contract_loads(path: Path) -> None:
    contract = contractkit.load(path)
    assert len(contract.operations) > 1000
    operation = contract.operation("repos/get")
    assert contract.match("GET", "/repos/octocat/hello") is not None
    schema = operation.responses["200"].content["application/json"].schema
    assert schema is not None
    assert "$defs" in contract.schema_bundle(schema)


@pytest.mark.parametrize("path", _files("graphql", "*.graphql"), ids=lambda p: p.name)
def test_github_graphql_schema_loads(path: Path) -> None:
    contract = contractkit.load(path)
    assert contract.kind == "graphql"
    assert contract.operation("Query.repository").path == "/graphql"
    assert contract.operation("Mutation.createIssue").method == "POST"
