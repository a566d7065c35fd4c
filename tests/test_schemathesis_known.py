"""scripts/schemathesis_known.yaml, the failures of the conformance run that are not the
mock's, stays readable by the script and names contracts that exist."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from tests.conftest import CONTRACTS, ROOT, corpus_dir


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "schemathesis_mock", ROOT / "scripts" / "schemathesis_mock.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_known_failure_has_a_class_a_reason_and_a_contract() -> None:
    script = _script()
    known = script.load_known(script.KNOWN)
    assert known
    names = {p.name for p in (corpus_dir() / "openapi").glob("*.json")}
    names |= {p.name for p in CONTRACTS.glob("*")}
    for entry in known:
        assert entry.contract in names, entry
        assert entry.code.startswith("ST") or entry.code in ("error", "timeout"), entry


def test_a_known_entry_explains_only_its_contract_code_and_operations() -> None:
    script = _script()
    entry = script.Known("a.json", "ST202", "tool", "why", ("GET /x",))
    assert entry.explains("a.json", "ST202", "GET /x")
    assert not entry.explains("a.json", "ST202", "GET /y")
    assert not entry.explains("a.json", "ST201", "GET /x")
    assert not entry.explains("b.json", "ST202", "GET /x")
    assert script.Known("a.json", "error", "tool", "why").explains("a.json", "error", "")
