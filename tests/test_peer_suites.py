"""scripts/peer_suites.py reads pytest's JUnit report into node ids and puts the mock's
answers to the tests that were running; the SDK suites themselves are not run here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from tests.conftest import ROOT


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "peer_suites", ROOT / "scripts" / "peer_suites.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_junit_cases_become_node_ids_with_their_first_error_line(tmp_path: Path) -> None:
    (tmp_path / "test" / "integ").mkdir(parents=True)
    (tmp_path / "test" / "integ" / "test_api.py").write_text("")
    report = tmp_path / "junit.xml"
    report.write_text(
        '<testsuites><testsuite name="pytest">'
        '<testcase classname="test.integ.test_api.UnitTests" name="test_ok"/>'
        '<testcase classname="test.integ.test_api.UnitTests" name="test_get">'
        '<failure message="HTTPError: 422&#10;more">tb</failure></testcase>'
        '<testcase classname="test.integ.test_api" name="test_skip"><skipped/></testcase>'
        '</testsuite></testsuites>')
    passed, skipped, failures = _script().read_junit(report, tmp_path)
    assert (passed, skipped) == (1, 1)
    assert failures == [("test/integ/test_api.py::UnitTests::test_get", "HTTPError: 422")]


def test_answers_are_put_to_the_tests_running_when_they_arrived() -> None:
    problems = [
        {"status": 422, "operation_id": "GET_alerts", "path": "/v3/alerts", "outcome": "invalid",
         "t_headers": 10.5, "violations": [{"location": "body", "pointer": "",
                                            "message": "body is not valid JSON"}]},
        {"status": 500, "operation_id": None, "path": "/v3/x", "outcome": "mock-error",
         "t_headers": 20.0, "violations": []},
    ]
    answers = _script().answers_while([(10.0, 11.0)], problems)
    assert answers == ("422 GET_alerts invalid body : body is not valid JSON",)
    assert _script().answers_while([(19.0, 21.0)], problems) == ("500 /v3/x mock-error",)
