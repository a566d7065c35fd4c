"""Acceptance property: for schemas drawn from the bundled and corpus contracts,
``generate(schema, seed)`` validates against the schema, and equal seeds give equal values."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import CONTRACTS, CORPUS

import contractkit
from contractkit.contract.schema_validator import CompiledSchema

#: A spread of corpus contracts: payments, messaging, cloud, government, a 3.1 one.
CORPUS_SAMPLE = (
    "adyen.com__BalancePlatformService.json", "slack.com.json",
    "twilio.com__twilio_wireless_v1.json",
    "nexmo.com__sms.json", "circleci.com.json", "digitalocean.com.json", "linode.com.json",
    "amazonaws.com__logs.json", "azure.com__storage-file.json", "googleapis.com__redis.json",
    "apisetu.gov.in__ncert.json", "polygon.io.json", "shotstack.io.json", "velopayments.com.json",
    "codat.io__accounting.json", "zeit.co.json", "stream-io-api.com.json", "increase.com.json",
)


@functools.cache
def _schemas() -> list[tuple[str, contractkit.Contract, contractkit.Schema, str]]:
    paths = [p for p in sorted(CONTRACTS.glob("*")) if p.suffix in (".yaml", ".json")]
    paths += [CORPUS / "openapi" / name for name in CORPUS_SAMPLE
              if (CORPUS / "openapi" / name).is_file()]
    found = []
    for path in paths:
        contract = contractkit.load(path)
        for operation in contract.operations:
            for response in operation.responses.values():
                for media in response.content.values():
                    if media.schema is not None:
                        found.append((f"{Path(path).name} {operation.id} {response.status}",
                                      contract, media.schema, "response"))
            if operation.request_body is not None:
                for media in operation.request_body.content.values():
                    if media.schema is not None:
                        found.append((f"{Path(path).name} {operation.id} request",
                                      contract, media.schema, "request"))
    return found


@functools.cache
def _compiled(index: int) -> tuple[object, CompiledSchema]:
    _, contract, schema, direction = _schemas()[index]
    bundled = contract.schema_bundle(schema, direction)  # type: ignore[arg-type]
    return bundled, CompiledSchema(bundled)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), seed=st.integers(0, 2**32))
def test_generated_values_validate_and_repeat(data: st.DataObject, seed: int) -> None:
    index = data.draw(st.integers(0, len(_schemas()) - 1), label="schema")
    where, _, _, direction = _schemas()[index]
    bundled, compiled = _compiled(index)
    try:
        value = contractkit.generate(bundled, seed=seed, direction=direction)  # type: ignore[arg-type]
    except contractkit.GenerationError:
        return  # allowed for unsatisfiable schemas; the sweeps below bound how often
    assert compiled.errors(value) == [], where
    assert contractkit.generate(bundled, seed=seed, direction=direction) == value  # type: ignore[arg-type]


@pytest.mark.parametrize("bundled_only", [True, False], ids=["bundled", "corpus-sample"])
def test_generation_succeeds_for_almost_every_schema(bundled_only: bool) -> None:
    schemas = [(i, s) for i, s in enumerate(_schemas())
               if (CONTRACTS.name in str(s[2].uri)) == bundled_only]
    failures = []
    for index, (where, *_rest) in schemas:
        bundled, compiled = _compiled(index)
        direction = _schemas()[index][3]
        try:
            value = contractkit.generate(bundled, seed=0, direction=direction)  # type: ignore[arg-type]
        except contractkit.GenerationError as error:
            failures.append(f"{where}: {error}")
            continue
        assert compiled.errors(value) == [], where
    if bundled_only:
        assert failures == []
    else:
        # the corpus has schemas no value satisfies (an enum of numbers typed string, ...)
        assert len(failures) <= len(schemas) * 0.05, "\n".join(failures)


def test_overlapping_one_of_branches_are_named_as_the_cause() -> None:
    branch = {"type": "object", "properties": {"error": {"type": "string"}}}
    schema = {"oneOf": [branch, dict(branch)]}
    with pytest.raises(contractkit.GenerationError, match="they overlap"):
        contractkit.generate(schema, seed=1)


def test_nullable_left_in_a_31_document_still_means_or_null() -> None:
    contract = contractkit.load({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
        "components": {"schemas": {"Note": {"type": "string", "nullable": True}}}})
    assert contract.schema_bundle(contract.schemas["Note"]) == {"type": ["string", "null"]}


def test_any_of_with_a_discriminator_names_the_branch_it_generated() -> None:
    # OpenAPI's implicit mapping: without `mapping`, the value is the schema's name; an
    # `example` of the property (as in cdcgov's contract) must not be served instead
    def config(example: str, extra: str) -> dict[str, object]:
        return {"type": "object", "required": ["type", extra], "properties": {
            "type": {"type": "string", "example": example}, extra: {"type": "integer"}}}

    contract = contractkit.load({
        "openapi": "3.0.2", "info": {"title": "t", "version": "1"}, "paths": {},
        "components": {"schemas": {
            "Custom": config("CUSTOM", "columns"), "Standard": config("STANDARD", "version"),
            "Translation": {"anyOf": [{"$ref": "#/components/schemas/Custom"},
                                      {"$ref": "#/components/schemas/Standard"}],
                            "discriminator": {"propertyName": "type"}}}}})
    bundled = contract.schema_bundle(contract.schemas["Translation"])
    values = [contractkit.generate(bundled, seed=seed) for seed in range(12)]
    assert {value["type"] for value in values} == {"Custom", "Standard"}  # type: ignore[index]
    assert all(("columns" in v) == (v["type"] == "Custom") for v in values)  # type: ignore[index,operator]


@pytest.mark.parametrize("pattern", [
    r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$",  # AWS tags (servicecatalog, ecs, logs, ...)
    r"^(?![aA]{1}[wW]{1}[sS]{1}:)([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$",
    r"^\p{Lu}\P{L}{2,}$",
])
def test_patterns_with_unicode_property_escapes_generate(pattern: str) -> None:
    schema = {"type": "string", "minLength": 1, "pattern": pattern}
    compiled = CompiledSchema(schema)
    for seed in range(20):
        value = contractkit.generate(schema, seed=seed)
        assert compiled.errors(value) == [], value
