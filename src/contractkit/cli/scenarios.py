"""``contractkit scenarios list | show NAME | validate FILE... | schema``."""

from __future__ import annotations

import json
import sys

import click

from contractkit.contract.loader import load
from contractkit.errors import ContractkitError
from contractkit.scenarios.loader import builtin_names, builtin_text, load_scenario, scenario_schema


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
    """Check scenario files: exit 0 if all are valid, 2 with one line per error if not."""
    operation_ids = ({op.id for path in contracts for op in load(path).operations}
                     if contracts else None)
    failed = False
    for path in files:
        try:
            scenario = load_scenario(path, operation_ids=operation_ids)
        except ContractkitError as error:
            click.echo(str(error), err=True)
            failed = True
            continue
        click.echo(f"{path}: ok, scenario {scenario.name!r} with {len(scenario.rules)} rule(s)")
    sys.exit(2 if failed else 0)


@scenarios.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editors and CI)."""
    click.echo(json.dumps(scenario_schema(), indent=2))
