"""The contract as schemathesis reads it, and the operations a run tests."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING

from contractkit.contract.model import Contract
from contractkit.errors import ConfigError, ContractkitError
from contractkit.verify.model import VerifyOptions

if TYPE_CHECKING:
    from schemathesis import BaseSchema

    from contractkit.verify.generated import APIOperation

_MISSING = ("contractkit verify needs schemathesis (4.3 or later, before 5): install it into "
            "the environment contractkit runs in, e.g. `python -m pip install "
            "'schemathesis>=4.3,<5'`")


def load_schema(contract: Contract, options: VerifyOptions) -> BaseSchema:
    """schemathesis' schema of ``contract``, read from its file when it has one (so
    relative ``$ref`` s resolve as contractkit resolved them)."""
    if contract.kind != "openapi":
        raise ConfigError(f"{contract.source}: verify checks OpenAPI contracts; "
                          f"this one is {contract.kind}")
    try:
        import schemathesis  # noqa: PLC0415 - optional, and heavy
    except ImportError:
        raise ContractkitError(_MISSING) from None
    # headers in the config, not only on each call: schemathesis then keeps them fixed
    # instead of drawing invalid requests that lack them (a missing Authorization would be
    # sent with it after all, and the provider's 200 judged as accepting invalid data)
    config = schemathesis.Config.from_dict({"base-url": options.base_url,
                                            "tls-verify": options.tls_verify,
                                            "headers": dict(options.headers)})
    source = Path(contract.source)
    try:
        if source.is_file():
            return schemathesis.openapi.from_path(source, config=config)
        return schemathesis.openapi.from_dict(dict(contract.raw), config=config)
    except Exception as error:  # schemathesis refuses what contractkit loaded
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ContractkitError(f"{contract.source}: schemathesis cannot read the contract: "
                               f"{first}") from None


def select(schema: BaseSchema, options: VerifyOptions) -> list[APIOperation]:
    """The operations to test: all, or those named by ``include`` (``METHOD /path`` or an
    operationId), less those named by ``exclude``. A name that matches nothing is a
    :class:`ConfigError` with the closest names."""
    operations: list[APIOperation] = []
    from schemathesis.core.result import Ok  # noqa: PLC0415 - lazy with schemathesis

    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            raise ContractkitError(f"schemathesis cannot read an operation: {result.err()}")
        operations.append(result.ok())
    names = {name for operation in operations for name in _names(operation)}
    for given in (*options.include, *options.exclude):
        if given not in names:
            close = difflib.get_close_matches(given, sorted(names), n=3)
            hint = "; did you mean " + " or ".join(repr(c) for c in close) + "?" if close else ""
            raise ConfigError(f"no operation {given!r} in the contract (name one as "
                              f"'METHOD /path' or by its operationId){hint}")
    return [operation for operation in operations
            if (not options.include or _names(operation) & set(options.include))
            and not _names(operation) & set(options.exclude)]


def _names(operation: APIOperation) -> set[str]:
    names = {operation.label}
    operation_id = operation.definition.raw.get("operationId")
    if isinstance(operation_id, str):
        names.add(operation_id)
    return names
