"""``contractkit diff OLD NEW``: changes between two contracts, for people and CI."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from contractkit.cli._loading import LoadOptions, loading_options
from contractkit.diff.compare import diff as diff_contracts
from contractkit.diff.model import DiffReport, FailOn
from contractkit.diff.rules import Level
from contractkit.diff.sources import exists_at
from contractkit.diff.usage import mark
from contractkit.errors import ConfigError
from contractkit.interactions import read_dir
from contractkit.reporting.diff import FORMATS, render
from contractkit.reporting.diff.rules import render_json, render_markdown, render_text
from contractkit.reporting.diff.view import MARKDOWN_BUDGET

_LIST_FORMATS = {"text": render_text, "json": render_json, "markdown": render_markdown}
#: formats whose output is one document, so one report per run
_SINGLE_DOCUMENT = ("json", "junit", "sarif")
_F = TypeVar("_F", bound=Callable[..., Any])


def markdown_limit_option(left_out_first: str) -> Callable[[_F], _F]:
    """``--markdown-limit BYTES`` (diff's and verify's): the markdown output's budget."""
    return click.option(
        "--markdown-limit", type=click.IntRange(min=1000), default=MARKDOWN_BUDGET,
        show_default=True, metavar="BYTES",
        help=f"Largest markdown output; {left_out_first} are left out first (GitHub keeps "
             "1 MiB of a step summary, 65,536 characters of a comment).")

@click.command()
@click.argument("contracts", nargs=-1, metavar="OLD NEW")
@click.option("--format", "output_format", type=click.Choice(list(FORMATS)), default="text",
              show_default=True, help="Output format.")
@click.option("--fail-on", type=click.Choice(["breaking", "dangerous", "safe", "never",
                                              "breaking-used", "dangerous-used"]),
              default="breaking", show_default=True,
              help="Exit 1 when a change is at or above this level; breaking-used and "
                   "dangerous-used count only changes recorded consumer tests hit "
                   "(--usage).")
@click.option("--usage", "usage_dir", type=click.Path(), metavar="DIR",
              help="Recorded interactions (pytest --contractkit-record=DIR): mark each "
                   "change with the consumer tests it hits.")
@click.option("--level", type=click.Choice(["breaking", "dangerous", "safe"]), default="safe",
              show_default=True,
              help="Show only changes at or above this level (the summary counts all).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True,
              help="Colour the text format (auto: on a terminal, unless NO_COLOR is set).")
@markdown_limit_option("the least severe changes")
@click.option("--ignore", "ignore_file", type=click.Path(),
              help="YAML file of accepted changes (rule, location, reason, expires).")
@click.option("--check-version", is_flag=True,
              help="Breaking changes need a major bump of info.version.")
@click.option("--closed-responses", is_flag=True,
              help="Clients reject response values they do not know: a response enum "
                   "value or oneOf/anyOf branch added is breaking (default: dangerous).")
@click.option("--deprecation-days-beta", type=int, default=0, show_default=True,
              metavar="DAYS",
              help="Deprecating in a beta operation needs an x-sunset date at least DAYS "
                   "days away, else it is breaking (0: no minimum).")
@click.option("--deprecation-days-stable", type=int, default=0, show_default=True,
              metavar="DAYS",
              help="The same for stable operations (no x-stability-level is stable).")
@click.option("--expand", is_flag=True,
              help="Report a change in a component once per operation that reaches it, "
                   "not once per site (the summary then counts operations).")
@click.option("--base", metavar="REF",
              help="Compare each given file with itself at git REF (for pre-commit hooks); "
                   "files that do not exist at REF are new and skipped.")
@loading_options
@click.option("--list-rules", is_flag=True, help="Print the rule catalogue and exit.")
def diff(contracts: tuple[str, ...], output_format: str, fail_on: FailOn, level: Level,
         color: str, markdown_limit: int, ignore_file: str | None, check_version: bool,
         closed_responses: bool, deprecation_days_beta: int, deprecation_days_stable: int,
         usage_dir: str | None, expand: bool,
         base: str | None,
         load_options: LoadOptions, list_rules: bool) -> None:
    """Report the changes from OLD to NEW and whether they break clients.

    OLD and NEW are contract files (OpenAPI 2.0/3.0/3.1 or GraphQL) or git:REF:PATH to
    read a file as it is at a commit. Exit 0 when no change reaches --fail-on, 1 when one
    does, 2 when an input cannot be read.
    """
    if list_rules:
        if output_format not in _LIST_FORMATS:
            raise click.UsageError("--list-rules prints text, json or markdown")
        click.echo(_LIST_FORMATS[output_format]())
        return
    if fail_on.endswith("-used") and usage_dir is None:
        raise click.UsageError(f"--fail-on {fail_on} needs --usage DIR (the recorded "
                               "interactions of the consumer suites)")
    for flag, days in (("--deprecation-days-beta", deprecation_days_beta),
                       ("--deprecation-days-stable", deprecation_days_stable)):
        if days < 0:
            raise ConfigError(f"{flag} must be 0 or more days (got {days}); 0 sets no "
                              "minimum")
    recordings = read_dir(usage_dir) if usage_dir is not None else None
    pairs = _pairs(contracts, base)
    if len(pairs) > 1 and output_format in _SINGLE_DOCUMENT:
        raise click.UsageError(f"--format {output_format} takes one pair of contracts")
    reports: list[DiffReport] = []
    # an input that cannot be read raises ContractkitError; the command group (cli/__init__)
    # turns it into exit 2 and its one-line message
    for old, new in pairs:
        if base is not None and not exists_at(base, new):
            click.echo(f"{new}: new at {base}, nothing to compare")
            continue
        report = diff_contracts(old, new, ignore=ignore_file, check_version=check_version,
                                closed_responses=closed_responses, expand=expand,
                                deprecation_days_beta=deprecation_days_beta,
                                deprecation_days_stable=deprecation_days_stable,
                                **load_options)
        reports.append(report if recordings is None else mark(report, recordings))
    painted = color == "always" or (color == "auto" and sys.stdout.isatty()
                                    and not os.environ.get("NO_COLOR"))
    click.echo("\n\n".join(render(report, output_format, fail_on=fail_on, level=level,
                                  color=painted, markdown_budget=markdown_limit)
                           for report in reports), color=painted)
    sys.exit(1 if any(report.fails(fail_on) for report in reports) else 0)


def _pairs(contracts: tuple[str, ...], base: str | None) -> list[tuple[str, str]]:
    if base is not None:
        if not contracts:
            raise click.UsageError("--base REF needs the contract files to check")
        return [(f"git:{base}:{path}", path) for path in contracts]
    if len(contracts) != 2:
        raise click.UsageError("give OLD and NEW contracts (or --list-rules)")
    return [(contracts[0], contracts[1])]
