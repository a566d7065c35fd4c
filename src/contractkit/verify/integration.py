"""contractkit's integration checks, each opt-in: what a provider owes clients that retry,
back off and migrate, beyond what the schemas say.

- ``idempotency``: a request repeated with the same ``Idempotency-Key`` gets the same
  answer (nothing is created twice); the key reused with a different body is refused (4xx).
- ``rate_limit_headers``: a 429 says when to come back: ``Retry-After``, or one of the
  rate-limit headers the contract declares for that 429. Where the contract declares a
  429, an accepted request is repeated (up to ``max_examples`` times) to provoke one.
- ``error_schema``: an error status the operation does not declare still answers with the
  contract's error schema (the one most of its error responses use).
- ``deprecation_headers``: a deprecated operation's successful answers carry
  ``Deprecation`` (RFC 9745), and ``Sunset`` (RFC 8594) when the operation has ``x-sunset``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from contractkit.contract.model import Contract, Operation, Schema
from contractkit.contract.validation import find_response
from contractkit.verify.generated import AnswerJudge, Exchange, Probe, reproduce, sent_headers
from contractkit.verify.model import Finding, VerifyOptions

if TYPE_CHECKING:
    from schemathesis import Response

    from contractkit.verify.generated import Case

IDEMPOTENCY_HEADER = "idempotency-key"


def checks_for(contract: Contract, operation: Operation | None,
               options: VerifyOptions) -> tuple[tuple[AnswerJudge, ...], tuple[Probe, ...]]:
    """The answer judges and probes the run's ``checks`` switch on for ``operation``."""
    if operation is None:
        return (), ()
    judges: list[AnswerJudge] = []
    probes: list[Probe] = []
    if "idempotency" in options.checks and any(
            p.location == "header" and p.name.lower() == IDEMPOTENCY_HEADER
            for p in operation.parameters):
        probes.append(IdempotencyProbe(options))
    if "rate_limit_headers" in options.checks:
        rate_limit = _RateLimitHeaders(operation, options)
        judges.append(rate_limit)
        if "429" in operation.responses:
            probes.append(RateLimitProbe(rate_limit, options))
    if "error_schema" in options.checks:
        schema = error_schema(contract)
        if schema is not None:
            judges.append(_ErrorSchema(contract, operation, schema, options))
    if "deprecation_headers" in options.checks and operation.deprecated:
        judges.append(_DeprecationHeaders(operation, options))
    return tuple(judges), tuple(probes)


def _curl(case: Case, response: Response, options: VerifyOptions) -> str:
    return reproduce(case, sent_headers(response), options)


def _header(response: Response, name: str) -> str | None:
    values = response.headers.get(name.lower())
    return values[0] if values else None


class _RateLimitHeaders:
    def __init__(self, operation: Operation, options: VerifyOptions) -> None:
        declared = find_response(operation, 429)
        self.declared = tuple(name for name in (declared.headers if declared else {})
                              if name.lower() != "retry-after")
        self.options = options

    def __call__(self, case: Case, response: Response) -> Iterator[Finding]:
        if response.status_code != 429 or _header(response, "retry-after") is not None:
            return
        if any(_header(response, name) is not None for name in self.declared):
            return
        also = f" or any of {', '.join(self.declared)}" if self.declared else ""
        yield Finding(
            check="rate_limit_headers", code="CK-RATE-LIMIT",
            operation=case.operation.label, title="429 without Retry-After",
            message=f"A 429 answer must say when to retry: no Retry-After header{also}.",
            severity="medium", status=429, curl=_curl(case, response, self.options),
            seed=self.options.seed)


class RateLimitProbe:
    """Where the contract declares a 429, repeats an accepted request (up to
    ``max_examples`` times) until one is answered 429, and judges that answer's headers."""

    def __init__(self, judge: _RateLimitHeaders, options: VerifyOptions) -> None:
        self.judge = judge
        self.options = options
        self.finished = False

    def __call__(self, case: Case, exchange: Exchange) -> Iterator[Finding]:
        self.finished = True
        for _ in range(self.options.max_examples):
            response = exchange.send(case)
            if response is None:
                return
            if response.status_code == 429:
                yield from self.judge(case, response)
                return


def error_schema(contract: Contract) -> Schema | None:
    """The schema most of the contract's error responses (4xx, 5xx, default) use."""
    counts: Counter[tuple[str, str]] = Counter()
    schemas: dict[tuple[str, str], Schema] = {}
    for operation in contract.operations:
        for status, response in operation.responses.items():
            if status[0] not in "45D":
                continue
            for media in response.content.values():
                if media.schema is not None:
                    key = (media.schema.uri, media.schema.pointer)
                    counts[key] += 1
                    schemas[key] = media.schema
    if not counts:
        return None
    return schemas[counts.most_common(1)[0][0]]


class _ErrorSchema:
    def __init__(self, contract: Contract, operation: Operation, schema: Schema,
                 options: VerifyOptions) -> None:
        self.operation = operation
        self.compiled = contract.validator(operation).compiled(schema, "response")[1]
        self.options = options

    def __call__(self, case: Case, response: Response) -> Iterator[Finding]:
        status = response.status_code
        if status < 400 or find_response(self.operation, status) is not None:
            return  # a declared status: schemathesis checks the body against its schema
        problem = ""
        try:
            body: Any = json.loads(response.content)
        except ValueError:
            kind = _header(response, "content-type") or "no Content-Type"
            problem = f"the body is not JSON ({kind})"
        else:
            errors = self.compiled.errors(body)
            if errors:
                problem = f"{errors[0].pointer or '/'}: {errors[0].message}"
        if problem:
            yield Finding(
                check="error_schema", code="CK-ERROR-SCHEMA", operation=case.operation.label,
                title="Error answer without the contract's error schema",
                message=f"The {status} answer does not fit the contract's error schema: "
                        f"{problem}.", severity="medium", status=status,
                curl=_curl(case, response, self.options), seed=self.options.seed)


class _DeprecationHeaders:
    def __init__(self, operation: Operation, options: VerifyOptions) -> None:
        self.sunset = "x-sunset" in operation.extensions
        self.options = options

    def __call__(self, case: Case, response: Response) -> Iterator[Finding]:
        if not 200 <= response.status_code < 300:
            return
        missing = [name for name, wanted in (("Deprecation", True), ("Sunset", self.sunset))
                   if wanted and _header(response, name) is None]
        if missing:
            yield Finding(
                check="deprecation_headers", code="CK-DEPRECATION",
                operation=case.operation.label, title="Deprecated operation without "
                + " and ".join(missing), severity="low", status=response.status_code,
                message="The contract marks the operation deprecated; its answers should "
                        f"say so with {' and '.join(missing)} (RFC 9745, RFC 8594).",
                curl=_curl(case, response, self.options), seed=self.options.seed)


class IdempotencyProbe:
    """Replays accepted requests with an ``Idempotency-Key``: the first one twice with the
    same key (same answer expected), then another body under that key (a 4xx expected)."""

    def __init__(self, options: VerifyOptions) -> None:
        self.options = options
        self.finished = False
        self.first: tuple[Any, str] | None = None  # (body, key)

    def __call__(self, case: Case, exchange: Exchange) -> Iterator[Finding]:
        if self.first is None:
            key = f"contractkit-verify-{self.options.seed}-{id(self) % 10**6}"
            headers = {"Idempotency-Key": key}
            once = exchange.send(case, headers=headers)
            twice = exchange.send(case, headers=headers)
            if once is None or twice is None:
                self.finished = True
                return
            self.first = (case.body, key)
            difference = _difference(once, twice)
            if difference:
                yield self._finding(case, twice, "Repeated request not idempotent",
                                    "The request sent twice with the same Idempotency-Key got "
                                    f"different answers: {difference}; the provider must "
                                    "replay the first answer, not act twice.")
            return
        body, key = self.first
        if case.body == body:
            return  # wait for a request with another body
        self.finished = True
        reused = exchange.send(case, headers={"Idempotency-Key": key})
        if reused is not None and not 400 <= reused.status_code < 500:
            yield self._finding(case, reused, "Idempotency-Key reuse accepted",
                                f"A different body sent with an Idempotency-Key already used "
                                f"got {reused.status_code}; the provider must refuse it with "
                                "a 4xx (409 or 422), not act on it or replay the first answer.")

    def _finding(self, case: Case, response: Response, title: str, message: str) -> Finding:
        return Finding(check="idempotency", code="CK-IDEMPOTENCY",
                       operation=case.operation.label, title=title, message=message,
                       severity="high", status=response.status_code,
                       curl=_curl(case, response, self.options), seed=self.options.seed)


def _difference(first: Response, second: Response) -> str:
    if first.status_code != second.status_code:
        return f"status {first.status_code}, then {second.status_code}"
    try:
        one, two = json.loads(first.content), json.loads(second.content)
    except ValueError:
        return "" if first.content == second.content else "the bodies differ"
    return _first_difference(one, two, "")


def _first_difference(one: Any, two: Any, pointer: str) -> str:
    if isinstance(one, dict) and isinstance(two, dict):
        for name in sorted(set(one) | set(two)):
            found = _first_difference(one.get(name), two.get(name), f"{pointer}/{name}")
            if found:
                return found
        return ""
    if isinstance(one, list) and isinstance(two, list) and len(one) == len(two):
        for index, (a, b) in enumerate(zip(one, two, strict=True)):
            found = _first_difference(a, b, f"{pointer}/{index}")
            if found:
                return found
        return ""
    if one != two:
        return f"{pointer or '/'} was {json.dumps(one)}, then {json.dumps(two)}"
    return ""
