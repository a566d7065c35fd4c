"""The pytest plugin, driven through pytester: fixtures, markers, options, teardown checks,
virtual time, the coverage report. Each run is a subprocess: pytester's in-process runs
drop modules imported inside them, and httpx then meets httpcore classes it cannot map."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from tests.conftest import ROOT

PAYMENTS = str(ROOT / "contracts" / "payments.yaml")
HEADER = f'''
import httpx, pytest
PAYMENTS = {PAYMENTS!r}
AUTH = {{"Authorization": "Bearer sk_test_1"}}
PAYMENT = "/payments/pay_3Nf8aZq2LkP0sT7x"
'''


def test_contract_server_serves_the_marked_contract(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HEADER + '''
@pytest.mark.contract(PAYMENTS)
def test_get(contract_server):
    answer = httpx.get(contract_server.url + PAYMENT, headers=AUTH)
    assert answer.status_code == 200
    assert [e.operation_id for e in contract_server.entries()] == ["getPayment"]

@pytest.mark.contract(PAYMENTS)
def test_state_is_reset_between_tests(contract_server):
    assert contract_server.entries() == []
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*contractkit coverage*", "operations exercised: 1/7*"])


def test_scenarios_marker_runs_once_per_scenario_with_ids(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HEADER + '''
@pytest.mark.contract(PAYMENTS)
@pytest.mark.scenarios("server-errors", "outage")
def test_first_call_fails(contract_server, contractkit_scenario):
    answer = httpx.get(contract_server.url + PAYMENT, headers=AUTH)
    assert answer.status_code == 503
    assert contract_server.entries()[0].rule in ("fail-three-times", "down")
''')
    result = pytester.runpytest_subprocess("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*test_first_call_fails?server-errors? PASSED*",
                                 "*test_first_call_fails?outage? PASSED*"])


def test_a_request_that_breaks_the_contract_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HEADER + '''
@pytest.mark.contract(PAYMENTS)
def test_bad_client(contract_server):
    httpx.post(contract_server.url + "/payments", headers={**AUTH, "Idempotency-Key": "k"},
               json={"amount": "ten"})

@pytest.mark.contract(PAYMENTS)
def test_typo(contract_server):
    httpx.get(contract_server.url + "/paymnts", headers=AUTH)
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "*ContractViolation: the client sent 1 request(s) that break the contract:",
        "*POST /v1/payments → * (createPayment)",
        "*body*",
    ])
    result.stdout.fnmatch_lines([
        "*no operation of the contract matches:",
        "*GET /v1/paymnts*(nearest: GET /v1/payments*",
    ])


def test_contract_server_without_a_marker_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(contract_server):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*contract_server needs @pytest.mark.contract*"])


def test_virtual_time_makes_retry_after_instant_with_exact_gaps(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HEADER + '''
import time

@pytest.mark.contract(PAYMENTS)
def test_waits(contract_server, virtual_time):
    contract_server.use_scenario({"name": "slow-down", "rules": [{"match": {"any": True},
        "sequence": [{"status": {"code": 429, "retry_after": "60s"}}] * 3}]})
    started = time.perf_counter()
    for _ in range(4):
        answer = httpx.get(contract_server.url + PAYMENT, headers=AUTH)
        if answer.status_code != 429:
            break
        time.sleep(int(answer.headers["Retry-After"]))
    assert answer.status_code == 200
    assert [s.seconds for s in virtual_time.sleeps] == [60, 60, 60]
    first, *_, last = contract_server.entries()
    assert last.t_headers - first.t_headers >= 180
    assert virtual_time.slept() == 180
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--durations=1")
    result.assert_outcomes(passed=1)


def test_report_option_writes_json(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HEADER + '''
@pytest.mark.contract(PAYMENTS)
@pytest.mark.scenarios("server-errors")
def test_one(contract_server):
    httpx.get(contract_server.url + PAYMENT, headers=AUTH)
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider",
                                           "--contractkit-report=cov.json")
    result.assert_outcomes(passed=1)
    report = json.loads((pytester.path / "cov.json").read_text())
    assert report["version"] == 1
    assert report["tests"] == 1
    assert report["scenarios"] == {"server-errors": 1}
    assert report["operations"]["getPayment"]["exercised"] == {"503": {"server-errors": 1}}
    assert "createPayment" in report["operations"]


def test_wait_for_a_background_client(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HEADER + '''
import threading
from contractkit import ContractViolation

@pytest.mark.contract(PAYMENTS)
def test_background(contract_server):
    worker = threading.Thread(target=lambda: [httpx.get(contract_server.url + PAYMENT,
                                                        headers=AUTH) for _ in range(3)])
    worker.start()
    assert len(contract_server.wait_for(3, timeout=10)) == 3
    worker.join()
    with pytest.raises(ContractViolation, match="waited 0.1 s for 4 request"):
        contract_server.wait_for(4, timeout=0.1)
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_no_secrets_in(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HEADER + '''
from contractkit import ContractViolation

@pytest.mark.contract(PAYMENTS)
def test_leak(contract_server):
    httpx.get(contract_server.url + PAYMENT, headers=AUTH)
    contract_server.no_secrets_in("GET /payments failed with 500")
    with pytest.raises(ContractViolation, match="1 credential"):
        contract_server.no_secrets_in("request headers: Authorization: Bearer sk_test_1")
''')
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_every_assertion_hangs_off_expect_sync_and_async(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HEADER + '''
import asyncio
from contractkit import ContractViolation

class BrokenAnswer(Exception):
    pass

def read(client):
    try:
        return client.get(PAYMENT).json()["id"]
    except ValueError as error:
        raise BrokenAnswer() from error

async def aread(client):
    try:
        return (await client.get(PAYMENT)).json()["id"]
    except ValueError as error:
        raise BrokenAnswer() from error

CUT = {"name": "cut", "rules": [{"match": {"any": True}, "malformed": "invalid_json"}]}

@pytest.mark.contract(PAYMENTS)
def test_shape(contract_server):
    expect = contract_server.expect("getPayment")
    with httpx.Client(base_url=contract_server.url, headers=AUTH) as client:
        assert expect.tolerates(lambda: read(client)) == "pay_3Nf8aZq2LkP0sT7x"
        assert isinstance(expect.raises_typed(lambda: read(client), (BrokenAnswer,),
                                              scenario=CUT), BrokenAnswer)
        with pytest.raises(ContractViolation, match="made no createPayment request"):
            contract_server.expect("createPayment").tolerates(lambda: read(client))

    async def both():
        async with httpx.AsyncClient(base_url=contract_server.url, headers=AUTH) as client:
            first = await expect.tolerates(lambda: aread(client))
            error = await contract_server.raises_typed(lambda: aread(client),
                                                       (BrokenAnswer,), scenario=CUT)
            return first, error
    first, error = asyncio.run(both())
    assert first == "pay_3Nf8aZq2LkP0sT7x" and isinstance(error, BrokenAnswer)
    contract_server.expect().called(at_least=4).no_secrets_in("GET failed with 500")
    with pytest.raises(ContractViolation, match="1 credential"):
        contract_server.expect().no_secrets_in("Authorization: Bearer sk_test_1")
''')
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_importing_the_plugin_does_not_import_aiohttp() -> None:
    code = ("import sys, contractkit.pytest_plugin; "
            "print('aiohttp' in sys.modules, 'jsonschema' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.split() == ["False", "False"]


def test_xdist_workers_merge_one_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HEADER + '''
@pytest.mark.contract(PAYMENTS)
@pytest.mark.scenarios("server-errors", "outage", "flaky", "schema-drift")
def test_one(contract_server):
    httpx.get(contract_server.url + PAYMENT, headers=AUTH)
''')
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider",
                                           "--contractkit-report=cov.json")
    result.assert_outcomes(passed=4)
    report = json.loads((pytester.path / "cov.json").read_text())
    assert report["tests"] == 4
    assert report["scenarios"] == {"flaky": 1, "outage": 1, "schema-drift": 1,
                                   "server-errors": 1}
    result.stdout.fnmatch_lines(["*contractkit coverage*", "*scenarios: flaky (1 test)*"])


def test_async_clients_from_anyio_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HEADER + '''
import aiohttp

@pytest.fixture
def anyio_backend():
    return "asyncio"

@pytest.mark.anyio
@pytest.mark.contract(PAYMENTS)
@pytest.mark.scenarios("server-errors")
async def test_async(contract_server, virtual_time):
    async with httpx.AsyncClient(base_url=contract_server.url, headers=AUTH) as client:
        statuses = [(await client.get(PAYMENT)).status_code for _ in range(2)]
    async with aiohttp.ClientSession(headers=AUTH) as session:
        async with session.get(contract_server.url + PAYMENT) as answer:
            statuses.append(answer.status)
    assert statuses == [503, 500, 502]
''')
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_factory_contracts_dir_seed_and_virtual_time_options(pytester: pytest.Pytester) -> None:
    (pytester.path / "apis").mkdir()
    (pytester.path / "apis" / "payments.yaml").write_text(
        (ROOT / "contracts" / "payments.yaml").read_text())
    pytester.makeconftest('''
import pytest

@pytest.fixture
def contractkit_contracts_dir(request):
    return request.config.rootpath / "apis"
''')
    pytester.makepyfile(HEADER + '''
import time

@pytest.mark.contract("payments.yaml")  # found through contractkit_contracts_dir
def test_time_is_virtual_for_every_test(contract_server, request):
    contract_server.use_scenario("server-errors")
    assert httpx.get(contract_server.url + PAYMENT, headers=AUTH).status_code == 503
    time.sleep(30)  # instant: --contractkit-time=virtual
    assert contract_server.sleeps[0].seconds == 30
    assert request.config.getoption("contractkit_seed") == 11

def test_factory_starts_fresh_servers(make_contract_server):
    one = make_contract_server("payments.yaml", scenario="outage")
    two = make_contract_server("payments.yaml")
    assert one.url != two.url
    assert httpx.get(one.url + PAYMENT, headers=AUTH).status_code == 503
    assert httpx.get(two.url + PAYMENT, headers=AUTH).status_code == 200
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--contractkit-seed=11",
                                           "--contractkit-time=virtual", "--durations=2")
    result.assert_outcomes(passed=2)


def test_strict_fails_on_deprecated_operations(pytester: pytest.Pytester) -> None:
    (pytester.path / "old.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: Old, version: '1'}\npaths:\n"
        "  /pets/{id}:\n    delete:\n      operationId: deletePet\n      deprecated: true\n"
        "      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]\n"
        "      responses: {'204': {description: gone}}\n")
    pytester.makepyfile('''
import httpx, pytest

@pytest.mark.contract("old.yaml")
def test_deprecated(contract_server):
    assert httpx.delete(contract_server.url + "/pets/1").status_code == 204
''')
    loose = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    strict = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--contractkit-strict")
    loose.assert_outcomes(passed=1)
    strict.assert_outcomes(failed=1)
    strict.stdout.fnmatch_lines(["*the client calls deprecated operation(s) deletePet*"])
