"""``verify()``: check a running provider against its contract."""

from __future__ import annotations

import difflib
import random
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from contractkit.contract.loader import load
from contractkit.contract.model import Contract
from contractkit.errors import ConfigError, ProviderError
from contractkit.interactions import read_dir
from contractkit.verify.generated import (
    OperationResult,
    connection_reason,
    run_operation,
    tls_message,
)
from contractkit.verify.integration import checks_for
from contractkit.verify.model import (
    INTEGRATION_CHECKS,
    PROVIDER_CHECKS,
    Skipped,
    VerifyOptions,
    VerifyReport,
)
from contractkit.verify.replay import replay
from contractkit.verify.schema import load_schema, select

_N = TypeVar("_N", int, float)
#: called after each operation: (operation, operations done, operations in all)
Progress = Callable[[str, int, int], None]


def verify(contract: Contract | str | Path, *, base_url: str,
           headers: Mapping[str, str] | None = None,
           include: Sequence[str] = (), exclude: Sequence[str] = (),
           max_examples: int = 20, seed: int | None = None, max_time: float | None = None,
           workers: int = 1, request_timeout: float = 10.0, checks: Sequence[str] = (),
           skip_checks: Sequence[str] = (), tls_verify: bool = True,
           interactions: str | Path | None = None,
           on_progress: Progress | None = None) -> VerifyReport:
    """Send generated requests to the provider at ``base_url`` and judge its answers.

    Valid requests must get documented statuses, content types, headers and bodies that
    fit their schemas; invalid ones a 4xx; nothing a 5xx; operations that need credentials
    must refuse requests without them. ``base_url`` is what the contract's paths are
    appended to (``http://127.0.0.1:9000/v1``); ``headers`` go with every request
    (credentials: they are written ``[Filtered]`` in findings). ``include``/``exclude``
    name operations as ``METHOD /path`` or operationId. Each operation gets up to
    ``max_examples`` valid and as many invalid requests, drawn from ``seed`` (random when
    ``None``; the report says which). ``max_time`` (seconds) stops the run early,
    ``workers`` test that many operations at once, ``request_timeout`` bounds each answer.
    ``checks`` switches on contractkit's integration checks (names of
    :data:`~contractkit.verify.model.INTEGRATION_CHECKS`, or ``"all"``); ``skip_checks``
    switches off provider checks (names of :data:`~contractkit.verify.model.PROVIDER_CHECKS`:
    ``ignored_auth`` for a provider that checks only that credentials are present).
    ``interactions`` (a folder written by ``pytest --contractkit-record``) replays what
    consumer tests recorded instead of generating requests
    (:func:`~contractkit.verify.replay.replay` says how answers are judged).

    Raises :class:`~contractkit.errors.ProviderError` when the provider cannot be reached,
    :class:`~contractkit.errors.ConfigError` for bad options and
    :class:`~contractkit.interactions.InteractionsError` for an unreadable interactions
    file.
    """
    loaded = contract if isinstance(contract, Contract) else load(contract)
    options = VerifyOptions(
        base_url=_base_url(base_url), headers=dict(headers or {}), include=tuple(include),
        exclude=tuple(exclude), max_examples=_positive("max_examples", max_examples),
        seed=random.randrange(2**31) if seed is None else seed, max_time=max_time,
        workers=_positive("workers", workers),
        request_timeout=_positive("request_timeout", request_timeout),
        checks=_integration(checks), skip_checks=_provider(skip_checks),
        tls_verify=tls_verify, interactions="" if interactions is None else str(interactions))
    if interactions is not None:
        given = [name for name, value in (("--include", include), ("--exclude", exclude),
                                          ("--check", checks), ("--skip-check", skip_checks))
                 if value]
        if given:
            raise ConfigError(f"{', '.join(given)} choose generated checks; --interactions "
                              "replays what was recorded (run verify twice for both)")
        recordings = read_dir(interactions)
        _preflight(options)
        return replay(loaded, recordings, options)
    schema = load_schema(loaded, options)
    operations = select(schema, options)
    _preflight(options)
    deadline = None if max_time is None else time.monotonic() + max_time
    by_route = {(operation.method, operation.path): operation for operation in loaded.operations}
    done = 0

    def test(operation: object) -> OperationResult:
        nonlocal done
        from schemathesis import APIOperation  # noqa: PLC0415 - lazy with schemathesis

        assert isinstance(operation, APIOperation)
        route = by_route.get((operation.method.upper(), operation.path))
        judges, probes = checks_for(loaded, route, options)
        result = run_operation(operation, options, deadline=deadline, judges=judges,
                               probes=probes)
        done += 1
        if on_progress is not None:
            on_progress(operation.label, done, len(operations))
        return result

    with warnings.catch_warnings():
        if not options.tls_verify:  # asked for: urllib3 would warn on every request
            warnings.filterwarnings("ignore", message="Unverified HTTPS request")
        if options.workers == 1:
            results = [test(operation) for operation in operations]
        else:
            with ThreadPoolExecutor(options.workers,
                                    thread_name_prefix="contractkit-verify") as pool:
                results = list(pool.map(test, operations))
    return VerifyReport(
        contract=loaded.source, title=loaded.title, version=loaded.version, options=options,
        findings=tuple(finding for result in results for finding in result.findings.values()),
        operations=tuple(result.label for result in results),
        requests=sum(result.requests for result in results),
        skipped=tuple(Skipped(result.label, result.skipped) for result in results
                      if result.skipped),
        stopped="time budget (--max-time) reached" if any(r.out_of_time for r in results)
        else "")


def _base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"--base-url {url!r} is not an http:// or https:// URL")
    return url.rstrip("/")


def _positive(name: str, value: _N) -> _N:
    if value <= 0:
        raise ConfigError(f"{name} must be positive, not {value}")
    return value


def _integration(checks: Sequence[str]) -> tuple[str, ...]:
    if "all" in checks:
        return INTEGRATION_CHECKS
    for name in checks:
        if name not in INTEGRATION_CHECKS:
            close = difflib.get_close_matches(name, INTEGRATION_CHECKS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"no integration check {name!r} (there are "
                              f"{', '.join(INTEGRATION_CHECKS)}, or all){hint}")
    return tuple(name for name in INTEGRATION_CHECKS if name in checks)


def _provider(names: Sequence[str]) -> tuple[str, ...]:
    for name in names:
        if name not in PROVIDER_CHECKS:
            close = difflib.get_close_matches(name, PROVIDER_CHECKS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"no provider check {name!r} (there are "
                              f"{', '.join(PROVIDER_CHECKS)}){hint}")
    return tuple(names)


def _preflight(options: VerifyOptions) -> None:
    """Refuse at once when nothing answers at the base URL, with the reason in a line."""
    import requests  # noqa: PLC0415 - schemathesis' transport, loaded with it

    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Unverified HTTPS request")
            requests.get(options.base_url, timeout=options.request_timeout,
                         verify=options.tls_verify, allow_redirects=False).close()
    except requests.exceptions.SSLError as error:
        raise ProviderError(tls_message(options.base_url, error)) from None
    except requests.exceptions.Timeout:
        return  # it accepts connections; a hanging operation is a finding of its own
    except requests.exceptions.ConnectionError as error:
        raise ProviderError(f"cannot reach the provider at {options.base_url}: "
                            f"{connection_reason(error)}; is it running, and is "
                            "--base-url right?") from None
