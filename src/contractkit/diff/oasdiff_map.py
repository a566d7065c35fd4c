"""Which contractkit rule reports each of oasdiff's checks, and why a level differs.

oasdiff (https://github.com/oasdiff/oasdiff) names its checks ``{side}-{subject}-{change}``
like contractkit's schema rules, with a few other spellings (``type-generalized`` for
``type-widened``, ``one-of-added`` for a branch added); :func:`counterpart` translates those
and :data:`_EXPLICIT` holds the checks whose names do not translate. ``docs/reference/
oasdiff-mapping.md`` is generated from this module and the catalogue in
``tests/diff/oasdiff_expectations.json`` (``scripts/generate_oasdiff_mapping.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from contractkit.diff.rules import RULES_BY_ID


@dataclass(frozen=True)
class Counterpart:
    """The contractkit rules that report an oasdiff check's change (none: not reported),
    and why, when contractkit reports it at another level or not at all."""

    rules: tuple[str, ...]
    note: str = ""


#: oasdiff's subjects, longest first, and the contractkit subject each is reported under
#: (the properties of a parameter's schema are request properties in contractkit).
_SUBJECTS = (("request-parameter-property", "request-property"),
             ("request-body", "request-body"), ("request-property", "request-property"),
             ("request-parameter", "request-parameter"), ("response-body", "response-body"),
             ("response-property", "response-property"),
             ("response-header", "response-header"))

#: oasdiff's change names that contractkit spells differently.
_CHANGES: Mapping[str, str] = {
    "type-generalized": "type-widened", "type-specialized": "type-narrowed",
    "list-of-types-widened": "type-widened", "list-of-types-narrowed": "type-narrowed",
    "max-length-unset": "max-length-removed", "min-items-unset": "min-items-removed",
    "one-of-added": "one-of-branch-added", "one-of-removed": "one-of-branch-removed",
    "any-of-added": "any-of-branch-added", "any-of-removed": "any-of-branch-removed",
    "all-of-added": "all-of-branch-added", "all-of-removed": "all-of-branch-removed",
    "wrapped-in-one-of": "one-of-added",
    "discriminator-property-name-changed": "discriminator-property-changed",
    "discriminator-mapping-added": "discriminator-mapping-changed",
    "discriminator-mapping-deleted": "discriminator-mapping-changed",
    "default-value-added": "default-changed", "default-value-changed": "default-changed",
    "default-value-removed": "default-changed",
    "const-added": "became-enum", "const-removed": "enum-removed",
    "const-changed": "enum-replaced",
    "pattern-property-added": "pattern-properties-added",
    "pattern-property-removed": "pattern-properties-removed",
    "dependent-schema-added": "dependent-schemas-added",
    "dependent-schema-removed": "dependent-schemas-removed",
    "x-extensible-enum-value-removed": "extensible-enum-value-removed",
    "pattern-generalized": "pattern-removed",
    "became-required-with-default": "became-required",
    "deprecated": "became-deprecated", "deprecated-with-sunset": "became-deprecated",
    "reactivated": "no-longer-deprecated",
    "deprecated-sunset-invalid": "sunset-invalid",
    "sunset-date-too-small": "deprecated-sunset-too-soon",
}

_RESPONSE_ADDITION = ("contractkit's default (issue 14 item 5): a response gaining an enum "
                      "value or a union branch leaves a tolerant client unaffected, so it is "
                      "dangerous; `--closed-responses` makes it breaking")
_DEFAULT = ("a changed default changes what clients that omit the value get: it may break "
            "them, it cannot be decided from the contract (oasdiff: ERR for parameters, "
            "INFO for bodies and properties)")
_BRANCH_REMOVED = ("judged by what the schemas accept: an allOf branch removed widens a "
                   "schema, safe in requests, breaking in responses")
_PREFIX_ITEMS = ("without `items` beside it, prefixItems only constrains (added narrows, "
                 "removed widens); beside `items`, contractkit compares each prefix position "
                 "with the `items` schema it replaces and reports what changed there "
                 "(`/prefixItems/0` type changed, narrowed or widened), which may narrow, "
                 "widen or both")
_DISCRIMINATOR = ("generated clients pick the class to decode by the discriminator "
                  "property, so renaming it is breaking")
_STABILITY = ("a lower stability changes no request or response; it announces that "
              "changes may come (as for operations: stability-level-decreased)")
_WRITE_ONLY = "a writeOnly property is not part of responses: nothing a client reads changed"
_READ_ONLY = "a readOnly property is not part of requests: nothing a client sends changed"
_ANNOTATION = "a branch with annotations only accepts every value: nothing changed"
_TEXT = ("a value read as text (not JSON) that was or became `string` takes any scalar, "
         "and a non-JSON body read as a string is read whole, so any body is one "
         "(`type-widened` / `type-narrowed`, safe); below the root, or in a parameter, an "
         "object or array has structure (child elements, exploded values), so string ↔ "
         "object there stays a type change (oasdiff: compatible everywhere outside JSON)")
_SECURITY = ("contractkit compares the security each operation requires (global security "
             "applies to every operation)")
_SCHEME = ("a security scheme defined in components affects clients only through the "
           "operations that require it")

_EXPLICIT: Mapping[str, Counterpart] = {
    # paths and operations
    "api-path-removed-without-deprecation": Counterpart(("endpoint-removed",)),
    "api-removed-without-deprecation": Counterpart(("operation-removed",)),
    "api-path-removed-with-deprecation": Counterpart(("operation-removed-after-deprecation",)),
    "api-removed-with-deprecation": Counterpart(("operation-removed-after-deprecation",)),
    "api-path-removed-before-sunset": Counterpart(("operation-removed-before-sunset",)),
    "api-removed-before-sunset": Counterpart(("operation-removed-before-sunset",)),
    "api-path-sunset-parse": Counterpart(("sunset-invalid",), "reported where an invalid "
                                         "x-sunset is introduced or a removal depends on it, "
                                         "not when an invalid date is corrected"),
    "api-deprecated-sunset-parse": Counterpart(("sunset-invalid",)),
    "api-deprecated-sunset-missing": Counterpart(("operation-sunset-missing",)),
    "api-sunset-date-too-small": Counterpart(("operation-sunset-too-soon",)),
    "api-sunset-date-changed-too-small": Counterpart(("sunset-moved-earlier",)),
    "sunset-deleted": Counterpart(("sunset-removed",)),
    "api-invalid-stability-level": Counterpart(("stability-level-invalid",)),
    "api-stability-decreased": Counterpart(("stability-level-decreased",),
                                           "a lower stability changes no request or "
                                           "response; it announces that changes may come"),
    "api-stability-increased": Counterpart(("stability-level-increased",)),
    "endpoint-deprecated": Counterpart(("operation-deprecated-without-sunset",),
                                       "without a sunset date clients cannot plan"),
    "endpoint-deprecated-with-sunset": Counterpart(("operation-deprecated",)),
    "endpoint-reactivated": Counterpart(("operation-reactivated",)),
    "api-operation-id-added": Counterpart((), "an operationId where there was none only "
                                              "names the method generated clients had"),
    "api-operation-id-removed": Counterpart((), "generated clients fall back to a name of "
                                                "their own; not reported"),
    "api-tag-added": Counterpart((), "tags group documentation; no client is affected"),
    "api-tag-removed": Counterpart((), "tags group documentation; no client is affected"),
    "api-schema-removed": Counterpart((), "a component schema affects clients only through "
                                          "the operations that use it"),
    "api-version-not-bumped": Counterpart((), "not reported; `--check-version` checks the "
                                              "major version only"),
    "api-version-decreased": Counterpart((), "not reported; `--check-version` checks the "
                                             "major version only"),
    "api-major-version-not-bumped": Counterpart(("version-major-bump-missing",),
                                                "only with `--check-version`, and then it "
                                                "fails the check"),
    # security
    "api-security-added": Counterpart(("security-added",), "anonymous clients get 401"),
    "api-global-security-added": Counterpart(("security-added",), "anonymous clients get "
                                             "401; " + _SECURITY),
    "api-security-removed": Counterpart(("security-removed",)),
    "api-global-security-removed": Counterpart(("security-removed",), _SECURITY),
    "api-security-scope-added": Counterpart(("security-scope-added",),
                                            "tokens without the new scope get 403"),
    "api-global-security-scope-added": Counterpart(("security-scope-added",),
                                                   "tokens without the new scope get 403"),
    "api-security-scope-removed": Counterpart(("security-scope-removed",)),
    "api-global-security-scope-removed": Counterpart(("security-scope-removed",)),
    "api-security-component-added": Counterpart((), _SCHEME),
    "api-security-component-removed": Counterpart((), _SCHEME),
    "api-security-component-type-changed": Counterpart(("security-scheme-changed",),
                                                       "clients authenticate the old way"),
    "api-security-component-oauth-url-changed": Counterpart(
        ("security-scheme-changed",), "clients authenticate at the old URL"),
    "api-security-component-oauth-token-url-changed": Counterpart(
        ("security-scheme-changed",), "clients fetch tokens at the old URL"),
    "api-security-component-oauth-scope-added": Counterpart((), _SCHEME),
    "api-security-component-oauth-scope-removed": Counterpart((), _SCHEME),
    "api-security-component-oauth-scope-changed": Counterpart((), _SCHEME),
    # parameters
    "new-optional-request-parameter": Counterpart(("request-parameter-added",)),
    "new-optional-request-default-parameter-to-existing-path": Counterpart(
        ("request-parameter-added",)),
    "new-required-request-parameter": Counterpart(("request-required-parameter-added",)),
    "new-request-path-parameter": Counterpart(("request-required-parameter-added",)),
    "new-required-request-default-parameter-to-existing-path": Counterpart(
        ("request-required-parameter-added",)),
    "new-required-request-header-property": Counterpart(
        ("request-property-required-property-added",)),
    "request-header-property-became-enum": Counterpart(("request-property-became-enum",)),
    "request-header-property-became-required": Counterpart(
        ("request-property-became-required",)),
    "request-parameter-deprecated-sunset-missing": Counterpart(
        ("request-parameter-sunset-missing",)),
    "request-parameter-removed-with-deprecation": Counterpart(
        ("request-parameter-removed",), "clients still send it, and the server may reject "
                                        "it, deprecated or not"),
    "request-parameter-sunset-date-changed-too-small": Counterpart(("sunset-moved-earlier",)),
    "request-parameter-sunset-date-too-small": Counterpart(
        ("request-parameter-sunset-too-soon",)),
    "request-parameter-sunset-deleted": Counterpart(("sunset-removed",)),
    "request-parameter-sunset-parse": Counterpart(("sunset-invalid",)),
    # request bodies and properties
    "request-body-added-optional": Counterpart(("request-body-added",)),
    "request-body-added-required": Counterpart(("request-required-body-added",)),
    "request-body-removed": Counterpart(("request-body-removed",),
                                        "clients still send a body the server may ignore or "
                                        "refuse: it may break them, as a removed parameter"),
    "request-body-media-type-added": Counterpart(("request-media-type-added",)),
    "request-body-media-type-removed": Counterpart(("request-media-type-removed",)),
    "request-body-media-type-schema-added": Counterpart(("request-media-type-schema-added",)),
    "request-body-media-type-schema-removed": Counterpart(
        ("request-media-type-schema-removed",)),
    "new-optional-request-property": Counterpart(("request-property-optional-property-added",)),
    "new-required-request-property": Counterpart(("request-property-required-property-added",)),
    "new-required-request-property-with-default": Counterpart(
        ("request-property-required-property-added",)),
    "request-property-removed": Counterpart(("request-property-optional-property-removed",
                                             "request-property-required-property-removed")),
    "request-optional-property-became-read-only": Counterpart(
        ("request-property-became-read-only",), "clients that send it may be refused"),
    "request-required-property-became-read-only": Counterpart(
        ("request-property-became-read-only",), "clients that send it may be refused"),
    "request-optional-property-became-not-read-only": Counterpart(
        ("request-property-became-not-read-only",)),
    "request-required-property-became-not-read-only": Counterpart(
        ("request-property-required-became-not-read-only",),
        "a required property clients did not send (it was readOnly) is now required of "
        "them"),
    "request-optional-property-became-write-only": Counterpart(
        ("request-property-became-write-only",)),
    "request-required-property-became-write-only": Counterpart(
        ("request-property-became-write-only",)),
    "request-optional-property-became-not-write-only": Counterpart(
        ("request-property-became-not-write-only",)),
    "request-required-property-became-not-write-only": Counterpart(
        ("request-property-became-not-write-only",)),
    "request-read-only-property-enum-value-removed": Counterpart((), _READ_ONLY),
    "request-read-only-property-max-decreased": Counterpart((), _READ_ONLY),
    "request-read-only-property-max-length-decreased": Counterpart((), _READ_ONLY),
    "request-read-only-property-min-increased": Counterpart((), _READ_ONLY),
    "request-read-only-property-exclusive-max-decreased": Counterpart((), _READ_ONLY),
    "request-read-only-property-exclusive-min-increased": Counterpart((), _READ_ONLY),
    # responses
    "response-media-type-name-changed": Counterpart(("response-media-type-removed",
                                                     "response-media-type-added"),
                                                    "clients that parse the old media type "
                                                    "no longer get it"),
    "response-media-type-name-generalized": Counterpart(("response-media-type-generalized",)),
    "response-media-type-name-specialized": Counterpart(("response-media-type-specialized",)),
    "response-mediatype-enum-value-removed": Counterpart(("response-body-enum-value-removed",)),
    "response-body-media-type-schema-added": Counterpart(
        ("response-media-type-schema-added",)),
    "response-body-media-type-schema-removed": Counterpart(
        ("response-media-type-schema-removed",)),
    "optional-response-header-removed": Counterpart(("response-optional-header-removed",)),
    "required-response-header-removed": Counterpart(("response-required-header-removed",)),
    "response-optional-property-added": Counterpart(
        ("response-property-optional-property-added",)),
    "response-required-property-added": Counterpart(
        ("response-property-required-property-added",)),
    "response-optional-property-removed": Counterpart(
        ("response-property-optional-property-removed",)),
    "response-required-property-removed": Counterpart(
        ("response-property-required-property-removed",)),
    "response-optional-property-became-read-only": Counterpart(
        ("response-property-became-read-only",)),
    "response-required-property-became-read-only": Counterpart(
        ("response-property-became-read-only",)),
    "response-optional-property-became-not-read-only": Counterpart(
        ("response-property-became-not-read-only",)),
    "response-required-property-became-not-read-only": Counterpart(
        ("response-property-became-not-read-only",)),
    "response-optional-property-became-write-only": Counterpart(
        ("response-property-became-write-only",), "it is no longer returned"),
    "response-required-property-became-write-only": Counterpart(
        ("response-property-required-became-write-only",),
        "a required property that became writeOnly is no longer returned: clients reading "
        "it break"),
    "response-optional-property-became-not-write-only": Counterpart(
        ("response-property-became-not-write-only",), "it may now be returned"),
    "response-required-property-became-not-write-only": Counterpart(
        ("response-property-became-not-write-only",)),
    "response-optional-write-only-property-added": Counterpart((), _WRITE_ONLY),
    "response-required-write-only-property-added": Counterpart((), _WRITE_ONLY),
    "response-optional-write-only-property-removed": Counterpart((), _WRITE_ONLY),
    "response-required-write-only-property-removed": Counterpart((), _WRITE_ONLY),
    "response-write-only-property-became-optional": Counterpart((), _WRITE_ONLY),
    "response-write-only-property-became-required": Counterpart((), _WRITE_ONLY),
    "response-write-only-property-enum-value-added": Counterpart((), _WRITE_ONLY),
}

#: Why contractkit's level differs, by the change name of its schema rule.
_SCHEMA_NOTES: Mapping[str, str] = {
    "one-of-branch-added": _RESPONSE_ADDITION, "any-of-branch-added": _RESPONSE_ADDITION,
    "default-changed": _DEFAULT, "all-of-branch-removed": _BRANCH_REMOVED,
    "prefix-items-added": _PREFIX_ITEMS, "prefix-items-removed": _PREFIX_ITEMS,
    "discriminator-property-changed": _DISCRIMINATOR,
    "pattern-removed": "clients rarely check a response pattern, yet may rely on it",
    "pattern-changed": "clients rarely check a response pattern, yet may rely on it",
    "type-changed": "a type change is breaking wherever the value is read",
    "stability-decreased": _STABILITY,
}

#: Differences of level on rules that are not schema rules.
_RULE_NOTES: Mapping[str, str] = {
    "response-success-status-added": "clients may not handle a success status they never "
                                     "saw (oasdiff: INFO)",
    "response-non-success-status-removed": "clients handling that error may now get "
                                           "another one",
}


def counterpart(oasdiff_id: str) -> Counterpart:
    """The contractkit rules that report the change oasdiff's check ``oasdiff_id`` finds."""
    if oasdiff_id in _EXPLICIT:
        return _EXPLICIT[oasdiff_id]
    for prefix, subject in _SUBJECTS:
        if oasdiff_id.startswith(prefix + "-"):
            change = oasdiff_id[len(prefix) + 1:]
            change = _CHANGES.get(change, change)
            if change.endswith("-annotation-only"):
                return Counterpart((), _ANNOTATION)
            if change == "type-compatible":
                # a value read as text (XML, form, text, a header): a scalar becoming (or
                # read as) `string` is the string side taking it; an object is not text
                read = "narrowed" if subject.startswith("response") else "widened"
                return Counterpart((f"{subject}-type-{read}", f"{subject}-type-changed"),
                                   _TEXT)
            rule_id = f"{subject}-{change}"
            if rule_id in RULES_BY_ID:
                return Counterpart((rule_id,), _SCHEMA_NOTES.get(change, ""))
            break
    if oasdiff_id in RULES_BY_ID:
        return Counterpart((oasdiff_id,), _RULE_NOTES.get(oasdiff_id, ""))
    return Counterpart((), "no counterpart known: not reported")
