"""docs/reference/library-matrix.md is the matrix the tests register (tests/assertions/
matrix.py), and the matrix covers what issue 13's acceptance asks for."""

from __future__ import annotations

import importlib

from tests.assertions import matrix
from tests.conftest import ROOT

PAGE = ROOT / "docs" / "reference" / "library-matrix.md"


def registered() -> list[matrix.Verdict]:
    for module in matrix.MODULES:
        importlib.import_module(module)
    return list(matrix.MATRIX)


def test_the_docs_page_is_the_registered_matrix() -> None:
    assert PAGE.read_text() == matrix.render(registered()), (
        "docs/reference/library-matrix.md is out of date: run "
        ".venv/bin/python scripts/generate_library_matrix.py")


def test_every_library_has_good_and_bad_clients() -> None:
    verdicts = registered()
    libraries = {v.library for v in verdicts}
    assert {"tenacity", "urllib3 Retry", "stamina", "backoff", "aiohttp-retry",
            "httpx-retries", "pybreaker", "purgatory", "pydantic v2"} <= libraries
    for library in libraries - {"aiohttp", "aiohttp-retry", "hand-written (AWS)"}:
        kinds = {v.passes for v in verdicts if v.library == library}
        assert kinds == {True, False}, library


def test_every_registered_test_exists() -> None:
    for v in registered():
        module, _, name = v.test.partition("::")
        found = importlib.import_module(f"tests.assertions.{module.removesuffix('.py')}")
        assert hasattr(found, name.split("[")[0]), v.test
