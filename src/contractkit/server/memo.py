"""The answers to repeated requests, remembered (the mock's hot path).

A load test, and most consumer suites, send the same request again and again. Routing it,
validating it against the contract and choosing its answer give the same result each time
when nothing the mock reads has changed, so that result is kept, keyed by what it depends
on: the method, the raw path and query, and the values of the headers the contract can
read (its header parameters, its credentials' headers, the header that tells operations
apart, ``Accept``, ``Content-Type``, ``Cookie``). Only ``GET`` and ``HEAD`` requests without
a body and without ``Prefer`` or control query parameters (``__code``...) are kept: those
ask for answers that vary per request. Scenarios, the journal and the log are not
affected: they run for every request, after this.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contractkit._bounded import Bounded
from contractkit.contract.model import Contract, Operation
from contractkit.contract.validation import Violation
from contractkit.server.prefer import has_controls
from contractkit.server.responses import MockResponse

#: requests remembered per server, and the largest answer body remembered
MAX_REMEMBERED = 512
MAX_REMEMBERED_BYTES = 64 * 1024
#: headers every contract may read
_ALWAYS = ("accept", "content-type", "cookie")


@dataclass(frozen=True, slots=True)
class Remembered:
    """What answering a request decided: the answer and what the journal notes of it."""

    answer: MockResponse
    operation: Operation | None
    violations: tuple[Violation, ...]
    outcome: str
    #: whether answering it drew an ordinal (a request answered from the contract)
    counted: bool


def read_headers(contract: Contract) -> tuple[str, ...]:
    """The (lower-case) request headers whose values can change how ``contract`` answers."""
    names = set(_ALWAYS)
    for operation in contract.operations:
        if "#" in operation.path:  # /logs#X-Amz-Target=Logs.PutLogEvents
            names.add(operation.path.split("#", 1)[1].split("=", 1)[0].lower())
        for parameter in operation.parameters:
            if parameter.location == "header":
                names.add(parameter.name.lower())
    for scheme in contract.security_schemes.values():
        if scheme.type == "apiKey" and scheme.location == "header" and scheme.parameter_name:
            names.add(scheme.parameter_name.lower())
        elif scheme.type in ("http", "oauth2", "openIdConnect"):
            names.add("authorization")
    return tuple(sorted(names))


class Memo:
    """Bounded: at most :data:`MAX_REMEMBERED` requests, the least recent forgotten."""

    def __init__(self) -> None:
        self._kept: Bounded[tuple[Any, ...], Remembered] = Bounded(MAX_REMEMBERED)

    def key(self, mount: object, method: str, path: str, query: str,
            pairs: Sequence[tuple[str, str]], headers: Mapping[str, str],
            read: tuple[str, ...]) -> tuple[Any, ...] | None:
        """What the answer depends on (``query`` raw, ``pairs`` parsed), or None when the
        request is not one to remember."""
        if method not in ("GET", "HEAD") or "prefer" in headers or has_controls(pairs):
            return None
        return (id(mount), method, path, query, tuple(headers.get(name) for name in read))

    def get(self, key: tuple[Any, ...]) -> Remembered | None:
        return self._kept.get(key)

    def keep(self, key: tuple[Any, ...], remembered: Remembered) -> None:
        if len(remembered.answer.body) <= MAX_REMEMBERED_BYTES:
            self._kept[key] = remembered

    def clear(self) -> None:
        self._kept = Bounded(MAX_REMEMBERED)

    def __len__(self) -> int:
        return len(self._kept)
