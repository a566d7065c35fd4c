"""``contractkit scenarios list | show NAME | validate FILE... | schema``."""

from __future__ import annotations

import json
import sys

import click

from contractkit.contract.loader import load
from contractkit.scenarios.loader import (
    builtin_names,
    builtin_text,
    check_scenario,
    load_scenario,
    scenario_schema,
)


@click.group()
def scenarios() -> None:
    """Built-in failure scenarios, and checks for your own scenario files."""


@scenarios.command("list")
def list_scenarios() -> None:
    """The built-in scenarios, one per line, with what they do."""
    for name in builtin_names():
        scenario = load_scenario(name)
        click.echo(f"{name:15} {scenario.description}")


@scenarios.command()
@click.argument("name")
def show(name: str) -> None:
    """Print a built-in scenario (its YAML: copy it to start your own)."""
    click.echo(builtin_text(name), nl=False)


@scenarios.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--contract", "contracts", multiple=True, type=click.Path(),
              help="Check that the operation ids the rules name exist in this contract "
                   "(repeatable).")
def validate(files: tuple[str, ...], contracts: tuple[str, ...]) -> None:
    """Check scenario files: exit 0 if all are valid, 2 with one line per error if not
    (every error in every file, in one run)."""
    operation_ids = ({op.id for path in contracts for op in load(path).operations}
                     if contracts else None)
    failed = False
    for path in files:
        checked = check_scenario(path, operation_ids=operation_ids)
        for error in checked.errors:
            click.echo(str(error), err=True)
        if checked.scenario is None:
            failed = True
        else:
            click.echo(f"{path}: ok, scenario {checked.scenario.name!r} with "
                       f"{len(checked.scenario.rules)} rule(s)")
    sys.exit(2 if failed else 0)


@scenarios.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editors and CI)."""
    click.echo(json.dumps(scenario_schema(), indent=2))
