"""The ``contractkit`` command line: turns options into library calls, renders, exits.

Exit codes: 0 success, 1 findings (problems, violations, breaking changes), 2 usage errors
or inputs that cannot be read.
"""

from __future__ import annotations

import sys

import click

from contractkit._version import __version__
from contractkit.cli.diff import diff
from contractkit.cli.mock import mock
from contractkit.cli.scenarios import scenarios
from contractkit.cli.validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="contractkit")
def cli() -> None:
    """Contract testing and a failure-injecting mock server for OpenAPI and GraphQL."""


cli.add_command(diff)
cli.add_command(mock)
cli.add_command(scenarios)
cli.add_command(validate)


def main() -> None:
    try:
        cli.main(prog_name="contractkit", standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
