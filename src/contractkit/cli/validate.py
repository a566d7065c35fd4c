"""``contractkit validate FILE...``."""

from __future__ import annotations

import sys

import click

from contractkit.cli._loading import LoadOptions, loading_options
from contractkit.contract.checks import validate_files
from contractkit.reporting.validation import render_json, render_text


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True, help="Output format.")
@loading_options
@click.option("--strict", is_flag=True, help="Treat warnings as problems (exit 1).")
def validate(paths: tuple[str, ...], output_format: str, load_options: LoadOptions,
             strict: bool) -> None:
    """Load contracts (OpenAPI 2.0/3.0/3.1, GraphQL) and report their problems.

    A directory stands for the contract files directly inside it. Exit 0 when every file
    is fine, 1 when any has problems, 2 when a file cannot be read.
    """
    report = validate_files(paths, **load_options)
    if not report.files:
        raise click.UsageError("no contract files found in " + ", ".join(paths))
    click.echo(render_json(report) if output_format == "json" else render_text(report))
    if any(not f.readable for f in report.files):
        sys.exit(2)
    failed = not report.ok or (strict and any(f.problems for f in report.files))
    sys.exit(1 if failed else 0)
