"""Fixtures (issue 12, item 6): values by component-schema name laid over generated
answers, wherever the schema is reached; a broken fixtures file is a located error."""

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
info: {title: billing, version: "1"}
paths:
  /customers/{customer}:
    get:
      operationId: getCustomer
      parameters: [{name: customer, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Customer"}
  /customers:
    get:
      operationId: listCustomers
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [data, total_count]
                properties:
                  total_count: {type: integer}
                  data: {type: array, items: {$ref: "#/components/schemas/Customer"}}
  /invoices/{invoice}:
    get:
      operationId: getInvoice
      parameters: [{name: invoice, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Invoice"}
components:
  schemas:
    Customer:
      type: object
      required: [id, object]
      properties:
        id: {type: string}
        object: {type: string, enum: [customer]}
        email: {type: string}
        url: {type: string}
        metadata:
          type: object
          additionalProperties: {type: string}
        balance: {type: integer}
    Invoice:
      type: object
      required: [id, customer]
      properties:
        id: {type: string}
        customer: {$ref: "#/components/schemas/Customer"}
"""

FIXTURES = """\
schemas:
  Customer:
    email: jenny@example.com
    url: /v1/customers/cus_fixture
    metadata: {order_id: "6735"}
"""


@pytest.fixture
def contract(tmp_path: Path) -> Path:
    path = tmp_path / "billing.yaml"
    path.write_text(CONTRACT)
    return path


def _server(contract: Path, fixtures: str, tmp_path: Path) -> MockServer:
    file = tmp_path / "fixtures.yaml"
    file.write_text(fixtures)
    return MockServer(contractkit.load(contract), fixtures=file)


def test_a_partial_fixture_is_laid_over_every_generated_value_of_its_schema(
        contract: Path, tmp_path: Path) -> None:
    with _server(contract, FIXTURES, tmp_path) as server:
        customer = httpx.get(f"{server.url}/customers/cus_123").json()
        # the fixture's fields, generation's required ones, the path's id reflected
        assert customer["email"] == "jenny@example.com"
        assert customer["metadata"] == {"order_id": "6735"}
        assert customer["object"] == "customer"
        assert customer["id"] == "cus_123"
        listed = httpx.get(f"{server.url}/customers").json()
        assert listed["data"]
        assert all(item["metadata"] == {"order_id": "6735"} for item in listed["data"])
        nested = httpx.get(f"{server.url}/invoices/in_1").json()
        assert nested["customer"]["url"] == "/v1/customers/cus_fixture"
        for answer in (customer, listed, nested):
            assert "Contractkit-Warning" not in answer


def test_without_fixtures_the_same_answers_are_generated(contract: Path) -> None:
    with MockServer(contractkit.load(contract)) as server:
        customer = httpx.get(f"{server.url}/customers/cus_123").json()
        assert customer.get("email") != "jenny@example.com"
        assert customer.get("metadata") != {"order_id": "6735"}


def test_stripe_mock_fixture_files_are_read_by_their_resources_key(
        contract: Path, tmp_path: Path) -> None:
    fixtures = '{"resources": {"Customer": {"id": "cus_fixture", "object": "customer", ' \
               '"balance": 0}}}'
    with _server(contract, fixtures, tmp_path) as server:
        listed = httpx.get(f"{server.url}/customers").json()
        assert listed["data"][0]["id"] == "cus_fixture"
        assert listed["data"][0]["balance"] == 0


@pytest.mark.parametrize(("text", "message"), [
    ("schemas:\n  Custmer: {email: a}\n",
     "fixtures.yaml:2:12  /schemas/Custmer  no component schema is named 'Custmer'; "
     "did you mean 'Customer'?"),
    ("schemas:\n  Customer:\n    balance: lots\n",
     "fixtures.yaml:3:14  /schemas/Customer/balance  the Customer schema refuses this "
     "value: \"lots\" is not of type \"integer\""),
    ("schemas:\n  Customer:\n    object: person\n",
     "fixtures.yaml:3:13  /schemas/Customer/object  the Customer schema refuses this value: "
     "\"person\" is not one of \"customer\""),
    ("customers: {}\n", "fixtures.yaml:1:1  expected a mapping with `schemas:`"),
    ("schemas: [1]\n", "fixtures.yaml:1:10  /schemas  `schemas` must map component schema"),
    ("schemas: {}\nextra: 1\n", "fixtures.yaml:2:8  /extra  unknown key 'extra'"),
    ("schemas: {Customer: [\n", "fixtures.yaml:2:1  invalid YAML"),
    ("", "fixtures.yaml  the fixtures file is empty"),
])
def test_a_broken_fixtures_file_is_one_located_line_and_exit_2(
        contract: Path, tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "fixtures.yaml").write_text(text)
    with pytest.raises(contractkit.FixturesError) as raised:
        MockServer(contractkit.load(contract), fixtures=tmp_path / "fixtures.yaml")
    assert message in str(raised.value).replace(str(tmp_path) + "/", "")
    result = subprocess.run(
        [sys.executable, "-m", "contractkit", "mock", str(contract), "--port", "0",
         "--fixtures", "fixtures.yaml"], cwd=tmp_path, capture_output=True, text=True,
        timeout=60, check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.stderr


def test_a_missing_fixtures_file_is_named(contract: Path, tmp_path: Path) -> None:
    with pytest.raises(contractkit.FixturesError, match=r"nowhere\.yaml  no such fixtures file"):
        MockServer(contractkit.load(contract), fixtures=tmp_path / "nowhere.yaml")


SEVERAL = """\
schemas:
  Custmer: {email: a}
  Customer: {balance: lots}
  Invoice: {id: in_fixture}
"""


def test_every_refused_entry_is_reported_and_lenient_serves_the_rest(
        contract: Path, tmp_path: Path) -> None:
    (tmp_path / "fixtures.yaml").write_text(SEVERAL)
    with pytest.raises(contractkit.FixturesError) as raised:
        MockServer(contractkit.load(contract), fixtures=tmp_path / "fixtures.yaml")
    assert "(and 1 more entry the contract refuses; --lenient leaves them out" in str(
        raised.value)
    assert [str(e).replace(str(tmp_path) + "/", "")[:40] for e in raised.value.errors] == [
        "fixtures.yaml:2:12  /schemas/Custmer  no",
        "fixtures.yaml:3:23  /schemas/Customer/ba"]
    with MockServer(contractkit.load(contract), fixtures=tmp_path / "fixtures.yaml",
                    lenient=True) as server:
        invoice = httpx.get(f"{server.url}/invoices/in_1").json()
        assert invoice["id"] == "in_1"  # the fixture's, then the path's id reflected
        assert isinstance(invoice["customer"].get("balance", 0), int)
    cli = subprocess.Popen(
        [sys.executable, "-m", "contractkit", "mock", str(contract), "--port", "0",
         "--fixtures", "fixtures.yaml", "--lenient"], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        assert cli.stdout is not None
        lines = []
        for line in cli.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("admin API at"):
                break
        assert "fixtures: left out 2 entries the contract refuses (--lenient):" in lines
        assert any(line.startswith("  fixtures.yaml:3:23  /schemas/Customer/balance")
                   for line in lines), lines
    finally:
        cli.terminate()
        cli.wait(timeout=30)
