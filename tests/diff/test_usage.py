"""``diff --usage DIR``: each change marked with the recorded consumer tests it hits, and
``--fail-on breaking-used`` failing only on those."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
import yaml
from tests.conftest import CONTRACTS, ROOT
from tests.diff.helpers import api

import contractkit
from contractkit.diff.usage import mark
from contractkit.interactions import Interaction, RecordedResponse, Recording, write
from contractkit.reporting.diff import json_report

AMOUNT = {"type": "object", "required": ["amount"],
          "properties": {"amount": {"type": "integer"}, "note": {"type": "string"},
                         "items": {"type": "array", "items": {
                             "type": "object", "properties": {"sku": {"type": "string"}}}}}}


def _call(test: str, *, body: object = None, answer: object = None, status: int = 200,
          path: str = "/payments", method: str = "POST",
          query: tuple[tuple[str, str], ...] = ()) -> Recording:
    return Recording(test, (Interaction(
        operation="createPayment", method=method, path=path, query=query, body=body,
        response=RecordedResponse(status, "application/json", answer)),))


def _used(old: dict[str, object], new: dict[str, object],
          *recordings: Recording) -> dict[str, tuple[str, ...] | None]:
    report = mark(contractkit.diff(contractkit.load(old), contractkit.load(new)), recordings)
    return {change.location: change.used_by for change in report.changes}


def test_a_response_field_is_used_by_the_tests_that_saw_it() -> None:
    new = {**AMOUNT, "properties": {**AMOUNT["properties"], "amount": {"type": "string"},
                                    "note": {"type": "integer"}}}
    used = _used(api(response=AMOUNT), api(response=new),
                 _call("t.py::test_saw_amount", answer={"amount": 1}),
                 _call("t.py::test_saw_both", answer={"amount": 1, "note": "x"}),
                 _call("t.py::test_other_status", answer={"amount": 1}, status=201))
    assert used["POST /payments → responses → 200 → application/json → /amount"] == (
        "t.py::test_saw_amount", "t.py::test_saw_both")
    assert used["POST /payments → responses → 200 → application/json → /note"] == (
        "t.py::test_saw_both",)


def test_array_items_match_through_brackets() -> None:
    items = AMOUNT["properties"]["items"]
    new = {**AMOUNT, "properties": {**AMOUNT["properties"], "items": {
        **items, "items": {**items["items"], "properties": {"sku": {"type": "integer"}}}}}}
    used = _used(api(response=AMOUNT), api(response=new),
                 _call("t.py::test_items", answer={"amount": 1, "items": [{"sku": "a"}]}),
                 _call("t.py::test_empty", answer={"amount": 1, "items": []}))
    assert used["POST /payments → responses → 200 → application/json → /items[]/sku"] == (
        "t.py::test_items",)


def test_request_fields_sent_and_new_requirements_hit_every_caller() -> None:
    new = {**AMOUNT, "required": ["amount", "note"],
           "properties": {**AMOUNT["properties"], "amount": {"type": "integer", "maximum": 5}}}
    used = _used(api(request=AMOUNT), api(request=new),
                 _call("t.py::test_sends_amount", body={"amount": 1}),
                 _call("t.py::test_other_path", body={"amount": 1}, path="/refunds"))
    assert set(used.values()) == {("t.py::test_sends_amount",)}
    assert len(used) == 2  # the new maximum and the newly required note


def test_a_query_parameter_is_used_when_sent() -> None:
    param = {"name": "limit", "in": "query", "schema": {"type": "integer"}}
    narrowed = {**param, "schema": {"type": "integer", "maximum": 10}}
    old = api(parameters=[param], method="get")
    new = api(parameters=[narrowed], method="get")
    used = _used(old, new,
                 _call("t.py::test_limit", method="GET", query=(("limit", "50"),)),
                 _call("t.py::test_no_limit", method="GET"))
    assert set(used.values()) == {("t.py::test_limit",)}


def test_path_parameter_names_do_not_matter_and_removal_hits_every_caller() -> None:
    old = api(path="/payments/{id}", method="get")
    new = api(path="/other", method="get")
    used = _used(old, new, _call("t.py::test_get", method="GET", path="/payments/pay_1"),
                 _call("t.py::test_post", path="/payments/pay_1"))
    assert used == {"GET /payments/{id}": ("t.py::test_get",), "GET /other": ()}


def test_the_same_call_to_another_providers_mock_does_not_use_the_change() -> None:
    new = {**AMOUNT, "properties": {**AMOUNT["properties"], "amount": {"type": "string"}}}
    old_api, new_api = api(response=AMOUNT), api(response=new)
    title = old_api["info"]["title"]

    def call(test: str, contract: str) -> Recording:
        (only,) = _call(test, answer={"amount": 1}).interactions
        return Recording(test, (replace(only, contract=contract),))

    used = _used(old_api, new_api, call("t.py::test_this_provider", f"{title} 0.9.0"),
                 call("t.py::test_other_provider", "Ledger API 2.0.0"),
                 call("t.py::test_unnamed", ""))
    assert used["POST /payments → responses → 200 → application/json → /amount"] == (
        "t.py::test_this_provider", "t.py::test_unnamed")


def test_without_recordings_nothing_is_used() -> None:
    report = mark(contractkit.diff(contractkit.load(api(response=AMOUNT)),
                                   contractkit.load(api(response={"type": "string"}))), [])
    assert report.changes
    assert all(change.used_by == () for change in report.changes)
    assert not report.fails("breaking-used")
    assert report.fails("breaking")


def _command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "contractkit", "diff", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def changed_payments(tmp_path: Path) -> tuple[Path, Path]:
    """payments.yaml with Payment.amount a string, and interactions of one consumer test
    that read a payment, another that read only a list."""
    document = yaml.safe_load((CONTRACTS / "payments.yaml").read_text())
    document["components"]["schemas"]["Payment"]["properties"]["amount"] = {"type": "string"}
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(document))
    folder = tmp_path / "interactions"
    write(folder, Recording("t.py::test_get", (Interaction(
        operation="getPayment", method="GET", path="/payments/pay_3Nf8aZq2LkP0sT7x",
        response=RecordedResponse(200, "application/json", {"id": "p", "amount": 1})),)))
    return new, folder


def test_the_command_marks_changes_and_fails_on_used_ones(
        changed_payments: tuple[Path, Path], tmp_path: Path) -> None:
    new, folder = changed_payments
    old = str(CONTRACTS / "payments.yaml")
    text = _command(old, str(new), "--usage", str(folder))
    used = _command(old, str(new), "--usage", str(folder), "--fail-on", "breaking-used",
                    "--format", "json")
    assert text.returncode == 1, text.stderr
    assert text.stdout.splitlines()[0].endswith(
        ": 6 breaking, 0 dangerous, 0 safe; 3 hit recorded consumer tests")
    assert "        used by 1 recorded consumer test: t.py::test_get" in text.stdout
    assert "        no recorded consumer test uses it" in text.stdout
    assert used.returncode == 1
    data = json.loads(used.stdout)
    jsonschema.validate(data, json_report.schema())
    assert data["fail_on"] == "breaking-used"
    hits = [c for c in data["changes"] if c["used_by"]]
    # reported once at the component's site, used through the operation the test called
    assert {c["operation"] for c in hits} == {"#/components/schemas/Payment"}
    assert all("GET /payments/{paymentId}" in {r["operation"] for r in c["reaches"]}
               for c in hits)
    # the webhook's copies of the change are reached by no recorded request
    assert {c["rule_id"].split("-")[0] for c in hits} == {"response"}

    # nobody reads payments one by one: the same changes, but no used one
    (next(folder.iterdir())).write_text(json.dumps({
        "format_version": 1, "test": "t.py::test_list", "interactions": []}))
    unused = _command(old, str(new), "--usage", str(folder), "--fail-on", "breaking-used")
    assert unused.returncode == 0, unused.stdout + unused.stderr
    assert "no recorded consumer test uses it" in unused.stdout


def test_usage_errors_exit_2(changed_payments: tuple[Path, Path], tmp_path: Path) -> None:
    new, folder = changed_payments
    old = str(CONTRACTS / "payments.yaml")
    needs = _command(old, str(new), "--fail-on", "breaking-used")
    assert needs.returncode == 2
    assert "--fail-on breaking-used needs --usage DIR" in needs.stderr
    (folder / "broken.json").write_text("{")
    broken = _command(old, str(new), "--usage", str(folder))
    assert broken.returncode == 2
    assert broken.stderr.startswith(f"contractkit diff: {folder / 'broken.json'}:1: not JSON")
    assert "Traceback" not in broken.stderr
