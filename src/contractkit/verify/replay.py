"""``verify --interactions DIR``: replay what consumers recorded and judge the answers.

Each recorded request the mock answered *from the contract* is sent again to the provider
(once per test: identical retries are one request). Exchanges the mock answered with an
injected fault (a 503, a reset, a malformed body) are not replayed: the consumer tested its
handling of a failure, which nobody expects the provider to produce on demand.

A replayed answer fails when

- its status class differs from the one the consumer saw (a 2xx became a 4xx or 5xx);
- it breaks the contract (undeclared status, missing required member, a value outside an
  enum, a wrong type: the contract's validator, as the mock uses it);
- a member the consumer saw has another JSON type (:mod:`contractkit.verify.shape`,
  deepdiff with explicit exclusions: values such as ids and timestamps are never compared).

Every finding names the consumer test (``file::test``) that relied on the exchange.
Recorded credentials are redacted, so requests go without them: pass ``--header``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from contractkit._http import HttpResponse
from contractkit._types import JSON
from contractkit.contract.model import Contract, Operation
from contractkit.contract.validation import validator_for
from contractkit.errors import ProviderError
from contractkit.interactions import Interaction, InteractionsError, Recording, for_contract
from contractkit.verify.model import Finding, Skipped, VerifyOptions, VerifyReport
from contractkit.verify.redacted import REDACTED, unredacted
from contractkit.verify.shape import compare

#: request headers never replayed: the connection's own, and the mock's
_NOT_REPLAYED = frozenset({"host", "content-length", "connection", "transfer-encoding",
                           "prefer"})


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def key(self) -> tuple[str, str, tuple[tuple[str, str], ...], bytes]:
        return (self.method, self.path, self.query, self.body)

    def url(self, base_url: str) -> str:
        query = f"?{urlencode(self.query)}" if self.query else ""
        return f"{base_url}{self.path}{query}"


def replay(contract: Contract, recordings: Sequence[Recording],
           options: VerifyOptions) -> VerifyReport:
    """Replay ``recordings`` against ``options.base_url`` and judge each answer."""
    import requests  # noqa: PLC0415 - schemathesis' transport, loaded with it

    recordings, elsewhere = _mine(contract, recordings, options.interactions)
    findings: dict[tuple[str, str, str, str], Finding] = {}
    operations: list[str] = []
    sent = faulted = truncated = 0
    with requests.Session() as session:
        for recording in recordings:
            done: set[tuple[str, str, tuple[tuple[str, str], ...], bytes]] = set()
            for interaction in recording.interactions:
                answered = interaction.fault is None and interaction.response.status is not None
                known = _operation(contract, interaction) is not None
                if not answered and known:
                    faulted += 1
                    continue
                if interaction.body_truncated and known:
                    truncated += 1
                    continue
                for finding in _judge_one(contract, recording, interaction, options, session,
                                          done):
                    key = (finding.consumer, *finding.key)
                    found = findings.get(key)
                    findings[key] = finding if found is None else replace(
                        found, occurrences=found.occurrences + 1)
                label = _label(contract, interaction)
                if label not in operations:
                    operations.append(label)
            sent += len(done)
    skipped: list[Skipped] = []
    if elsewhere:
        named = ", ".join(f"{name} ({count})" for name, count in sorted(elsewhere.items()))
        skipped.append(Skipped("(other contracts)",
                               f"{sum(elsewhere.values())} exchange(s) the consumer tests had "
                               f"with other providers' mocks are not replayed: {named}"))
    if faulted:
        skipped.append(Skipped("(recorded faults)",
                               f"{faulted} exchange(s) the mock answered with an injected "
                               "fault are not replayed: the provider is not asked to fail"))
    if truncated:
        skipped.append(Skipped("(large bodies)",
                               f"{truncated} request(s) with a body too large for the "
                               "journal to keep whole are not replayed"))
    return VerifyReport(contract=contract.source, title=contract.title,
                        version=contract.version, options=options,
                        findings=tuple(sorted(findings.values(), key=lambda f: (
                            operations.index(f.operation) if f.operation in operations else -1,
                            f.consumer, f.code))),
                        operations=tuple(operations),
                        requests=sent, skipped=tuple(skipped))


def _mine(contract: Contract, recordings: Sequence[Recording], folder: str,
          ) -> tuple[list[Recording], Counter[str]]:
    """The interactions recorded against ``contract`` (a test that used several providers'
    mocks recorded all of them), and how many against each other contract. None at all is
    an error: a provider that renamed its contract, or the wrong folder, must not pass with
    nothing replayed."""
    mine, elsewhere = for_contract(recordings, contract.title, contract.version)
    if elsewhere and not any(recording.interactions for recording in mine):
        named = ", ".join(sorted(elsewhere))
        raise InteractionsError(
            f"{folder}: no interaction was recorded against "
            f"{contract.title} (the contract verified), only against: {named}")
    return mine, elsewhere


def _label(contract: Contract, interaction: Interaction) -> str:
    operation = _operation(contract, interaction)
    if operation is None:
        return f"{interaction.method} {interaction.path}"
    return f"{operation.method} {operation.path}"


def _operation(contract: Contract, interaction: Interaction) -> Operation | None:
    match = contract.match(interaction.method, interaction.path, dict(interaction.headers),
                           interaction.query)
    if match is None or (interaction.operation is not None
                         and match.operation.id != interaction.operation):
        return None
    return match.operation


def _judge_one(contract: Contract, recording: Recording, interaction: Interaction,
               options: VerifyOptions, session: object,
               done: set[tuple[str, str, tuple[tuple[str, str], ...], bytes]],
               ) -> Iterator[Finding]:
    operation = _operation(contract, interaction)
    if operation is None:
        against = f" against {interaction.contract}" if interaction.contract else ""
        yield Finding(
            check="interactions", code="CK-REPLAY-UNKNOWN",
            operation=f"{interaction.method} {interaction.path}",
            title="recorded operation not in the contract",
            message=f"{recording.file}: {interaction.operation or 'an operation'} "
                    f"({interaction.method} {interaction.path}) was recorded{against}; "
                    f"{contract.title} {contract.version} has no such operation there. "
                    "Record the consumer suite again against this contract, or verify "
                    "against the contract it was recorded with.",
            severity="high", consumer=recording.test, seed=options.seed)
        return
    request = _request(contract, operation, interaction, options)
    # retries of one call differ only in headers (a request id): the same request
    if request.key in done:
        return
    done.add(request.key)
    answer = _send(session, request, options)
    label = f"{operation.method} {operation.path}"
    curl = _curl(request, options)
    if answer is None:
        yield Finding(check="timeout", code="CK-TIMEOUT", operation=label,
                      title="no answer in time",
                      message=f"the provider did not answer within {options.request_timeout:g} s "
                              "(--request-timeout).",
                      severity="high", curl=curl, consumer=recording.test, seed=options.seed)
        return
    seen = interaction.response
    base = Finding(check="interactions", code="", operation=label, title="", message="",
                   severity="high", status=answer.status, curl=curl,
                   consumer=recording.test, seed=options.seed)
    if seen.status is not None and answer.status // 100 != seen.status // 100:
        yield replace(base, code="CK-REPLAY-STATUS",
                      title="status class differs from the consumer's",
                      message=f"the consumer saw {seen.status}; the provider answered "
                              f"{answer.status}: {_excerpt(answer.body)}")
        return  # another status has another body: comparing them says nothing more
    violations = validator_for(contract, operation).validate_response(answer)
    if violations:
        yield replace(base, code="CK-REPLAY-CONTRACT", title="answer breaks the contract",
                      message="the provider's answer breaks the contract: "
                              + "; ".join(str(v) for v in violations[:5]))
    got = _decoded(answer)
    if seen.body is not None and got is not None:
        changes = compare(seen.body, got)
        if changes:
            yield replace(base, code="CK-REPLAY-SHAPE", title="answer has another shape",
                          message="; ".join(str(c) for c in changes[:5]))


def _request(contract: Contract, operation: Operation, interaction: Interaction,
             options: VerifyOptions) -> _Request:
    headers = {name.lower(): value for name, value in interaction.headers.items()
               if name.lower() not in _NOT_REPLAYED and not value.startswith(REDACTED)}
    headers.update({name.lower(): value for name, value in options.headers.items()})
    body = interaction.body
    raw = b""
    if body is not None:
        if "json" in headers.get("content-type", "") and not isinstance(body, str):
            body = unredacted(contract, operation, headers["content-type"], body)
            raw = json.dumps(body, ensure_ascii=False).encode()
        else:
            raw = str(body).encode()
    query = tuple((k, v) for k, v in interaction.query if not v.startswith(REDACTED))
    return _Request(interaction.method, interaction.path, query,
                    tuple(sorted(headers.items())), raw)


def _send(session: object, request: _Request,
          options: VerifyOptions) -> HttpResponse | None:
    """The provider's answer (None: none within the per-request timeout)."""
    import requests  # noqa: PLC0415 - lazy

    assert isinstance(session, requests.Session)
    try:
        answer = session.request(request.method, request.url(options.base_url),
                                 headers=dict(request.headers), data=request.body or None,
                                 timeout=options.request_timeout, verify=options.tls_verify,
                                 allow_redirects=False)
    except requests.exceptions.Timeout:
        return None
    except requests.exceptions.RequestException as error:
        raise ProviderError(f"the provider at {options.base_url} stopped answering while "
                            f"{request.method} {request.path} was replayed: "
                            f"{type(error).__name__}") from None
    return HttpResponse.build(answer.status_code, headers=answer.headers.items(),
                              body=answer.content)


def _decoded(answer: HttpResponse) -> JSON:
    if "json" not in answer.content_type:
        return None
    try:
        return json.loads(answer.body)
    except ValueError:
        return None  # the contract check has said what is wrong with it


def _excerpt(body: bytes) -> str:
    text = body[:200].decode("utf-8", "replace").strip()
    return text or "(empty body)"


def _curl(request: _Request, options: VerifyOptions) -> str:
    parts = [f"curl -X {request.method}"]
    parts += [f"-H '{name}: {_filtered(name, value, options.headers)}'"
              for name, value in request.headers]
    if request.body:
        parts.append("-d " + _quote(request.body.decode("utf-8", "replace")))
    parts.append(_quote(request.url(options.base_url)))
    return " ".join(parts)


def _filtered(name: str, value: str, given: Mapping[str, str]) -> str:
    return "[Filtered]" if name.lower() in {n.lower() for n in given} else value


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"
