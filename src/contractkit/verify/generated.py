"""Generated requests: schemathesis draws valid and invalid requests for one operation,
they go to the provider, and schemathesis' checks judge the answers.

This module and :mod:`contractkit.verify.schema` are the only ones that touch
schemathesis; both import it on first use, so ``import contractkit`` does not load it.
Requests are drawn with Hypothesis (schemathesis' strategies), without shrinking: a finding
is reported with the first request that showed it, and a run sends at most
``max_examples`` requests per operation and generation mode (plus the probes some checks
send, such as ``ignored_auth`` retrying without credentials).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Protocol

from contractkit.errors import ProviderError
from contractkit.verify.model import PROVIDER_CHECKS, Finding, VerifyOptions

if TYPE_CHECKING:
    from typing import TypeAlias

    from schemathesis import APIOperation as _APIOperation
    from schemathesis import Case as _Case
    from schemathesis import Response

    Case: TypeAlias = _Case[Any]
    APIOperation: TypeAlias = _APIOperation[Any, Any, Any, Any]

#: integration checks judge each answer too: (the case, the answer) → findings
AnswerJudge = Callable[["Case", "Response"], Iterator[Finding]]


class Probe(Protocol):
    """An active check that sends requests of its own, given valid cases the provider
    accepted, until it is ``finished``."""

    finished: bool

    def __call__(self, case: Case, exchange: Exchange, /) -> Iterator[Finding]: ...


class _Stop(Exception):
    """Ends the drawing of cases for an operation (its time is up, or it stopped answering)."""


@dataclass
class OperationResult:
    """What testing one operation found; findings are merged by :attr:`Finding.key`."""

    label: str
    findings: dict[tuple[str, str, str], Finding] = field(default_factory=dict)
    requests: int = 0
    skipped: str = ""
    out_of_time: bool = False

    def add(self, finding: Finding) -> None:
        known = self.findings.get(finding.key)
        if known is None:
            self.findings[finding.key] = finding
        else:
            self.findings[finding.key] = replace(known, occurrences=known.occurrences + 1)


@dataclass
class Exchange:
    """Sends cases of one operation to the provider with the run's headers, timeout and TLS
    setting, and turns transport failures into a :class:`ProviderError` or a finding."""

    options: VerifyOptions
    result: OperationResult
    deadline: float | None
    stopped: bool = False

    def send(self, case: Case, *, headers: dict[str, str] | None = None) -> Response | None:
        """The provider's answer to ``case``, or ``None`` after a timeout (recorded as a
        finding, and the operation stops: a hanging provider would hang every case)."""
        import requests  # noqa: PLC0415 - schemathesis' transport, loaded with it

        if self.stopped:
            raise _Stop
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.result.out_of_time = self.stopped = True
            raise _Stop
        sent = {**self.options.headers, **(headers or {})}
        try:
            response = case.call(base_url=self.options.base_url, headers=sent,
                                 timeout=self.options.request_timeout,
                                 verify=self.options.tls_verify)
        except requests.exceptions.SSLError as error:
            raise ProviderError(tls_message(self.options.base_url, error)) from None
        except requests.exceptions.Timeout:
            self.result.requests += 1
            self.result.add(Finding(
                check="timeout", code="CK-TIMEOUT", operation=self.result.label,
                title="No answer within the request timeout",
                message=f"The provider did not answer within {self.options.request_timeout:g} s "
                        "(--request-timeout); the operation's remaining cases were skipped.",
                severity="high", curl=reproduce(case, sent, self.options), seed=self.options.seed))
            self.stopped = True
            raise _Stop from None
        except requests.exceptions.ConnectionError as error:
            raise ProviderError(f"the provider at {self.options.base_url} stopped answering "
                                f"while {self.result.label} was tested: "
                                f"{connection_reason(error)}") from None
        self.result.requests += 1
        return response

    def finding(self, failure: Any, case: Case, response: Response) -> Finding:
        """A schemathesis ``Failure`` as a finding."""
        checks = type(failure).checks
        return Finding(
            check=checks[0] if checks else "custom", code=failure.code,
            operation=self.result.label, title=failure.title,
            message=redact(str(failure.message).strip() or _answer(response), self.options),
            severity=failure.severity.value,
            status=response.status_code,
            curl=reproduce(case, sent_headers(response), self.options),
            seed=self.options.seed)


def reproduce(case: Case, headers: dict[str, str], options: VerifyOptions) -> str:
    """The curl line that sends ``case`` again, credentials written ``[Filtered]``."""
    # schemathesis sanitises headers it knows to be secret (Authorization, *-Key, ...);
    # the values given with --header are redacted whatever their names
    return redact(case.as_curl_command(headers=headers, verify=options.tls_verify,
                                       base_url=options.base_url), options)


def sent_headers(response: Response) -> dict[str, str]:
    """The headers the request that got ``response`` went with."""
    return {name: value if isinstance(value, str) else value.decode("latin-1")
            for name, value in response.request.headers.items()}


def redact(text: str, options: VerifyOptions) -> str:
    for value in options.headers.values():
        if len(value) >= 4:
            text = text.replace(value, "[Filtered]")
    return text


def run_operation(operation: APIOperation, options: VerifyOptions, *,
                  deadline: float | None, judges: tuple[AnswerJudge, ...] = (),
                  probes: tuple[Probe, ...] = ()) -> OperationResult:
    """Valid then invalid cases of ``operation``, each answer judged by schemathesis'
    checks and ``judges``; ``probes`` are given the valid cases the provider accepted."""
    import hypothesis  # noqa: PLC0415 - lazy with schemathesis
    import schemathesis.checks  # noqa: PLC0415
    from hypothesis import HealthCheck, Phase, settings  # noqa: PLC0415
    from schemathesis import GenerationMode  # noqa: PLC0415
    from schemathesis.core.failures import Failure, FailureGroup  # noqa: PLC0415

    checks = [getattr(schemathesis.checks, name) for name in PROVIDER_CHECKS
              if name not in options.skip_checks]
    result = OperationResult(operation.label)
    exchange = Exchange(options, result, deadline)
    transport = {"base_url": options.base_url, "headers": dict(options.headers),
                 "timeout": options.request_timeout, "verify": options.tls_verify}

    def judge(case: Case) -> None:
        response = exchange.send(case)
        if response is None:
            return
        try:
            case.validate_response(response, checks=checks, headers=dict(options.headers),
                                   transport_kwargs=transport)
        except FailureGroup as group:
            for failure in group.exceptions:
                result.add(exchange.finding(failure, case, response))
        except Failure as failure:
            result.add(exchange.finding(failure, case, response))
        for answer_judge in judges:
            for finding in answer_judge(case, response):
                result.add(finding)
        if _is_positive(case) and 200 <= response.status_code < 300:
            for probe in probes:
                if not probe.finished:
                    for finding in probe(case, exchange):
                        result.add(finding)

    # valid requests first, then invalid ones (Any: mypy's Python 3.10 has no StrEnum)
    modes: tuple[Any, ...] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    for mode in modes:
        if exchange.stopped:
            break
        try:
            strategy = operation.as_strategy(generation_mode=mode)
        except Exception as error:  # schemathesis could not build a strategy for it
            result.skipped = _first_line(error)
            break

        @hypothesis.seed(options.seed)
        @settings(max_examples=options.max_examples, database=None, deadline=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck),
                  report_multiple_bugs=False)
        @hypothesis.given(strategy)
        def draw(case: Case) -> None:
            judge(case)

        try:
            draw()
        except _Stop:
            break
        except ProviderError:
            raise
        except hypothesis.errors.Unsatisfiable:
            # an operation without inputs has no invalid requests: nothing to skip
            if mode is GenerationMode.POSITIVE:
                result.skipped = "no valid request fits the contract"
        except Exception as error:  # a value schemathesis cannot generate or serialise
            result.skipped = result.skipped or _first_line(error)
    return result


def _answer(response: Response) -> str:
    """What came back, for failures whose message is empty (a server error)."""
    try:
        phrase = HTTPStatus(response.status_code).phrase
    except ValueError:
        phrase = ""
    body = response.content[:200].decode("utf-8", "replace").strip()
    text = f"The provider answered {response.status_code} {phrase}".rstrip()
    return f"{text}: {' '.join(body.split())}" if body else text


def _is_positive(case: Case) -> bool:
    meta = case.meta
    return meta is None or meta.generation.mode.is_positive


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def tls_message(base_url: str, error: BaseException) -> str:
    reason = str(error)
    for known in ("CERTIFICATE_VERIFY_FAILED", "WRONG_VERSION_NUMBER", "HANDSHAKE_FAILURE",
                  "hostname mismatch"):
        if known.lower() in reason.lower():
            reason = known.replace("_", " ").lower()
            break
    else:
        reason = " ".join(reason.split())[:200]
    return (f"TLS handshake with {base_url} failed ({reason}); give the provider a "
            "certificate the system trusts, or pass --no-tls-verify for a test provider")


def connection_reason(error: BaseException) -> str:
    reason = str(error)
    for known in ("Connection refused", "Name or service not known", "No route to host",
                  "Connection reset", "Remote end closed connection"):
        if known.lower() in reason.lower():
            return known.lower()
    return " ".join(reason.split())[:200]
