"""Scenarios on a running mock: switching (server, session, request header), the journal
and metrics of injected faults, status bodies, auth faults, hangs, slow bodies, GraphQL."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from email.utils import parsedate_to_datetime

import httpx
import pytest
from tests.conftest import ROOT

import contractkit
from contractkit import HttpResponse
from contractkit.server.admin import ADMIN_CONTRACT
from contractkit.server.runner import MockServer

PAYMENT = "/payments/pay_3Nf8aZq2LkP0sT7x"
AUTH = {"Authorization": "Bearer sk_test_1"}


@pytest.fixture(scope="module")
def payments_contract() -> contractkit.Contract:
    return contractkit.load(ROOT / "contracts" / "payments.yaml")


@pytest.fixture
def payments(payments_contract: contractkit.Contract) -> Iterator[MockServer]:
    with MockServer(payments_contract) as server:
        yield server


def eventually(condition: Callable[[], bool], within: float = 5.0) -> None:
    """A readiness check: the server thread records some things just after the client
    has its answer (a disconnect, the end of a response)."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)


def test_built_in_sequence_then_pass_with_journal_and_metrics(payments: MockServer) -> None:
    payments.use_scenario("server-errors")
    statuses = [httpx.get(payments.url + PAYMENT, headers=AUTH).status_code for _ in range(5)]
    assert statuses == [503, 500, 502, 200, 200]
    entries = payments.journal.entries()
    assert [(e.fault, e.rule) for e in entries] == [
        ("status 503", "fail-three-times"), ("status 500", "fail-three-times"),
        ("status 502", "fail-three-times"), (None, None), (None, None)]
    metrics = httpx.get(payments.admin_url + "/metrics").text
    assert 'contractkit_faults_total{fault="status",operation="getPayment"} 3' in metrics


def test_status_uses_the_declared_response_else_a_problem(payments: MockServer) -> None:
    payments.use_scenario({"name": "s", "rules": [
        {"match": {"operation": "getPayment"},
         "sequence": [{"status": {"code": 503, "retry_after": "30s"}},
                      {"status": {"code": 418, "retry_after": {"after": "1m",
                                                              "format": "http-date"}}}]}]})
    declared = httpx.get(payments.url + PAYMENT, headers=AUTH)
    assert declared.status_code == 503
    assert declared.headers["retry-after"] == "30"
    validator = payments.app.mounts[0].contract.validator("getPayment")
    answer = HttpResponse.build(503, headers=declared.headers.items(), body=declared.content)
    assert validator.validate_response(answer) == []
    teapot = httpx.get(payments.url + PAYMENT, headers=AUTH)
    assert teapot.status_code == 418  # served from the operation's declared `default`
    answer = HttpResponse.build(418, headers=teapot.headers.items(), body=teapot.content)
    assert validator.validate_response(answer) == []
    when = parsedate_to_datetime(teapot.headers["retry-after"]).timestamp()
    assert 50 < when - time.time() <= 61


def test_undeclared_status_is_a_problem(shop: MockServer) -> None:
    shop.use_scenario({"name": "s", "rules": [{"match": {"any": True}, "status": 503}]})
    answer = httpx.get(shop.url + "/items/1")
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/injected-fault")
    assert "rules[0]" in answer.json()["detail"]


def test_request_header_picks_a_scenario_and_unknown_names_get_400(
        payments: MockServer) -> None:
    assert httpx.get(payments.url + PAYMENT, headers=AUTH).status_code == 200
    picked = httpx.get(payments.url + PAYMENT,
                       headers={**AUTH, "X-Contractkit-Scenario": "outage"})
    assert picked.status_code == 503
    unknown = httpx.get(payments.url + PAYMENT,
                        headers={**AUTH, "X-Contractkit-Scenario": "outtage"})
    assert unknown.status_code == 400
    assert "did you mean 'outage'?" in unknown.json()["detail"]
    assert not payments.app.errors


def test_admin_api_switches_per_session_and_conforms() -> None:
    admin = contractkit.load(ADMIN_CONTRACT)
    with MockServer(ROOT / "contracts" / "payments.yaml", admin_token="t0k") as server:
        token = {"Authorization": "Bearer t0k"}
        put = httpx.put(server.admin_url + "/scenario", params={"session": "a"},
                        json={"name": "outage"}, headers=token)
        assert put.status_code == 200, put.text
        assert put.json()["active"] == "outage"
        got = httpx.get(server.admin_url + "/scenario", params={"session": "a"}, headers=token)
        listed = httpx.get(server.admin_url + "/scenarios", headers=token)
        bad = httpx.put(server.admin_url + "/scenario", json={"name": "nope"}, headers=token)
        assert bad.status_code == 400
        custom = httpx.put(server.admin_url + "/scenario", headers=token, json={
            "scenario": {"name": "mine", "rules": [{"match": {"any": True}, "status": 500}]}})
        assert custom.json()["rules"] == [
            {"name": "rules[0]", "does": "status 500", "origin": "<scenario>"}]
        for response in (put, got, listed, bad, custom):
            path = response.request.url.path.removeprefix("/__contractkit")
            match = admin.match(response.request.method, path)
            assert match is not None
            answer = HttpResponse.build(response.status_code,
                                        headers=response.headers.items(), body=response.content)
            assert admin.validator(match.operation).validate_response(answer) == []
        session_a = {**AUTH, "X-Contractkit-Session": "a"}
        assert httpx.get(server.url + PAYMENT, headers=session_a).status_code == 503
        # the server-wide scenario is now "mine"; session a keeps its own
        assert httpx.get(server.url + PAYMENT, headers=AUTH).status_code == 500
        httpx.put(server.admin_url + "/scenario", json={"name": None}, headers=token)
        assert httpx.get(server.url + PAYMENT, headers=AUTH).status_code == 200


def test_reset_restarts_sequences(payments: MockServer) -> None:
    payments.use_scenario("server-errors")
    assert httpx.get(payments.url + PAYMENT, headers=AUTH).status_code == 503
    assert httpx.post(payments.admin_url + "/reset").status_code == 204
    assert httpx.get(payments.url + PAYMENT, headers=AUTH).status_code == 503


def test_rate_limit_headers_and_429(payments: MockServer) -> None:
    payments.use_scenario({"name": "r", "rules": [{"match": {"any": True}, "rate_limit": {
        "limit": 2, "per": "1m", "key": "credential"}}]})
    first, second, third = (httpx.get(payments.url + PAYMENT, headers=AUTH) for _ in range(3))
    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 429]
    assert [r.headers["x-ratelimit-remaining"] for r in (first, second, third)] == ["1", "0",
                                                                                    "0"]
    assert 1 <= int(third.headers["retry-after"]) <= 60
    assert third.headers["ratelimit-policy"] == '"default";q=2;w=60'
    other = httpx.get(payments.url + PAYMENT, headers={"Authorization": "Bearer other"})
    assert other.status_code == 200  # its own bucket


def test_token_expired_and_insufficient_scope(payments: MockServer) -> None:
    payments.use_scenario({"name": "auth", "rules": [
        {"match": {"operation": "getPayment"}, "token_expired": {"after_uses": 1}},
        {"match": {"operation": "listPayments"}, "insufficient_scope": "payments:read"}]})
    assert httpx.get(payments.url + PAYMENT, headers=AUTH).status_code == 200
    expired = httpx.get(payments.url + PAYMENT, headers=AUTH)
    assert expired.status_code == 401
    assert 'error="invalid_token"' in expired.headers["www-authenticate"]
    refreshed = httpx.get(payments.url + PAYMENT, headers={"Authorization": "Bearer new"})
    assert refreshed.status_code == 200
    scope = httpx.get(payments.url + "/payments", headers=AUTH)
    assert scope.status_code == 403
    assert scope.headers["www-authenticate"].endswith(
        'error="insufficient_scope", scope="payments:read"')
    metrics = httpx.get(payments.admin_url + "/metrics").text
    assert 'contractkit_faults_total{fault="token_expired",operation="getPayment"} 1' in metrics
    assert ('contractkit_faults_total{fault="insufficient_scope",operation="listPayments"} 1'
            in metrics)


def test_hang_until_the_client_leaves_then_the_cap(payments: MockServer) -> None:
    payments.use_scenario({"name": "h", "rules": [
        {"match": {"any": True}, "sequence": [{"hang": "30s"}, {"hang": "200ms"}]}]})
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(payments.url + PAYMENT, headers=AUTH, timeout=0.3)
    eventually(lambda: payments.journal.entries()[-1].t_disconnect is not None)
    left = payments.journal.entries()[-1]
    assert left.status is None
    # the client started its clock a little before the server saw the headers
    assert left.t_disconnect - left.t_headers >= 0.3 - 0.02  # type: ignore[operator]
    with pytest.raises(httpx.RemoteProtocolError):  # a client without a timeout
        httpx.get(payments.url + PAYMENT, headers=AUTH, timeout=None)
    eventually(lambda: payments.journal.entries()[-1].outcome == "hang-cap-reached")


def test_latency_and_slow_body_take_their_time(payments: MockServer) -> None:
    payments.use_scenario({"name": "slow", "rules": [{"match": {"any": True}, "sequence": [
        {"latency": "200ms"}, {"slow_body": {"duration": "300ms", "chunks": 3}}]}]})
    normal = httpx.get(payments.url + PAYMENT, headers=AUTH, timeout=5)
    assert normal.elapsed.total_seconds() >= 0.2
    started = time.monotonic()
    dripped = httpx.get(payments.url + PAYMENT, headers=AUTH, timeout=5)
    assert time.monotonic() - started >= 0.3
    assert dripped.json()["id"] == normal.json()["id"]


def test_schema_drift_keeps_the_body_json_with_unknown_fields(payments: MockServer) -> None:
    plain = httpx.get(payments.url + PAYMENT, headers=AUTH).json()
    payments.use_scenario("schema-drift")
    drifted = httpx.get(payments.url + PAYMENT, headers=AUTH).json()
    assert {k for k in drifted if k.startswith("x_contractkit_extra")}
    assert drifted["id"] == plain["id"]


def test_graphql_error_at_a_field_propagates_null() -> None:
    with MockServer(ROOT / "contracts" / "payments.graphql") as server:
        query = "{ payment(id: \"pay_1\") { id amount { amount currency } } }"
        plain = httpx.post(server.url + "/graphql", json={"query": query}).json()
        assert plain["data"]["payment"]["amount"] is not None
        server.use_scenario({"name": "g", "rules": [{"match": {"any": True}, "graphql_error": {
            "path": "payment.amount.currency", "message": "FX service down",
            "code": "UNAVAILABLE"}}]})
        failed = httpx.post(server.url + "/graphql", json={"query": query}).json()
        [error] = failed["errors"]
        assert error["path"] == ["payment", "amount", "currency"]
        assert error["extensions"] == {"code": "UNAVAILABLE"}
        # currency and amount are non-null: the null reaches the nullable payment
        assert failed["data"] == {"payment": None}


def test_injected_status_ignores_accept_like_a_provider(payments: MockServer) -> None:
    payments.use_scenario({"name": "s", "rules": [{"match": {"any": True}, "status": 503}]})
    answer = httpx.get(payments.url + PAYMENT, headers={**AUTH, "Accept": "application/json"})
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "30"  # the contract's declared 503 answer
    assert answer.headers["content-type"].startswith("application/problem+json")
