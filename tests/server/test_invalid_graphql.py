"""A GraphQL schema that fails validation (GitHub's published 15.26.1 does) is refused with
every error located, or served as written with ``--lenient``/``lenient=True``: GraphQL
errors, never a 500 (issue 11, item 12)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from tests.conftest import corpus_dir

import contractkit
from contractkit import ContractLoadError
from contractkit.server.runner import MockServer

INVALID = '''
interface Node { id: ID! }
type Account implements Node {
  id: ID! @deprecated(reason: "use key")
  name: String
  name: String!
}
type Query { account: Account  node(id: ID!): Node }
'''


@pytest.fixture
def invalid_sdl(tmp_path: Path) -> Path:
    path = tmp_path / "api.graphql"
    path.write_text(INVALID)
    return path


def test_an_invalid_schema_is_refused_with_every_error_located(invalid_sdl: Path) -> None:
    contract = contractkit.load(invalid_sdl)  # validate and diff still read it
    with pytest.raises(ContractLoadError) as caught:
        MockServer(contract, port=0)
    error = caught.value
    assert "the GraphQL schema is invalid (2 errors" in error.message
    assert "--lenient" in error.message
    lines = sorted((each.location.line, each.message) for each in error.errors
                   if each.location is not None)
    assert [line for line, _ in lines] == [4, 5]  # graphql-core names the first `name`
    assert "Field 'Account.name' can only be defined once." in lines[1][1]


def test_lenient_serves_it_and_answers_graphql_errors_not_500(invalid_sdl: Path) -> None:
    contract = contractkit.load(invalid_sdl)
    with MockServer(contract, port=0, lenient=True) as server:
        good = httpx.post(f"{server.url}/graphql", json={"query": "{ account { id name } }"})
        assert good.status_code == 200
        assert set(good.json()["data"]["account"]) == {"id", "name"}
        bad = httpx.post(f"{server.url}/graphql", json={"query": "{ nope }"})
        assert bad.status_code == 200
        assert "Cannot query field 'nope'" in bad.json()["errors"][0]["message"]


def test_mock_command_refuses_githubs_invalid_schema_and_serves_it_leniently() -> None:
    github = corpus_dir() / "graphql" / "github-v15.26.1.graphql"
    refused = subprocess.run(
        [sys.executable, "-m", "contractkit", "mock", str(github), "--port", "0"],
        capture_output=True, text=True, timeout=120, check=False)
    assert refused.returncode == 2
    first, *rest = refused.stderr.strip().splitlines()
    assert first.startswith(f"contractkit mock: {github}:15003:3  the GraphQL schema is "
                            "invalid (14 errors; the first: Field 'EnterpriseOwnerInfo."
                            "repositoryDeployKeySetting' can only be defined once.)")
    assert len(rest) == 14
    assert all(line.startswith(f"  {github}:") for line in rest)
    process = subprocess.Popen(
        [sys.executable, "-m", "contractkit", "mock", str(github), "--port", "0", "--lenient"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith(f"serving {github} (GraphQL"), line
        url = line.rsplit(" at ", 1)[1].strip().rstrip("/")
        answer = httpx.post(f"{url}/graphql", json={
            "query": "{ viewer { login } enterprise(slug: \"e\") "
                     "{ ownerInfo { repositoryDeployKeySetting } } }"})
        assert answer.status_code == 200, answer.text
        assert isinstance(answer.json()["data"]["viewer"]["login"], str)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert "can only be defined once.; served anyway: --lenient serves it as written" in err
