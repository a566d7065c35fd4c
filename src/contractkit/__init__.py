"""contractkit: contract testing and a failure-injecting mock server for OpenAPI and GraphQL.

Everything public is exported here; every other module is private and may change.
``MockServer`` is imported on first use, so ``import contractkit`` does not load aiohttp.
"""

from typing import TYPE_CHECKING, Any

from contractkit._http import HttpRequest, HttpResponse
from contractkit._version import __version__
from contractkit.assertions.calls import Calls
from contractkit.assertions.deliveries import Deliveries
from contractkit.assertions.leaks import no_secrets_in
from contractkit.assertions.outcomes import raises_typed, tolerates
from contractkit.assertions.virtual_time import Sleep, VirtualTime
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
from contractkit.diff.compare import diff
from contractkit.diff.model import Change, DiffReport
from contractkit.errors import (
    ConfigError,
    ContractkitError,
    ContractLoadError,
    ContractViolation,
    FixturesError,
    GenerationError,
    Location,
    OperationNotFound,
    ProviderError,
    ScenarioError,
)
from contractkit.journal import Journal, JournalEntry
from contractkit.scenarios import Scenario, load_scenario
from contractkit.verify.model import Finding, VerifyReport
from contractkit.verify.run import verify

if TYPE_CHECKING:
    from contractkit.consumer import ContractServer
    from contractkit.server.asgi_receiver import ASGIReceiver
    from contractkit.server.runner import MockServer
    from contractkit.server.wsgi_receiver import WSGIReceiver


def __getattr__(name: str) -> Any:
    if name == "MockServer":
        from contractkit.server.runner import MockServer  # noqa: PLC0415 - lazy on purpose

        return MockServer
    if name == "ContractServer":
        from contractkit.consumer import ContractServer  # noqa: PLC0415 - lazy on purpose

        return ContractServer
    if name == "ASGIReceiver":
        from contractkit.server.asgi_receiver import ASGIReceiver  # noqa: PLC0415 - lazy

        return ASGIReceiver
    if name == "WSGIReceiver":
        from contractkit.server.wsgi_receiver import WSGIReceiver  # noqa: PLC0415 - lazy

        return WSGIReceiver
    raise AttributeError(f"module 'contractkit' has no attribute {name!r}")


__all__ = [
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
