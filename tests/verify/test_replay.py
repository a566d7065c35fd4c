"""``verify --interactions``: the round trip. The examples' consumer suite is recorded
(``pytest --contractkit-record``), then replayed against a conforming payments provider,
the mock itself (0 findings) and a deviating provider (findings that name the consumer
tests); and unusable interactions are refused in one line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import CONTRACTS, ROOT
from tests.verify.payments_provider import DEVIATIONS, payments_provider

from contractkit.interactions import read_dir
from contractkit.server.runner import MockServer
from contractkit.verify.run import verify

PAYMENTS = CONTRACTS / "payments.yaml"
AUTH = "Authorization: Bearer sk_test_replay"
SUITE = "examples/test_suite/test_payments_client.py"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples' consumer suite, recorded once for the module."""
    folder = tmp_path_factory.mktemp("interactions")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "examples/test_suite", f"--contractkit-record={folder}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    return folder


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "contractkit", "verify", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_recording_covers_the_suite(recorded: Path) -> None:
    recordings = read_dir(recorded)
    tests = {r.test for r in recordings}
    assert f"{SUITE}::test_retries_server_errors_with_backoff[server-errors]" in tests
    operations = {i.operation for r in recordings for i in r.interactions}
    assert operations == {"getPayment", "createPayment"}
    # both kinds of exchange are there: answered from the contract, and by a fault
    faults = {i.fault is None for r in recordings for i in r.interactions}
    assert faults == {True, False}


def test_a_conforming_provider_passes_every_recorded_exchange(recorded: Path) -> None:
    with payments_provider() as url:
        result = run(str(PAYMENTS), "--base-url", url, "-H", AUTH,
                     "--interactions", str(recorded))
    assert result.returncode == 0, result.stdout + result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"Example Payments API 1.4.0 at {url}: 0 findings in 2 "
                            "operations (")
    assert first.endswith(f"recorded requests replayed from {recorded})")
    assert "exchange(s) the mock answered with an injected fault are not replayed" \
        in result.stdout
    assert result.stderr == ""


def test_the_mock_is_a_conforming_provider_too(recorded: Path) -> None:
    with MockServer(PAYMENTS, seed=11) as mock:
        report = verify(PAYMENTS, base_url=mock.url, headers={"Authorization": "Bearer t"},
                        interactions=recorded)
    assert report.findings == ()
    assert report.requests > 0
    assert set(report.operations) == {"GET /payments/{paymentId}", "POST /payments"}


@pytest.mark.parametrize("deviation", sorted(DEVIATIONS))
def test_each_deviation_fails_naming_the_consumer_tests(recorded: Path,
                                                        deviation: str) -> None:
    with payments_provider(deviation) as url:
        report = verify(PAYMENTS, base_url=url, headers={"Authorization": "Bearer t"},
                        interactions=recorded, request_timeout=0.5)
    codes = {f.code for f in report.findings}
    assert DEVIATIONS[deviation] in codes, report.findings
    consumers = {f.consumer for f in report.findings}
    assert all(c.startswith(f"{SUITE}::test_") for c in consumers), consumers
    if deviation == "create-refused":
        assert consumers == {
            f"{SUITE}::test_retried_payments_keep_their_idempotency_key[server-errors]"}
        (finding,) = report.findings
        assert finding.operation == "POST /payments"
        assert finding.message.startswith("the consumer saw 201; the provider answered 400")
        assert '"cvc": "[redacted' not in finding.curl  # a stand-in the schema accepts
        assert '"cvc": "' in finding.curl
        assert "Bearer t" not in finding.curl
    if deviation == "hang":
        timeouts = [f for f in report.findings if f.code == "CK-TIMEOUT"]
        assert {f.operation for f in timeouts} == {"GET /payments/{paymentId}"}
        assert timeouts[0].message == ("the provider did not answer within 0.5 s "
                                       "(--request-timeout).")


def test_findings_name_the_consumer_test_in_text_and_json(recorded: Path) -> None:
    with payments_provider("amount-as-string") as url:
        text = run(str(PAYMENTS), "--base-url", url, "-H", AUTH, "--interactions",
                   str(recorded))
        as_json = run(str(PAYMENTS), "--base-url", url, "-H", AUTH, "--interactions",
                      str(recorded), "--format", "json")
    assert text.returncode == 1, text.stderr
    assert (f"      consumer test: {SUITE}::test_retries_server_errors_with_backoff"
            "[server-errors]") in text.stdout.splitlines()
    assert "      /amount was a number for the consumer, the provider answered a string" \
        in text.stdout.splitlines()
    assert text.stdout.rstrip().endswith(f"--interactions {recorded}")
    assert "sk_test_replay" not in text.stdout
    data = json.loads(as_json.stdout)
    assert as_json.returncode == 1
    assert {f["code"] for f in data["findings"]} == {"CK-REPLAY-SHAPE", "CK-REPLAY-CONTRACT"}
    assert all(f["consumer"].startswith(SUITE) for f in data["findings"])
    assert data["options"]["interactions"] == str(recorded)


def test_interactions_only_of_another_contract_are_one_line_and_exit_2(
        recorded: Path) -> None:
    with payments_provider() as url:
        result = run(str(CONTRACTS / "petstore.yaml"), "--base-url", url,
                     "--interactions", str(recorded))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert (f"{recorded}: no interaction was recorded against Petstore (the contract "
            "verified), only against: Example Payments API 1.4.0") in result.stderr


def test_a_test_that_used_two_providers_replays_only_this_ones(tmp_path: Path) -> None:
    from contractkit.interactions import Interaction, RecordedResponse, Recording, write

    def call(path: str, contract: str) -> Interaction:
        return Interaction(operation=None, method="GET", path=path, contract=contract,
                           response=RecordedResponse(200, "application/json", {}))

    write(tmp_path, Recording("t.py::test_both", (
        call("/pets/1", "Petstore 1.0.0"),
        call("/payments/pay_3Nf8aZq2LkP0sT7x", "Example Payments API 1.3.0"),  # older
        call("/pets/2", "Petstore 1.0.0"),
        call("/nowhere", "Example Payments API 1.4.0"))))
    with payments_provider() as url:
        report = verify(PAYMENTS, base_url=url, interactions=tmp_path,
                        headers={"Authorization": "Bearer sk_test_replay"})
    # the payments exchanges are judged (one known, one not in the contract) ...
    assert [(f.code, f.operation) for f in report.findings] == [
        ("CK-REPLAY-UNKNOWN", "GET /nowhere")]
    assert report.requests == 1
    # ... and the petstore ones are left to petstore's verify, saying so
    assert [s.reason for s in report.skipped] == [
        "2 exchange(s) the consumer tests had with other providers' mocks are not "
        "replayed: Petstore 1.0.0 (2)"]


def _copy(recorded: Path, tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "interactions"
    shutil.copytree(recorded, folder)
    return folder, sorted(folder.glob("*.json"))[0]


@pytest.mark.parametrize(("content", "expected"), [
    ('{"format_version": 1, "test": "t", "interactions": [', ":1: not JSON ("),
    ('{"format_version": 9, "test": "t", "interactions": []}',
     "  /format_version  format_version 9 is not 1"),
    ('{"format_version": 1, "test": "t", "interactions": [{"method": "GET"}]}',
     "  /interactions/0/response  expected an object, found NoneType"),
    ('[]', "  /  expected an object, found list"),
])
def test_a_corrupt_file_is_one_line_naming_it(recorded: Path, tmp_path: Path, content: str,
                                              expected: str) -> None:
    folder, victim = _copy(recorded, tmp_path)
    victim.write_text(content)
    with payments_provider() as url:
        result = run(str(PAYMENTS), "--base-url", url, "--interactions", str(folder))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"contractkit verify: {victim}")
    assert expected in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_a_missing_or_empty_folder_exits_2(tmp_path: Path) -> None:
    with payments_provider() as url:
        missing = run(str(PAYMENTS), "--base-url", url, "--interactions",
                      str(tmp_path / "nope"))
        empty = run(str(PAYMENTS), "--base-url", url, "--interactions", str(tmp_path))
    assert missing.returncode == 2
    assert missing.stderr == (f"contractkit verify: {tmp_path / 'nope'}: no such folder of "
                              "recorded interactions (record them with pytest "
                              "--contractkit-record=DIR)\n")
    assert empty.returncode == 2
    assert "no interactions files (*.json)" in empty.stderr


def test_generated_check_options_do_not_mix_with_a_replay(recorded: Path) -> None:
    with payments_provider() as url:
        result = run(str(PAYMENTS), "--base-url", url, "--interactions", str(recorded),
                     "--check", "all", "--include", "getPayment")
    assert result.returncode == 2
    assert result.stderr == ("contractkit verify: --include, --check choose generated "
                             "checks; --interactions replays what was recorded (run verify "
                             "twice for both)\n")


def test_an_unreachable_provider_exits_2(recorded: Path) -> None:
    with payments_provider() as url:
        pass  # stopped: nothing listens at its port any more
    result = run(str(PAYMENTS), "--base-url", url, "--interactions", str(recorded))
    assert result.returncode == 2
    assert result.stderr.startswith(f"contractkit verify: cannot reach the provider at {url}")
    assert result.stderr.count("\n") == 1


def test_truncated_bodies_are_not_replayed(tmp_path: Path) -> None:
    from contractkit.interactions import Interaction, RecordedResponse, Recording, write

    write(tmp_path, Recording("t.py::test_big", (Interaction(
        operation="createPayment", method="POST", path="/payments", body=None,
        body_truncated=True, headers={"content-type": "application/json"},
        response=RecordedResponse(201, "application/json", {"id": "pay_1"})),)))
    with payments_provider("create-refused") as url:  # it would refuse what came
        report = verify(PAYMENTS, base_url=url, interactions=tmp_path)
    assert report.findings == ()
    assert report.requests == 0
    assert [s.reason for s in report.skipped] == [
        "1 request(s) with a body too large for the journal to keep whole are not replayed"]
