"""Contracts: loading, ``$ref`` resolution, the model, validation and data generation."""

from contractkit.contract.loader import load
from contractkit.contract.model import (
    Contract,
    Example,
    Header,
    MediaType,
    Operation,
    Parameter,
    Problem,
    RequestBody,
    Response,
    Schema,
    SecurityScheme,
    Server,
)
from contractkit.contract.routing import RouteMatch

__all__ = [
    "Contract",
    "Example",
    "Header",
    "MediaType",
    "Operation",
    "Parameter",
    "Problem",
    "RequestBody",
    "Response",
    "RouteMatch",
    "Schema",
    "SecurityScheme",
    "Server",
    "load",
]
