"""``contractkit mock`` is a conforming provider: ``verify`` finds nothing in it, for every
bundled OpenAPI contract (``verify`` checks OpenAPI only; payments.graphql is refused with
one line, see test_verify_command.py)."""

from __future__ import annotations

import pytest
from tests.conftest import CONTRACTS

import contractkit
from contractkit.server.runner import MockServer
from contractkit.verify.run import verify

OPENAPI = sorted(p.name for p in CONTRACTS.glob("*.yaml"))


@pytest.mark.parametrize("name", OPENAPI)
def test_verify_finds_nothing_in_the_mock(name: str) -> None:
    contract = contractkit.load(CONTRACTS / name)
    with MockServer(contract) as server:
        report = verify(contract, base_url=server.url, max_examples=3, seed=1,
                        headers={"Authorization": "Bearer t", "X-API-Key": "k"},
                        # the mock checks that credentials are present, not that they are
                        # genuine, and keeps no Idempotency-Key state unless a scenario asks
                        skip_checks=["ignored_auth"],
                        checks=["rate_limit_headers", "error_schema", "deprecation_headers"])
    assert [(f.operation, f.code, f.message) for f in report.findings] == []
    assert report.operations
    assert report.skipped == ()
    assert report.requests >= len(report.operations)
