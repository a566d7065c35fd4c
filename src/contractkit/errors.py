"""Every exception contractkit raises, in two families.

::

    ContractkitError            the tool was misused or given bad input (CLI exit 2)
    ├── ContractLoadError       a contract could not be read, parsed or resolved
    ├── ScenarioError           a scenario file is invalid
    ├── ConfigError             an option or setting is invalid
    ├── OperationNotFound       no operation has that id / method and path
    ├── WebhookError            no such webhook event, a bad secret or signing scheme,
    │                           a receiver that cannot be reached
    ├── GenerationError         no value could be generated for a schema
    └── ProviderError           verify could not talk to the provider (unreachable, TLS)

    ContractViolation(AssertionError)
                                a consumer broke the contract, or a behaviour
                                assertion failed (a test failure, CLI exit 1)

Messages follow one shape: where (file:line:col and JSON pointer, or operation), what
happened, what was expected, and what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "ConfigError",
    "ContractLoadError",
    "ContractViolation",
    "ContractkitError",
    "GenerationError",
    "Location",
    "OperationNotFound",
    "ProviderError",
    "ScenarioError",
    "WebhookError",
]


@dataclass(frozen=True)
class Location:
    """Where something is in a source file: path, 1-based line and column, JSON pointer."""

    file: str
    line: int | None = None
    column: int | None = None
    pointer: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where


class ContractkitError(Exception):
    """Base class of every error about using contractkit or about its inputs."""


class _LocatedError(ContractkitError):
    """An error about an input file; ``str(error)`` is one line:
    ``file:line:col  /json/pointer  message``."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        self.message = message
        self.location = location
        super().__init__(self._render())

    def _render(self) -> str:
        if self.location is None:
            return self.message
        parts = [str(self.location)]
        if self.location.pointer:
            parts.append(self.location.pointer)
        parts.append(self.message)
        return "  ".join(parts)


class ContractLoadError(_LocatedError):
    """A contract could not be read, parsed or resolved.

    ``str(error)`` is one line: ``file:line:col  /json/pointer  message``.
    When the document has several such errors (a misshapen skeleton, say), the message is
    the first one's and :attr:`errors` holds them all.
    """

    def __init__(self, message: str, location: Location | None = None,
                 *, errors: Sequence[ContractLoadError] = ()) -> None:
        super().__init__(message, location)
        self.errors: tuple[ContractLoadError, ...] = tuple(errors) or (self,)

    @classmethod
    def several(cls, errors: Sequence[ContractLoadError]) -> ContractLoadError:
        """One error standing for ``errors`` (at least one), naming how many more there are."""
        first, more = errors[0], len(errors) - 1
        message = first.message
        if more:
            message += (f" (and {more} more error{'s' if more > 1 else ''} of this kind; "
                        "`contractkit validate` lists them all)")
        return cls(message, first.location, errors=errors)


class ScenarioError(_LocatedError):
    """A scenario file or object is invalid (same one-line form as ContractLoadError)."""


class FixturesError(_LocatedError):
    """A fixtures file is unreadable, names no schema of the contract, or holds a value the
    schema refuses (same one-line form as ContractLoadError). :attr:`errors` holds every
    entry's problem when there are several."""

    def __init__(self, message: str, location: Location | None = None,
                 *, errors: Sequence[FixturesError] = ()) -> None:
        super().__init__(message, location)
        self.errors: tuple[FixturesError, ...] = tuple(errors) or (self,)

    @classmethod
    def several(cls, errors: Sequence[FixturesError]) -> FixturesError:
        """One error standing for ``errors`` (at least one), naming how many more."""
        first, more = errors[0], len(errors) - 1
        message = first.message
        if more:
            message += (f" (and {more} more entr{'ies' if more > 1 else 'y'} the contract "
                        "refuses; --lenient leaves them out and serves the rest)")
        return cls(message, first.location, errors=errors)


class ConfigError(ContractkitError):
    """An option, setting or argument is invalid."""


class OperationNotFound(ContractkitError, LookupError):
    """No operation matches the id or the method and path asked for."""

    def __init__(self, wanted: str, suggestions: Sequence[str] = ()) -> None:
        self.wanted = wanted
        self.suggestions = tuple(suggestions)
        message = f"no operation {wanted!r} in the contract"
        if self.suggestions:
            message += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(message)


class WebhookError(ContractkitError):
    """A webhook could not be named, signed or delivered as asked: an unknown event (with
    suggestions), a contract without webhooks, a secret in the wrong format for its
    scheme, a receiver URL that is not loopback or cannot be reached."""


class GenerationError(ContractkitError, ValueError):
    """No value satisfying a schema could be generated (contradictory or too hard)."""


class ProviderError(ContractkitError):
    """``verify`` could not talk to the provider at all: nothing listens at the base URL,
    the TLS handshake failed, or it stopped answering mid-run. A provider that answers
    wrongly (or not within the per-request timeout) gives findings instead."""


class ContractViolation(AssertionError):
    """A consumer broke the contract, or a behaviour assertion on the journal failed."""
