"""The public API is exactly what ``contractkit.__all__`` lists; changing it is deliberate."""

from __future__ import annotations

import contractkit

PUBLIC = [
    "ConfigError",
    "Contract",
    "ContractLoadError",
    "ContractViolation",
    "ContractkitError",
    "Example",
    "GenerationError",
    "Header",
    "HttpRequest",
    "HttpResponse",
    "Location",
    "MediaType",
    "Operation",
    "OperationNotFound",
    "OperationValidator",
    "Parameter",
    "Problem",
    "RequestBody",
    "RequestValidation",
    "Response",
    "RouteMatch",
    "ScenarioError",
    "Schema",
    "SecurityScheme",
    "Server",
    "Violation",
    "__version__",
    "generate",
    "load",
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
                  contractkit.GenerationError):
        assert issubclass(error, contractkit.ContractkitError)
    assert issubclass(contractkit.ContractViolation, AssertionError)
    assert not issubclass(contractkit.ContractViolation, contractkit.ContractkitError)
