"""Properties of diff: a contract equals itself, a generated change of a known kind gets
the expected rule and level, and the result does not depend on the run."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import CONTRACTS, CORPUS
from tests.diff.helpers import api

import contractkit

CONTRACT_FILES = sorted(p for p in CONTRACTS.iterdir() if p.suffix in (".yaml", ".graphql"))
CORPUS_FILES = sorted((CORPUS / "openapi").glob("*.json")) if CORPUS.is_dir() else []


@pytest.mark.parametrize("path", CONTRACT_FILES + CORPUS_FILES, ids=lambda p: p.name)
def test_a_contract_has_no_changes_against_itself(path: Path) -> None:
    try:
        first = contractkit.load(path)
    except contractkit.ContractLoadError:
        pytest.skip("the contract does not load (covered by the loader's corpus test)")
    # two separate loads, so nothing is shared between the sides but the text
    report = contractkit.diff(first, contractkit.load(path))
    assert report.changes == ()


names = st.text(alphabet="abcdefghij", min_size=1, max_size=6)
scalars = st.sampled_from([{"type": "string"}, {"type": "integer"}, {"type": "boolean"},
                           {"type": "string", "enum": ["a", "b"]},
                           {"type": "string", "maxLength": 10}]).map(copy.deepcopy)
objects = st.dictionaries(names, scalars, min_size=1, max_size=6).flatmap(
    lambda props: st.lists(st.sampled_from(sorted(props)), unique=True).map(
        lambda required: {"type": "object", "properties": props, "required": required}))


def _optional_response(schema: dict[str, Any], data: st.DataObject) -> Any:
    if not schema["required"]:
        return None
    name = data.draw(st.sampled_from(schema["required"]))
    schema["required"].remove(name)
    return ("response", "response-property-became-optional", "breaking")


def _enum_value(schema: dict[str, Any], data: st.DataObject, side: str) -> Any:
    enums = [n for n, p in schema["properties"].items() if "enum" in p]
    if not enums:
        return None
    name = data.draw(st.sampled_from(enums))
    schema["properties"][name]["enum"] = ["a", "b", "c"]
    level = "safe" if side == "request" else "dangerous"
    return (side, f"{side}-property-enum-value-added", level)


def _required_request_property(schema: dict[str, Any], data: st.DataObject) -> Any:
    name = data.draw(names.filter(lambda n: n not in schema["properties"]).map(
        lambda n: n + "_new"))
    schema["properties"][name] = {"type": "string"}
    schema["required"].append(name)
    return ("request", "request-property-required-property-added", "breaking")


def _shorter_response(schema: dict[str, Any], data: st.DataObject) -> Any:
    limited = [n for n, p in schema["properties"].items() if "maxLength" in p]
    if not limited:
        return None
    schema["properties"][data.draw(st.sampled_from(limited))]["maxLength"] = 5
    return ("response", "response-property-max-length-decreased", "safe")


MUTATIONS = {
    "response property made optional": _optional_response,
    "enum value added to a request": lambda s, d: _enum_value(s, d, "request"),
    "enum value added to a response": lambda s, d: _enum_value(s, d, "response"),
    "required request property added": _required_request_property,
    "response maxLength decreased": _shorter_response,
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=objects, mutation=st.sampled_from(sorted(MUTATIONS)), data=st.data())
def test_a_generated_change_gets_its_rule_and_level(schema: dict[str, Any], mutation: str,
                                                    data: st.DataObject) -> None:
    changed = copy.deepcopy(schema)
    expected = MUTATIONS[mutation](changed, data)
    if expected is None:
        return  # this schema has nothing the mutation applies to
    side, rule_id, level = expected
    old = api(**{side: schema})
    new = api(**{side: changed})
    report = contractkit.diff(contractkit.load(old), contractkit.load(new))
    assert [(c.rule_id, c.level) for c in report.changes] == [(rule_id, level)]


@settings(max_examples=20, deadline=None)
@given(schema=objects)
def test_a_generated_contract_has_no_changes_against_itself(schema: dict[str, Any]) -> None:
    document = api(request=schema, response=schema)
    assert contractkit.diff(contractkit.load(document), contractkit.load(
        copy.deepcopy(document))).changes == ()


@settings(max_examples=20, deadline=None)
@given(old=objects, new=objects)
def test_diff_is_deterministic(old: dict[str, Any], new: dict[str, Any]) -> None:
    def run() -> contractkit.DiffReport:
        return contractkit.diff(contractkit.load(api(request=old, response=old)),
                                contractkit.load(api(request=new, response=new)))

    assert run() == run()
