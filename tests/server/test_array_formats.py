"""Query arrays in the serialisation a client uses where the contract gives none (issue 12,
item 4): OpenAPI's default `ids=1&ids=2`, brackets `ids[]=1`, indexes `ids[0]=1`, and,
with `--array-format comma`, `ids=1,2` (Stainless' and axios' comma format), in queries
and in urlencoded form bodies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import contractkit
from contractkit.server.runner import MockServer

CONTRACT = """\
openapi: 3.0.0
info: {title: shop, version: "1"}
servers: [{url: /v1}]
paths:
  /orders:
    get:
      operationId: listOrders
      parameters:
        - {name: ids, in: query, schema: {type: array, items: {type: integer}}}
        - {name: pages, in: query, style: form, explode: true,
           schema: {type: array, items: {type: integer}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
    post:
      operationId: createOrder
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [ids]
              properties:
                ids: {type: array, items: {type: integer}}
                note: {type: string}
      responses:
        "201": {description: ok, content: {application/json: {schema: {type: object}}}}
"""


@pytest.fixture
def contract(tmp_path: Path) -> contractkit.Contract:
    path = tmp_path / "shop.yaml"
    path.write_text(CONTRACT)
    return contractkit.load(path)


def _status(server: MockServer, query: str) -> int:
    return httpx.get(f"{server.url}/orders?{query}").status_code


#: what a Stainless SDK's querystring (openai-python's ``_qs.Querystring``) sends for
#: ``ids=[1, 2, 3]`` in each of its array formats
STAINLESS = {"repeat": "ids=1&ids=2&ids=3", "brackets": "ids%5B%5D=1&ids%5B%5D=2&ids%5B%5D=3",
             "indices": "ids%5B0%5D=1&ids%5B1%5D=2&ids%5B2%5D=3", "comma": "ids=1%2C2%2C3"}


def test_repeat_and_brackets_are_read_by_default_and_commas_are_not(
        contract: contractkit.Contract) -> None:
    with MockServer(contract) as server:
        for name in ("repeat", "brackets", "indices"):
            assert _status(server, STAINLESS[name]) == 200, name
        assert _status(server, STAINLESS["comma"]) == 400
        assert _status(server, "ids=1&ids=2") == 200
        assert _status(server, "ids[]=1&ids[]=2") == 200
        assert _status(server, "ids[0]=1&ids[1]=2") == 200
        assert _status(server, "ids=1,2") == 400
        last = server.journal.entries()[-1]
        assert "query/ids" in str(last.violations[0])


def test_comma_arrays_are_read_where_the_contract_gives_no_style(
        contract: contractkit.Contract) -> None:
    with MockServer(contract, array_format="comma") as server:
        for query in STAINLESS.values():
            assert _status(server, query) == 200, query
        assert _status(server, "ids=1&ids=2") == 200
        assert _status(server, "ids=1,x") == 400
        # `pages` declares style form, explode true: "1,2" is one item, as the contract says
        assert _status(server, "pages=1,2") == 400


def test_the_format_can_be_chosen_per_mount(contract: contractkit.Contract,
                                            tmp_path: Path) -> None:
    with MockServer(mounts={"/a": contract, "/b": contract},
                    array_format={"/b": "comma"}) as server:
        assert httpx.get(f"{server.root_url}/a/orders?ids=1,2").status_code == 400
        assert httpx.get(f"{server.root_url}/b/orders?ids=1,2").status_code == 200
    with pytest.raises(contractkit.ConfigError, match="no contract is served"):
        MockServer(mounts={"/a": contract}, array_format={"/c": "comma"})
    with pytest.raises(contractkit.ConfigError, match="unknown array format 'csv'"):
        MockServer(contract, array_format="csv")  # type: ignore[arg-type]
    path = tmp_path / "shop.yaml"
    path.write_text(CONTRACT)
    for args, message in ((["--array-format", "csv"], "unknown array format 'csv'"),
                          (["--array-format", "comma", "--array-format", "/v1=comma"],
                           "not both")):
        result = subprocess.run(
            [sys.executable, "-m", "contractkit", "mock", str(path), "--port", "0", *args],
            capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 2
        assert message in result.stderr
        assert "Traceback" not in result.stderr


def _post(server: MockServer, form: str) -> int:
    return httpx.post(f"{server.url}/orders", content=form,
                      headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code


def test_comma_arrays_in_form_bodies_only_with_the_comma_format(
        contract: contractkit.Contract) -> None:
    with MockServer(contract) as server:
        assert _post(server, "ids=1&ids=2&note=a,b") == 201
        assert _post(server, "ids=1,2") == 422
    with MockServer(contract, array_format="comma") as server:
        assert _post(server, "ids=1%2C2&note=a,b") == 201  # a string field keeps its comma
        assert _post(server, "ids=1&ids=2") == 201
        assert _post(server, "ids=1,x") == 422
