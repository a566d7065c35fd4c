"""contractkit: contract testing and a failure-injecting mock server for OpenAPI and GraphQL.

Everything public is exported here; every other module is private and may change.
``MockServer`` is imported on first use, so ``import contractkit`` does not load aiohttp.
"""

from typing import TYPE_CHECKING, Any

from contractkit._http import HttpRequest, HttpResponse
from contractkit._version import __version__
from contractkit.contract import (
    Contract,
    Example,
    Header,
    MediaType,
    Operation,
    Parameter,
    Problem,
    RequestBody,
    Response,
    RouteMatch,
    Schema,
    SecurityScheme,
    Server,
    load,
)
from contractkit.contract.generate import generate
from contractkit.contract.validation import OperationValidator, RequestValidation, Violation
from contractkit.errors import (
    ConfigError,
    ContractkitError,
    ContractLoadError,
    ContractViolation,
    GenerationError,
    Location,
    OperationNotFound,
    ScenarioError,
)
from contractkit.journal import Journal, JournalEntry
from contractkit.scenarios import Scenario, load_scenario

if TYPE_CHECKING:
    from contractkit.server.runner import MockServer


def __getattr__(name: str) -> Any:
    if name == "MockServer":
        from contractkit.server.runner import MockServer  # noqa: PLC0415 - lazy on purpose

        return MockServer
    raise AttributeError(f"module 'contractkit' has no attribute {name!r}")


__all__ = [
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
    "RequestBody",
    "RequestValidation",
    "Response",
    "RouteMatch",
    "Scenario",
    "ScenarioError",
    "Schema",
    "SecurityScheme",
    "Server",
    "Violation",
    "__version__",
    "generate",
    "load",
    "load_scenario",
]
