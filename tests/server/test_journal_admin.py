"""Journal, sessions, redaction and the admin API, which must match its own OpenAPI document."""

from __future__ import annotations

import httpx
import pytest

import contractkit
from contractkit import HttpResponse
from contractkit.server.admin import ADMIN_CONTRACT
from contractkit.server.runner import MockServer


@pytest.fixture(scope="module")
def admin_contract() -> contractkit.Contract:
    contract = contractkit.load(ADMIN_CONTRACT)
    assert [p for p in contract.problems if p.severity == "error"] == []
    return contract


def conforms(contract: contractkit.Contract, response: httpx.Response) -> list[str]:
    path = response.request.url.path.removeprefix("/__contractkit")
    match = contract.match(response.request.method, path)
    assert match is not None, path
    answer = HttpResponse.build(response.status_code, headers=response.headers.items(),
                                body=response.content)
    return [str(v) for v in contract.validator(match.operation).validate_response(answer)]


def test_journal_records_every_exchange_with_timestamps(shop: MockServer) -> None:
    httpx.get(shop.url + "/items", params={"limit": "2"}, headers={"X-Request-Id": "abc"})
    httpx.get(shop.url + "/nope")
    first, second = shop.journal.entries()
    assert (first.operation_id, first.status, first.outcome) == ("listItems", 200, "served")
    assert first.correlation_id == "abc"
    assert first.query == (("limit", "2"),)
    assert first.t_resp_start is not None
    assert first.t_headers <= first.t_body_end <= first.t_resp_start
    # the entry is recorded before the answer leaves, and stamped with its end right after
    assert first.t_resp_end is None or first.t_resp_end >= first.t_resp_start
    assert (second.operation_id, second.status, second.outcome) == (None, 404, "not-found")
    assert second.seq > first.seq
    assert first.client == "127.0.0.1"
    assert first.connection_id != second.connection_id  # httpx.get opens a new connection
    with httpx.Client() as client:
        client.get(shop.url + "/items")
        client.get(shop.url + "/items")
    third, fourth = shop.journal.entries()[2:]
    assert third.connection_id == fourth.connection_id  # keep-alive reuse is visible


def test_secrets_are_redacted_but_distinguishable(shop: MockServer) -> None:
    for token in ("Bearer one", "Bearer one", "Bearer two"):
        httpx.post(shop.url + "/items", json={"name": "a", "price": 1},
                   headers={"Authorization": token, "Idempotency-Key": "k",
                            "X-Shop-Key": "shop-secret", "Cookie": "sid=s3cr3t"})
    entries = shop.journal.entries()
    seen = [e.request_headers["authorization"] for e in entries]
    assert seen[0] == seen[1] != seen[2]
    for entry in entries:
        text = str(entry.to_dict())
        for secret in ("one", "two", "shop-secret", "s3cr3t"):
            assert f"'{secret}" not in text
            assert f" {secret}" not in text
        assert entry.request_headers["x-shop-key"].startswith("[redacted sha256:")
        assert entry.request_headers["cookie"].startswith("[redacted sha256:")


def test_sessions_keep_separate_journals(shop: MockServer) -> None:
    httpx.get(shop.url + "/items", headers={"X-Contractkit-Session": "a"})
    httpx.get(shop.url + "/items/1", headers={"X-Contractkit-Session": "b"})
    assert [e.operation_id for e in shop.journal.entries(session="a")] == ["listItems"]
    assert [e.operation_id for e in shop.journal.entries(session="b")] == ["getItem"]
    shop.reset("a")
    assert shop.journal.entries(session="a") == []
    assert len(shop.journal.entries(session="b")) == 1


def test_admin_endpoints_match_their_contract(shop: MockServer,
                                              admin_contract: contractkit.Contract) -> None:
    httpx.get(shop.url + "/items", headers={"X-Contractkit-Session": "s"})
    with httpx.Client(base_url=shop.admin_url) as admin:
        responses = [
            admin.get("/health"),
            admin.get("/journal", params={"session": "s", "operation": "listItems"}),
            admin.get("/contracts"),
            admin.get("/metrics"),
            admin.get("/journal", params={"status": "x"}),
        ]
        for response in responses:
            assert conforms(admin_contract, response) == [], response.request.url
        health, journal, contracts, metrics, bad = responses
        assert health.json()["status"] == "ok"
        [entry] = journal.json()["entries"]
        assert entry["operation_id"] == "listItems"
        assert contracts.json()["contracts"][0]["mount"] == "/api"
        assert 'contractkit_requests_total{operation="listItems",status="200"} 1' in metrics.text
        assert bad.status_code == 400
        cleared = admin.delete("/journal")
        assert cleared.status_code == 204
        assert admin.get("/journal").json()["entries"] == []
        assert admin.post("/reset").status_code == 204
        assert admin.get("/nope").status_code == 404


def test_admin_token_is_required_when_set(shop_contract: contractkit.Contract,
                                          admin_contract: contractkit.Contract) -> None:
    with MockServer(shop_contract, admin_token="s3cret") as server:
        denied = httpx.get(server.admin_url + "/journal")
        assert denied.status_code == 401
        assert conforms(admin_contract, denied) == []
        wrong = httpx.get(server.admin_url + "/journal", headers={"Authorization": "Bearer no"})
        assert wrong.status_code == 401
        allowed = httpx.get(server.admin_url + "/journal",
                            headers={"Authorization": "Bearer s3cret"})
        assert allowed.status_code == 200
        # the API itself is not behind the admin token
        assert httpx.get(server.url + "/items").status_code == 200
