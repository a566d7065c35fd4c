"""Repeated requests answered from the memo (issue 17's hot path) get exactly the answer
and the journal entry a fresh request would: whatever the contract reads — a header
parameter, a credential, Accept, the query — changes the answer, memo or not."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

import contractkit
from contractkit.server import memo
from contractkit.server.runner import MockServer

CONTRACT = """\
openapi: 3.0.3
info: {title: Shop, version: "1"}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Api-Key}
paths:
  /items/{id}:
    get:
      operationId: getItem
      security: [{key: []}]
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
        - {name: X-Tenant, in: header, required: true, schema: {type: string, pattern: "^t-"}}
        - {name: fields, in: query, schema: {type: string, enum: [all, short]}}
        - {name: cart, in: cookie, schema: {type: string, pattern: "^c-"}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties: {id: {type: integer}, name: {type: string}}
              example: {id: 1, name: lamp}
            application/xml:
              schema: {type: object, properties: {id: {type: integer}}}
              example: {id: 1}
        "404": {description: no such item}
"""
GOOD = {"X-Api-Key": "k", "X-Tenant": "t-1"}


@pytest.fixture
def shop(tmp_path: Path) -> MockServer:
    path = tmp_path / "shop.yaml"
    path.write_text(CONTRACT)
    return MockServer(contractkit.load(path), log_format="off")


def test_what_the_contract_reads_changes_the_answer_memo_or_not(shop: MockServer) -> None:
    with shop as server, httpx.Client(base_url=server.url) as client:
        for _ in range(3):  # the first time computed, then remembered: the same each time
            assert client.get("/items/7", headers=GOOD).json() == {"id": 7, "name": "lamp"}
            assert client.get("/items/7", headers={"X-Tenant": "t-1"}).status_code == 401
            assert client.get("/items/7", headers={**GOOD, "X-Tenant": "x"}).status_code == 400
            assert client.get("/items/7?fields=bad", headers=GOOD).status_code == 400
            assert client.get("/items/7?fields=all", headers=GOOD).status_code == 200
            xml = client.get("/items/7", headers={**GOOD, "Accept": "application/xml"})
            assert xml.headers["Content-Type"].startswith("application/xml")
            assert client.get("/items/8", headers=GOOD).json()["id"] == 8
            assert client.get("/items/7", headers={**GOOD, "Cookie": "cart=x"}
                              ).status_code == 400
            # Prefer asks for an answer of its own: never from the memo
            assert client.get("/items/7", headers={**GOOD, "Prefer": "code=404"}
                              ).status_code == 404
            assert client.get("/items/7?__code=404", headers=GOOD).status_code == 404
        entries = server.journal.entries()
        assert len(entries) == 30
        # each repeat is journalled as the first one was: operation, status, violations
        for first, again in zip(entries[:10], entries[10:20], strict=True):
            assert (again.operation_id, again.status, len(again.violations)) == (
                first.operation_id, first.status, len(first.violations))
        assert len(server.app.memo) > 0
        # only the controls Prefer's query fallbacks name bypass it, not any "__"
        remembered = len(server.app.memo)
        assert client.get("/items/7?fields=all&__trace=1", headers=GOOD).status_code == 200
        assert len(server.app.memo) == remembered + 1


def test_the_memo_is_bounded_and_keeps_no_large_bodies(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(CONTRACT)
    monkeypatch.setattr(memo, "MAX_REMEMBERED", 4)
    with MockServer(contractkit.load(path)) as server, \
            httpx.Client(base_url=server.url) as client:
        for n in range(20):
            assert client.get(f"/items/{n}", headers=GOOD).status_code == 200
        assert len(server.app.memo) == 4
    monkeypatch.setattr(memo, "MAX_REMEMBERED_BYTES", 10)
    with MockServer(contractkit.load(path)) as server, \
            httpx.Client(base_url=server.url) as client:
        assert client.get("/items/1", headers=GOOD).status_code == 200
        assert len(server.app.memo) == 0


def test_a_reloaded_contract_is_answered_afresh(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(CONTRACT)
    with MockServer(contractkit.load(path)) as server, httpx.Client() as client:
        assert client.get(server.url + "/items/1", headers=GOOD).json()["name"] == "lamp"
        path.write_text(CONTRACT.replace("name: lamp", "name: desk"))
        [mount] = server.app.mounts
        server.app.replace_mount(mount, type(mount)(contract=contractkit.load(path),
                                                    prefix=mount.prefix))
        assert client.get(server.url + "/items/1", headers=GOOD).json()["name"] == "desk"
