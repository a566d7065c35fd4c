"""contractkit's verdicts against oasdiff's, on the pairs oasdiff's own tests check.

``oasdiff_expectations.json`` (written by ``scripts/oasdiff_agreement.py extract``) holds
oasdiff's check catalogue and, per pair of its ``data/`` contracts, the check ids its tests
assert. A pair's oasdiff verdict counts as a claim when it is breaking (an ERR check was
asserted), when a test ran every check and asserted the whole result (``exhaustive``), or,
for a test that ran a single check, about that check's findings only: contractkit then
disagrees only if it reports as breaking what a counterpart of an asserted check reports
(:func:`contractkit.diff.oasdiff_map.counterpart`). A single-check test that asserted no id
claims nothing and is not counted.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import contractkit
from contractkit.diff.oasdiff_map import counterpart
from contractkit.diff.rules import LEVELS, RULES_BY_ID

EXPECTATIONS = Path(__file__).with_name("oasdiff_expectations.json")
#: A fixed "today" so sunset dates in the pairs (2022, 2023, 9999) always read the same.
TODAY = dt.date(2026, 1, 1)

_STRUCTURAL = ("contractkit compares what the schemas accept, not their $ref names: the "
               "branches added or removed are objects of the same shape as the others, so "
               "the set of accepted values did not change")

#: (base, revision) → why contractkit's breaking / not-breaking verdict differs, on purpose.
DIFFERENCES: dict[tuple[str, str], str] = {
    ("checker/request_body_any_of_media_type_base.yaml",
     "checker/request_body_any_of_media_type_revision.yaml"): _STRUCTURAL,
    ("checker/request_property_all_of_added_base.yaml",
     "checker/request_property_all_of_added_revision.yaml"): _STRUCTURAL,
    ("checker/request_property_any_of_removed_base.yaml",
     "checker/request_property_any_of_removed_revision.yaml"): _STRUCTURAL,
    ("checker/request_body_removed_base.yaml", "checker/request_body_removed_revision.yaml"):
        "a removed request body is dangerous in contractkit, as a removed parameter is in "
        "both tools: clients still send it and the server may ignore or refuse it",
    ("checker/request_parameter_default_value_changed_base.yaml",
     "checker/request_parameter_default_value_changed_revision.yaml"):
        "a changed default is dangerous in contractkit on every side (oasdiff: ERR for "
        "parameters, INFO for bodies): clients that omit the value may or may not rely on it",
    ("checker/request_parameter_default_value_changed_base_renamed.yaml",
     "checker/request_parameter_default_value_changed_revision_renamed.yaml"):
        "a changed default is dangerous in contractkit (see the pair above)",
    ("checker/request_property_discriminator_added_revision.yaml",
     "checker/request_property_discriminator_added_property_name_changed.yaml"):
        "renaming the discriminator property is breaking in contractkit: generated code "
        "dispatches on it (oasdiff: INFO)",
    ("checker/response_property_discriminator_added_revision.yaml",
     "checker/response_property_discriminator_added_property_name_changed.yaml"):
        "renaming the discriminator property is breaking in contractkit: generated clients "
        "pick the class to decode by it (oasdiff: INFO)",
    ("checker/response_property_one_of_added_base.yaml",
     "checker/response_property_one_of_added_revision.yaml"):
        "a response oneOf branch added is dangerous by default (issue 14 item 5); "
        "--closed-responses makes it breaking",
    ("list-of-types/single-to-list-base.yaml", "list-of-types/single-to-list-revision.yaml"):
        "a response type that became a oneOf/anyOf of it and another type gained a union "
        "branch: dangerous by default (issue 14 item 5), breaking with --closed-responses",
    ("checker/webhook_operation_base.yaml", "checker/webhook_operation_revision.yaml"):
        "a webhook's request body is what the provider sends: subscribers read it as "
        "clients read a response, so a body that became required breaks none of them",
    ("deprecation/base-beta-stability.yaml", "deprecation/base-alpha-stability.yaml"):
        "a lower x-stability-level changes no request or response; contractkit reports it "
        "as dangerous (oasdiff: ERR)",
    ("deprecation/deprecated-invalid.yaml", "deprecation/deprecated-future.yaml"):
        "an invalid x-sunset corrected into a date: contractkit reports sunset-invalid where "
        "an invalid date appears or a removal depends on one, not where it is fixed",
    ("param-deprecation/deprecated-invalid.yaml", "param-deprecation/deprecated-future.yaml"):
        "an invalid x-sunset corrected into a date (see the operation pair above)",
    ("required-properties/write-only-changed-base.yaml",
     "required-properties/write-only-changed-revision.yaml"):
        "a required response property that became writeOnly is no longer returned: "
        "contractkit calls that breaking (response-property-required-became-write-only), "
        "oasdiff INFO",
}


@dataclass(frozen=True)
class Outcome:
    """One pair: oasdiff's verdict, contractkit's breaking findings, whether they agree."""

    base: str
    revision: str
    oasdiff_verdict: str
    oasdiff_ids: tuple[str, ...]
    breaking: tuple[str, ...]
    agrees: bool
    configured: tuple[str, ...]


def load_expectations() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXPECTATIONS.read_text())
    return data


def claimed_pairs(expectations: dict[str, Any], corpus: Path) -> list[dict[str, Any]]:
    """The pairs whose oasdiff verdict is a claim about contractkit's verdict (see above)."""
    return [p for p in expectations["pairs"]
            if p["base"] != p["revision"] and p["verdict"] is not None
            and (corpus / p["base"]).is_file() and (corpus / p["revision"]).is_file()
            and (p["verdict"] == "breaking" or p["exhaustive"] or p["ids"])]


def compare(pair: dict[str, Any], corpus: Path) -> Outcome:
    try:
        # the deprecation policy the asserting oasdiff test configured (WithDeprecation)
        beta, stable = pair["deprecation"] or (0, 0)
        report = contractkit.diff(corpus / pair["base"], corpus / pair["revision"],
                                  today=TODAY, deprecation_days_beta=beta,
                                  deprecation_days_stable=stable)
        breaking = tuple(sorted({c.rule_id for c in report.changes if c.level == "breaking"}))
    except Exception as error:  # a crash on one pair is a disagreement, not the end
        breaking = (f"ERROR {error!r}",)
    if pair["verdict"] == "breaking":
        agrees = bool(breaking)
    elif pair["exhaustive"]:
        agrees = not breaking
    else:  # the test ran one check: it vouches for the findings of its ids only
        vouched = {rule for i in pair["ids"] for rule in counterpart(i).rules}
        agrees = not vouched & set(breaking)
    return Outcome(pair["base"], pair["revision"], pair["verdict"], tuple(pair["ids"]),
                   breaking, agrees, tuple(pair["configured"]))


def render_page(catalogue: dict[str, str]) -> str:
    """``docs/reference/oasdiff-mapping.md``: every oasdiff check and its counterpart."""
    rank = {level: index for index, level in enumerate(LEVELS)}
    lines = [
        "# oasdiff checks and contractkit rules",
        "",
        "<!-- Generated from contractkit/diff/oasdiff_map.py and tests/diff/"
        "oasdiff_expectations.json by scripts/generate_oasdiff_mapping.py;",
        "     tests/diff/test_oasdiff_agreement.py fails when this page is out of date. -->",
        "",
        f"[oasdiff](https://github.com/oasdiff/oasdiff) has {len(catalogue)} checks "
        "(its `checker/rules.go`). Each is listed here with the contractkit rule that "
        "reports the same change, both levels (oasdiff's ERR / WARN / INFO read as "
        "breaking / dangerous / safe) and, where contractkit's level differs or it reports "
        "nothing, why. See [the rules of contractkit diff](diff-rules.md) for every "
        "contractkit rule.",
        "",
        "On the contract pairs oasdiff's own tests check, the breaking / not-breaking "
        "verdicts are compared by `.venv/bin/python scripts/oasdiff_agreement.py report`; "
        "`tests/diff/oasdiff.py` lists, with a reason, each pair where they differ.",
        "",
        "| oasdiff check | oasdiff | contractkit rule | contractkit | why they differ |",
        "|---|---|---|---|---|",
    ]
    for check, level in sorted(catalogue.items()):
        found = counterpart(check)
        levels = [RULES_BY_ID[r].level for r in found.rules]
        ours = min(levels, key=rank.__getitem__) if levels else "not reported"
        rules = ", ".join(f"`{r}`" for r in found.rules) or "—"
        note = found.note if ours != level else ""
        lines.append(f"| `{check}` | {level} | {rules} | {ours} | {note} |")
    return "\n".join(lines) + "\n"
