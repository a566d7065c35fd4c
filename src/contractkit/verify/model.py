"""What ``verify`` returns: :class:`Finding` s about a provider, gathered in a
:class:`VerifyReport`, and the :class:`VerifyOptions` a run was made with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["critical", "high", "medium", "low"]

#: schemathesis' checks that ``verify`` runs, by schemathesis' own names: what each one
#: asks of the provider is in docs/reference/verify-checks.md
PROVIDER_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "ignored_auth",
)
#: contractkit's own checks, each opt-in (``--check NAME`` or ``--check all``)
INTEGRATION_CHECKS = ("idempotency", "rate_limit_headers", "error_schema", "deprecation_headers")


@dataclass(frozen=True)
class Finding:
    """One way the provider departs from its contract, with the request that shows it.

    ``check`` is the check that found it (a name of :data:`PROVIDER_CHECKS` or
    :data:`INTEGRATION_CHECKS`, or ``"timeout"``), ``code`` its stable code (schemathesis'
    ``ST1xx`` or contractkit's ``CK-…``), ``title`` the kind in a few words, ``message``
    what was expected and what came. ``curl`` reproduces the first request that showed it
    (credentials given with ``headers`` appear as ``[Filtered]``), ``seed`` the run that
    generated it; ``occurrences`` counts the requests that showed the same kind of finding
    on the operation. ``consumer`` names the consumer test (``file::test``) whose recorded
    exchange a replay (``--interactions``) found it with, else is empty.
    """

    check: str
    code: str
    operation: str
    title: str
    message: str
    severity: Severity = "medium"
    status: int | None = None
    curl: str = ""
    seed: int = 0
    occurrences: int = 1
    consumer: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two findings the same kind on the same operation."""
        return (self.operation, self.code, self.title)


@dataclass(frozen=True)
class Skipped:
    """An operation ``verify`` could not test, and why (no value fits its schemas, say)."""

    operation: str
    reason: str


@dataclass(frozen=True)
class VerifyOptions:
    """How a run was made; every field has the meaning of ``verify()``'s argument."""

    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_examples: int = 20
    seed: int = 0
    max_time: float | None = None
    workers: int = 1
    request_timeout: float = 10.0
    checks: tuple[str, ...] = ()  # integration checks switched on
    skip_checks: tuple[str, ...] = ()  # provider checks switched off
    tls_verify: bool = True
    interactions: str = ""  # the folder of recorded interactions replayed, if any


@dataclass(frozen=True)
class VerifyReport:
    """Everything one ``verify`` run found, in the contract's operation order.

    ``operations`` lists the operations tested (``METHOD /path``), ``requests`` how many
    requests were sent. ``stopped`` says why the run ended early (the time budget), or is
    empty.
    """

    contract: str
    title: str
    version: str
    options: VerifyOptions
    findings: tuple[Finding, ...]
    operations: tuple[str, ...]
    requests: int
    skipped: tuple[Skipped, ...] = ()
    stopped: str = ""

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def seed(self) -> int:
        return self.options.seed
