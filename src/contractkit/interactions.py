"""Recorded interactions: what a consumer's tests exchanged with the mock, as files.

``pytest --contractkit-record=DIR`` writes one JSON file per test (:func:`write`);
``contractkit verify --interactions DIR`` replays them against a provider and
``contractkit diff --usage DIR`` matches changes against them (both through
:func:`read_dir`). Secrets are redacted before anything reaches this module.

A file::

    {"format_version": 1, "test": "tests/test_pay.py::test_get[flaky]",
     "interactions": [{"operation": "getPayment", "method": "GET",
                       "path": "/payments/pay_1", "query": [["expand", "refunds"]],
                       "headers": {"accept": "application/json"}, "body": null,
                       "scenario": "flaky", "fault": null, "rule": null,
                       "contract": "Payments 1.2.0",
                       "response": {"status": 200, "content_type": "application/json",
                                    "body": {"id": "pay_1", "status": "succeeded"}}}]}

``path`` is relative to the contract's base path (what ``--base-url`` is joined with);
``body`` is decoded JSON, or a string for other media types, or null (with
``"body_truncated": true`` when the body was too large for the journal to keep whole).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from contractkit._types import JSON
from contractkit.errors import ContractkitError

FORMAT_VERSION = 1
#: the longest file name a test id becomes (before ``.json``); longer ones end in a digest
_MAX_NAME = 150


class InteractionsError(ContractkitError):
    """An interactions file cannot be read: not JSON, not this format, or another version.
    ``str(error)`` is one line naming the file (and the JSON pointer)."""


@dataclass(frozen=True)
class RecordedResponse:
    status: int | None
    content_type: str = ""
    body: JSON = None


@dataclass(frozen=True)
class Interaction:
    """One exchange a consumer test had with the mock (secrets already redacted).

    ``fault`` names the fault the mock injected (then the answer did not come from the
    contract), ``scenario`` the scenario active for the test.
    """

    operation: str | None
    method: str
    path: str
    response: RecordedResponse
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    body: JSON = None
    scenario: str | None = None
    fault: str | None = None
    rule: str | None = None
    contract: str = ""
    #: the request body was too large to keep whole (``body`` is then null)
    body_truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation, "method": self.method, "path": self.path,
            "query": [list(pair) for pair in self.query], "headers": dict(self.headers),
            "body": self.body, "scenario": self.scenario, "fault": self.fault,
            "rule": self.rule, "contract": self.contract,
            **({"body_truncated": True} if self.body_truncated else {}),
            "response": {"status": self.response.status,
                         "content_type": self.response.content_type,
                         "body": self.response.body},
        }


@dataclass(frozen=True)
class Recording:
    """The interactions of one consumer test, and the file they were read from."""

    test: str
    interactions: tuple[Interaction, ...]
    file: str = ""


def file_name(test: str) -> str:
    """A safe file name for a test node id: ``tests/test_a.py::test_b[x]`` becomes
    ``tests_test_a.py__test_b_x_-<digest>.json``; the digest of the whole id keeps ids that
    sanitise alike (``a::b``, ``a__b``) apart."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", test).strip(".")[:_MAX_NAME] or "test"
    digest = hashlib.sha256(test.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{name}-{digest}.json"


def write(folder: str | Path, recording: Recording) -> Path:
    """Write one test's interactions to ``folder`` (created if need be); returns the file."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    path = target / file_name(recording.test)
    document = {"format_version": FORMAT_VERSION, "test": recording.test,
                "interactions": [i.to_dict() for i in recording.interactions]}
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    temporary.replace(path)  # an interrupted run leaves no half-written file
    return path


def recorded_against(interaction: Interaction, title: str, version: str) -> bool:
    """Whether ``interaction`` was recorded against this contract: its ``contract`` ("TITLE
    VERSION") names this title, at any version (one naming no contract counts too)."""
    named = interaction.contract
    return (not named or named in (f"{title} {version}", title)
            or named.rsplit(" ", 1)[0] == title)


def for_contract(recordings: Sequence[Recording], title: str, version: str,
                 ) -> tuple[list[Recording], Counter[str]]:
    """The recordings with only their interactions with this contract (see
    :func:`recorded_against`), and how many were recorded against each other contract: a
    consumer test that used several providers' mocks recorded them all in one file."""
    mine: list[Recording] = []
    others: Counter[str] = Counter()
    for recording in recordings:
        kept = []
        for interaction in recording.interactions:
            if recorded_against(interaction, title, version):
                kept.append(interaction)
            else:
                others[interaction.contract] += 1
        mine.append(recording if len(kept) == len(recording.interactions)
                    else replace(recording, interactions=tuple(kept)))
    return mine, others


def read_dir(folder: str | Path) -> list[Recording]:
    """Every recording in ``folder`` (``*.json``, in name order)."""
    path = Path(folder)
    if not path.is_dir():
        raise InteractionsError(f"{path}: no such folder of recorded interactions (record "
                                "them with pytest --contractkit-record=DIR)")
    files = sorted(path.glob("*.json"))
    if not files:
        raise InteractionsError(f"{path}: no interactions files (*.json) in the folder; "
                                "record them with pytest --contractkit-record=DIR")
    return [read(file) for file in files]


def read(path: str | Path) -> Recording:
    """One interactions file; :class:`InteractionsError` naming the file and pointer."""
    name = str(path)
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InteractionsError(f"{name}: cannot read the interactions file: {error}") from None
    except json.JSONDecodeError as error:
        raise InteractionsError(f"{name}:{error.lineno}: not JSON ({error.msg}); record it "
                                "again with pytest --contractkit-record=DIR") from None
    reader = _Reader(name)
    top = reader.mapping(document, "")
    version = top.get("format_version")
    if version != FORMAT_VERSION:
        reader.fail("/format_version", f"format_version {version!r} is not "
                    f"{FORMAT_VERSION}, the one this contractkit reads")
    test = reader.string(top.get("test"), "/test")
    items = top.get("interactions")
    if not isinstance(items, list):
        raise InteractionsError(f"{name}  /interactions  expected a list of interactions")
    return Recording(test=test, file=name, interactions=tuple(
        reader.interaction(item, f"/interactions/{index}") for index, item in enumerate(items)))


class _Reader:
    """Checks a decoded file field by field, failing with the file and pointer."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, pointer: str, message: str) -> Any:
        raise InteractionsError(f"{self.file}  {pointer or '/'}  {message}")

    def mapping(self, value: object, pointer: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(pointer, f"expected an object, found {type(value).__name__}")
        return value  # type: ignore[return-value]  # checked just above

    def string(self, value: object, pointer: str) -> str:
        if not isinstance(value, str):
            self.fail(pointer, "expected a string")
        return value  # type: ignore[return-value]  # checked just above

    def optional_string(self, value: object, pointer: str) -> str | None:
        return None if value is None else self.string(value, pointer)

    def interaction(self, value: object, pointer: str) -> Interaction:
        item = self.mapping(value, pointer)
        response = self.mapping(item.get("response"), pointer + "/response")
        status = response.get("status")
        if status is not None and (not isinstance(status, int) or isinstance(status, bool)):
            self.fail(pointer + "/response/status", "expected an HTTP status (integer)")
        query = item.get("query", [])
        if not isinstance(query, list) or not all(
                isinstance(pair, list) and len(pair) == 2
                and all(isinstance(part, str) for part in pair) for pair in query):
            self.fail(pointer + "/query", "expected a list of [name, value] pairs")
        headers = self.mapping(item.get("headers", {}), pointer + "/headers")
        for name, header in headers.items():
            self.string(header, f"{pointer}/headers/{name}")
        return Interaction(
            operation=self.optional_string(item.get("operation"), pointer + "/operation"),
            method=self.string(item.get("method"), pointer + "/method").upper(),
            path=self.string(item.get("path"), pointer + "/path"),
            query=tuple((k, v) for k, v in query), headers=headers, body=item.get("body"),
            scenario=self.optional_string(item.get("scenario"), pointer + "/scenario"),
            fault=self.optional_string(item.get("fault"), pointer + "/fault"),
            rule=self.optional_string(item.get("rule"), pointer + "/rule"),
            contract=self.optional_string(item.get("contract"), pointer + "/contract") or "",
            body_truncated=item.get("body_truncated") is True,
            response=RecordedResponse(
                status=status, body=response.get("body"),
                content_type=self.optional_string(response.get("content_type"),
                                                  pointer + "/response/content_type") or ""))


def fields(value: JSON, prefix: str = "") -> set[str]:
    """The pointers of every member in ``value``, written as the diff writes them: array
    items as ``[]`` (``/data[]/amount``), for matching a change's field against what a
    consumer sent or saw."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            pointer = f"{prefix}/{str(key).replace('~', '~0').replace('/', '~1')}"
            found.add(pointer)
            found |= fields(item, pointer)
    elif isinstance(value, list):
        for item in value:
            found |= fields(item, prefix + "[]")
    return found
