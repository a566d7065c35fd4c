"""``check_scenario`` finds every error in a scenario; ``load_scenario`` raises the first."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractkit.errors import ScenarioError
from contractkit.scenarios.loader import check_scenario, load_scenario

BROKEN = {"name": "x", "rules": [
    {"match": {"operation": "refund"}, "status": 503},
    {"match": {"any": True}, "latency": "soon"},
    {"match": {"operation": ["pay", "refnd"]}, "fault": "reset"},
]}


def test_check_returns_every_error_in_order() -> None:
    checked = check_scenario(BROKEN, operation_ids={"pay", "refund"})
    assert checked.scenario is None
    assert [(e.location.pointer if e.location else None) for e in checked.errors] == [
        "/rules/1/latency", "/rules/2/match/operation/1"]
    assert "did you mean 'refund'?" in str(checked.errors[1])


def test_load_raises_the_first_error() -> None:
    with pytest.raises(ScenarioError) as raised:
        load_scenario(BROKEN, operation_ids={"pay", "refund"})
    assert raised.value.location is not None
    assert raised.value.location.pointer == "/rules/1/latency"


def test_a_valid_scenario_has_no_errors() -> None:
    checked = check_scenario(BROKEN, operation_ids=None)
    assert checked.scenario is None  # the latency is still not a duration
    fixed = {**BROKEN, "rules": [BROKEN["rules"][0], BROKEN["rules"][2]]}
    checked = check_scenario(fixed, operation_ids={"pay", "refund", "refnd"})
    assert checked.errors == ()
    assert checked.scenario is not None
    assert [rule.name for rule in checked.scenario.rules] == ["rules[0]", "rules[1]"]


@pytest.mark.parametrize("text", ["", "\n \n", "~\n", "null", "# later\n"])
def test_an_empty_file_is_one_scenario_specific_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text(text)
    [error] = check_scenario(path).errors
    assert error.message.startswith("empty scenario file; expected a mapping with 'name' "
                                    "and 'rules'")


def test_an_oversized_scenario_file_names_its_fixed_cap_not_a_flag(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("name: big\nrules: []\n" + "#" * (1024 * 1024))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "scenario files are capped at 1 MiB" in message
    assert "--max-bytes" not in message
    assert "max_bytes=" not in message
