"""``pytest --contractkit-record=DIR``: one interactions file per test, secrets redacted,
each xdist worker writing the files of its own tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import ROOT

from contractkit.interactions import file_name, read_dir

PAYMENTS = str(ROOT / "contracts" / "payments.yaml")
SUITE = f'''
import httpx, pytest
PAYMENTS = {PAYMENTS!r}
AUTH = {{"Authorization": "Bearer sk_live_verysecret", "X-Request-Id": "req_1"}}
CARD = {{"type": "card", "number": "4242424242424242", "exp_month": 12, "exp_year": 2030,
         "cvc": "987"}}

@pytest.mark.contract(PAYMENTS)
def test_get(contract_server):
    answer = httpx.get(contract_server.url + "/payments/pay_3Nf8aZq2LkP0sT7x?expand=x",
                       headers=AUTH)
    assert answer.status_code == 200

@pytest.mark.contract(PAYMENTS)
@pytest.mark.scenarios("server-errors")
def test_create(contract_server):
    for _ in range(2):
        httpx.post(contract_server.url + "/payments",
                   headers={{**AUTH, "Idempotency-Key": "k1"}},
                   json={{"amount": 100, "currency": "EUR", "payment_method": CARD}})

@pytest.mark.contract(PAYMENTS)
def test_no_exchange(contract_server):
    pass

def test_without_the_mock():
    pass
'''


def test_each_test_writes_its_exchanges(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makepyfile(test_suite=SUITE)
    folder = tmp_path / "interactions"
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider",
                                           f"--contractkit-record={folder}")
    result.assert_outcomes(passed=4)
    recordings = {r.test: r for r in read_dir(folder)}
    assert sorted(recordings) == ["test_suite.py::test_create[server-errors]",
                                  "test_suite.py::test_get"]
    assert (folder / file_name("test_suite.py::test_get")).is_file()

    (get,) = recordings["test_suite.py::test_get"].interactions
    assert (get.operation, get.method, get.path, get.query) == (
        "getPayment", "GET", "/payments/pay_3Nf8aZq2LkP0sT7x", (("expand", "x"),))
    assert get.scenario is None
    assert get.fault is None
    assert get.response.status == 200
    assert get.response.content_type == "application/json"
    assert get.response.body["id"] == "pay_3Nf8aZq2LkP0sT7x"
    assert get.headers["x-request-id"] == "req_1"
    assert get.headers["authorization"].startswith("[redacted sha256:")
    assert get.contract == "Example Payments API 1.4.0"

    first, second = recordings["test_suite.py::test_create[server-errors]"].interactions
    assert (first.scenario, first.fault, first.rule, first.response.status) == (
        "server-errors", "status 503", "fail-three-times", 503)
    assert first.body["payment_method"]["cvc"].startswith("[redacted sha256:")
    assert first.body["amount"] == 100
    assert second.response.status == 500

    for file in folder.iterdir():
        text = file.read_text()
        assert "verysecret" not in text, file
        assert '"987"' not in text, file


def test_xdist_workers_write_their_own_files(pytester: pytest.Pytester,
                                             tmp_path: Path) -> None:
    pytester.makepyfile(test_suite=SUITE)
    folder = tmp_path / "interactions"
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider",
                                           f"--contractkit-record={folder}")
    result.assert_outcomes(passed=4)
    assert sorted(r.test for r in read_dir(folder)) == [
        "test_suite.py::test_create[server-errors]", "test_suite.py::test_get"]
    assert not list(folder.glob("*.tmp"))


def test_file_names_are_safe_and_distinct() -> None:
    names = {file_name(test) for test in (
        "tests/a.py::test_b[x/y]", "tests/a.py::test_b[x_y]", "tests/a.py::test_b[x:y]",
        "../../etc/passwd", "t::" + "x" * 500)}
    assert len(names) == 5
    for name in names:
        assert "/" not in name
        assert not name.startswith(".")
        assert len(name) < 200
        assert name.endswith(".json")


def test_a_body_too_large_to_keep_whole_is_not_recorded_as_a_prefix() -> None:
    import httpx

    from contractkit.consumer import ContractServer
    from contractkit.journal import BODY_PREFIX_BYTES
    from contractkit.server.runner import MockServer

    big = {"amount": 100, "currency": "EUR", "description": "x" * BODY_PREFIX_BYTES,
           "payment_method": {"type": "card", "number": "4242424242424242",
                              "exp_month": 12, "exp_year": 2030, "cvc": "987"}}
    with MockServer(PAYMENTS) as server:
        view = ContractServer(server)
        httpx.post(server.url + "/payments", json=big, headers={
            "Authorization": "Bearer t", "Idempotency-Key": "k"})
        httpx.post(server.url + "/payments", json={**big, "description": "small"},
                   headers={"Authorization": "Bearer t", "Idempotency-Key": "k2"})
        large, small = view.interactions()
    assert large.body is None
    assert large.body_truncated
    assert large.to_dict()["body_truncated"] is True
    assert small.body["description"] == "small"
    assert not small.body_truncated
    assert "body_truncated" not in small.to_dict()


def test_exchanges_with_every_mock_of_a_test_are_one_file_in_order(
        pytester: pytest.Pytester, tmp_path: Path) -> None:
    petstore = str(ROOT / "contracts" / "petstore.yaml")
    pytester.makepyfile(test_two=f'''
import httpx, pytest

@pytest.mark.contract({PAYMENTS!r})
def test_two_providers(contract_server, make_contract_server):
    pets = make_contract_server({petstore!r})
    assert httpx.get(pets.url + "/pets/1").status_code == 200
    answer = httpx.get(contract_server.url + "/payments/pay_3Nf8aZq2LkP0sT7x",
                       headers={{"Authorization": "Bearer sk_test_x"}})
    assert answer.status_code == 200
    assert httpx.get(pets.url + "/pets/2").status_code == 200

def test_factory_only(make_contract_server):
    pets = make_contract_server({petstore!r})
    assert httpx.get(pets.url + "/pets/3").status_code == 200
''')
    folder = tmp_path / "interactions"
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider",
                                           f"--contractkit-record={folder}")
    result.assert_outcomes(passed=2)
    recordings = {r.test: r for r in read_dir(folder)}
    assert sorted(recordings) == ["test_two.py::test_factory_only",
                                  "test_two.py::test_two_providers"]
    both = recordings["test_two.py::test_two_providers"].interactions
    assert [(i.path, i.contract.rsplit(" ", 1)[0]) for i in both] == [
        ("/pets/1", "Petstore"), ("/payments/pay_3Nf8aZq2LkP0sT7x",
                                          "Example Payments API"),
        ("/pets/2", "Petstore")]
    (only,) = recordings["test_two.py::test_factory_only"].interactions
    assert only.path == "/pets/3"
