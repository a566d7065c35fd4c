"""The public API is exactly what ``contractkit.__all__`` lists; changing it is deliberate."""

from __future__ import annotations

from tests.conftest import ROOT

import contractkit

PUBLIC = [
    "ASGIReceiver",
    "Calls",
    "Change",
    "ConfigError",
    "Contract",
    "ContractLoadError",
    "ContractServer",
    "ContractViolation",
    "ContractkitError",
    "Deliveries",
    "DiffReport",
    "Example",
    "Finding",
    "FixturesError",
    "GenerationError",
    "Header",
    "HttpRequest",
    "HttpResponse",
    "Journal",
    "JournalEntry",
    "Location",
    "MediaType",
    "MockServer",
    "Operation",
    "OperationNotFound",
    "OperationValidator",
    "Parameter",
    "Problem",
    "ProviderError",
    "RequestBody",
    "RequestValidation",
    "Response",
    "RouteMatch",
    "Scenario",
    "ScenarioError",
    "Schema",
    "SecurityScheme",
    "Server",
    "Sleep",
    "VerifyReport",
    "Violation",
    "VirtualTime",
    "WSGIReceiver",
    "__version__",
    "diff",
    "generate",
    "load",
    "load_scenario",
    "no_secrets_in",
    "raises_typed",
    "tolerates",
    "verify",
]


def test_all_is_pinned() -> None:
    assert sorted(contractkit.__all__) == sorted(PUBLIC)


def test_every_exported_name_exists_and_says_where_it_lives() -> None:
    for name in contractkit.__all__:
        value = getattr(contractkit, name)
        if name != "__version__":
            assert value.__module__.startswith("contractkit."), name


def test_error_families() -> None:
    for error in (contractkit.ContractLoadError, contractkit.ScenarioError,
                  contractkit.ConfigError, contractkit.OperationNotFound,
                  contractkit.GenerationError, contractkit.ProviderError):
        assert issubclass(error, contractkit.ContractkitError)
    assert issubclass(contractkit.ContractViolation, AssertionError)
    assert not issubclass(contractkit.ContractViolation, contractkit.ContractkitError)


def test_importing_contractkit_does_not_load_the_server_or_slow_imports() -> None:
    import subprocess
    import sys

    code = ("import sys, contractkit; print('aiohttp' in sys.modules, 'click' in sys.modules,"
            " 'jsonschema' in sys.modules, 'graphql' in sys.modules,"
            " 'deepdiff' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    # nor jsonschema, which takes about a second to import with its format extras, nor
    # graphql-core (0.2 s), which only GraphQL contracts need, nor deepdiff (it imports
    # pydantic and numpy), which only tolerates needs
    assert result.stdout.split() == ["False", "False", "False", "False", "False"]


def test_importing_contractkit_does_not_load_schemathesis() -> None:
    import subprocess
    import sys

    # verify's engine and its HTTP client load on the first verify() call
    code = ("import sys, contractkit; print('schemathesis' in sys.modules, "
            "'requests' in sys.modules, 'hypothesis' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.split() == ["False", "False", "False"]


def test_an_openapi_mock_does_not_import_graphql_core() -> None:
    import subprocess
    import sys

    code = ("import sys, contractkit\n"
            "from contractkit.server.runner import MockServer\n"
            "with MockServer(contractkit.load('contracts/petstore.yaml')): pass\n"
            "print('graphql' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60, cwd=ROOT)
    assert result.stdout.split() == ["False"]
