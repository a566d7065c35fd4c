"""contractkit: contract testing and a failure-injecting mock server for OpenAPI and GraphQL.

Everything public is exported here; every other module is private and may change.
"""

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
