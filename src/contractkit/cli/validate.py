"""``contractkit validate FILE...``."""

from __future__ import annotations

import sys

import click

from contractkit.contract._source import DEFAULT_MAX_BYTES
from contractkit.contract.checks import validate_files
from contractkit.reporting.validation import render_json, render_text


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True, help="Output format.")
@click.option("--allow-remote-refs", is_flag=True,
              help="Fetch http(s) $refs (off by default).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES,
              show_default=True, help="Refuse contract files larger than this.")
@click.option("--strict", is_flag=True, help="Treat warnings as problems (exit 1).")
def validate(paths: tuple[str, ...], output_format: str, allow_remote_refs: bool,
             max_bytes: int, strict: bool) -> None:
    """Load contracts (OpenAPI 2.0/3.0/3.1, GraphQL) and report their problems.

    A directory stands for the contract files directly inside it. Exit 0 when every file
    is fine, 1 when any has problems, 2 when a file cannot be read.
    """
    report = validate_files(paths, allow_remote_refs=allow_remote_refs, max_bytes=max_bytes)
    if not report.files:
        raise click.UsageError("no contract files found in " + ", ".join(paths))
    click.echo(render_json(report) if output_format == "json" else render_text(report))
    if any(not f.readable for f in report.files):
        sys.exit(2)
    failed = not report.ok or (strict and any(f.problems for f in report.files))
    sys.exit(1 if failed else 0)
