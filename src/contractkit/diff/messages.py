"""One sentence per schema finding, written for the person reading a CI log.

``request property `currency` became required: existing clients that omit it will get 400``
"""

from __future__ import annotations

import json
from typing import Literal

from contractkit._types import JSON
from contractkit.diff.pairs import SchemaFinding
from contractkit.diff.rules import Level, SchemaChange

#: What a change means for clients, when the generic sentence would be vague.
_CONSEQUENCES: dict[tuple[str, str], str] = {
    ("became-required", "request"): "existing clients that omit it will get 400",
    ("required-property-added", "request"): "existing clients do not send it and will get 400",
    ("became-optional", "response"): "clients that expect it may find it missing",
    ("required-property-removed", "response"): "clients that read it will find it missing",
    ("optional-property-removed", "response"): "clients that read it will no longer get it",
    ("required-property-removed", "request"): "clients still send it; the server may "
                                              "reject or ignore it",
    ("optional-property-removed", "request"): "clients still send it; the server may "
                                              "reject or ignore it",
    ("became-nullable", "response"): "clients may now receive null",
    ("became-not-nullable", "request"): "clients that send null will get 400",
    ("enum-value-added", "response"): "clients may receive a value they do not know",
    ("enum-value-removed", "request"): "clients that send it will get 400",
    ("enum-replaced", "request"): "clients that send an old value will get 400",
    ("enum-replaced", "response"): "clients receive only values they do not know",
    ("became-read-only", "request"): "clients that send it may be refused or ignored",
    ("became-write-only", "response"): "it is no longer returned",
    ("became-not-write-only", "response"): "it may now be returned to clients",
    ("required-became-write-only", "response"): "it is no longer returned, and clients "
                                                "expect it",
    ("required-became-not-read-only", "request"): "clients that never sent it must now, or "
                                                  "get 400",
    ("default-changed", "request"): "clients that omit it get different behaviour",
    **{("stability-decreased", side): "it may change in ways that break clients"
       for side in ("request", "response")},
    **{("stability-invalid", side): "the impact of its changes cannot be judged"
       for side in ("request", "response")},
    **{("deprecated-sunset-missing", side): "clients cannot tell when it goes away"
       for side in ("request", "response")},
    **{("deprecated-sunset-too-soon", side): "clients get less notice than the policy "
                                             "promises" for side in ("request", "response")},
}
_GENERIC: dict[tuple[Level, str], str] = {
    ("breaking", "request"): "requests that were valid may now be rejected",
    ("breaking", "response"): "clients may receive data they were not written for",
    ("dangerous", "request"): "some requests that were valid may be rejected",
    ("dangerous", "response"): "some clients may be affected",
}


def schema_message(change: SchemaChange, side: Literal["request", "response"], level: Level,
                   finding: SchemaFinding, title: str, nested: bool, *,
                   noun: str = "", subject: str = "") -> str:
    """``side`` is who reads the schema (the server for requests, clients for responses
    and webhook payloads); ``noun`` names it in the sentence (default: ``side``);
    ``subject`` replaces the sentence's subject (a property named from its component)."""
    subject = subject or (f"{noun or side} property `{_dotted(finding.path)}`" if nested
                          else title)
    text = f"{subject} {change.phrase}{_values(change.name, finding.old, finding.new)}"
    consequence = _CONSEQUENCES.get((change.name, side)) or _GENERIC.get((level, side))
    return f"{text}: {consequence}" if consequence else text


def _dotted(path: str) -> str:
    return path.lstrip("/").replace("/", ".") or "(root)"


def _values(name: str, old: JSON, new: JSON) -> str:
    if name.endswith(("-property-added", "-property-removed", "became-required",
                      "became-optional")) or name.startswith(
                          ("became-", "no-longer-", "required-became-")):
        return ""
    if name.startswith("deprecated-sunset-"):
        return f" ({_short(new)})" if name == "deprecated-sunset-too-soon" else ""
    if name.endswith("-value-added"):
        return f" ({_short(new)})"
    if name.endswith("-value-removed"):
        return f" ({_short(old)})"
    if name.endswith("-branch-added") or name.endswith("-branch-removed"):
        return ""
    return f" ({_short(old)} → {_short(new)})"


def _short(value: JSON) -> str:
    if value is None:
        return "none"
    # a string is shown bare unless it would read as another JSON value ("true", "", "1")
    bare = isinstance(value, str) and value.strip() == value and value != "" and not (
        _looks_like_json(value))
    text = value if bare else json.dumps(value, sort_keys=True)
    return text if len(text) <= 60 else text[:57] + "…"


def _looks_like_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return text == "none"
    return True
