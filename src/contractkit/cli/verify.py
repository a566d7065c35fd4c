"""``contractkit verify CONTRACT --base-url URL``: check a running provider."""

from __future__ import annotations

import os
import sys
from typing import TextIO

import click

from contractkit.cli._loading import LoadOptions, loading_options
from contractkit.cli.diff import markdown_limit_option
from contractkit.contract.loader import load
from contractkit.reporting.verify import FORMATS, render
from contractkit.verify.model import INTEGRATION_CHECKS, PROVIDER_CHECKS
from contractkit.verify.run import Progress
from contractkit.verify.run import verify as verify_provider


def _header(value: str) -> tuple[str, str]:
    name, sep, content = value.partition(":")
    if not sep or not name.strip():
        raise click.BadParameter(f"{value!r} is not NAME: VALUE", param_hint="--header")
    return name.strip(), content.strip()


def _progress_line(stream: TextIO) -> Progress:
    """Operations done of all, and the last one: one line rewritten on a terminal, a line
    each elsewhere (``--progress always`` into a CI log)."""
    terminal = stream.isatty()

    def show(operation: str, done: int, total: int) -> None:
        text = f"verify: {done:{len(str(total))}d}/{total} operations  {operation[:60]}"
        stream.write(f"\r\x1b[K{text}" if terminal else f"{text}\n")
        stream.flush()
    return show


@click.command()
@click.argument("contract", type=click.Path())
@click.option("--base-url", required=True, metavar="URL",
              help="Where the provider answers; the contract's paths are appended to it "
                   "(include the base path: http://127.0.0.1:9000/v1).")
@click.option("--header", "-H", "headers", multiple=True, metavar="'NAME: VALUE'",
              help="Sent with every request (credentials); repeatable. Values are written "
                   "[Filtered] in the output.")
@click.option("--include", multiple=True, metavar="OPERATION",
              help="Test only this operation ('METHOD /path' or operationId); repeatable.")
@click.option("--exclude", multiple=True, metavar="OPERATION",
              help="Do not test this operation; repeatable.")
@click.option("--check", "checks", multiple=True,
              type=click.Choice([*INTEGRATION_CHECKS, "all"]),
              help="Switch on an integration check of contractkit's own; repeatable.")
@click.option("--skip-check", "skip_checks", multiple=True, type=click.Choice(PROVIDER_CHECKS),
              help="Switch off one of schemathesis' checks; repeatable.")
@click.option("--max-examples", type=click.IntRange(min=1), default=20, show_default=True,
              help="Valid requests per operation (and as many invalid ones).")
@click.option("--seed", type=int, help="Draw the same requests as an earlier run.")
@click.option("--max-time", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop testing new requests after this long.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Operations tested at once.")
@click.option("--request-timeout", type=click.FloatRange(min=0, min_open=True), default=10.0,
              show_default=True, metavar="SECONDS",
              help="An answer slower than this is a finding.")
@click.option("--no-tls-verify", is_flag=True,
              help="Accept any TLS certificate (a test provider's self-signed one).")
@click.option("--interactions", type=click.Path(), metavar="DIR",
              help="Replay the exchanges consumer tests recorded (pytest "
                   "--contractkit-record=DIR) instead of generating requests; each "
                   "finding names the consumer test.")
@click.option("--progress", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True,
              help="A line on stderr saying how many operations are done (auto: when stderr "
                   "is a terminal).")
@click.option("--format", "output_format", type=click.Choice(list(FORMATS)), default="text",
              show_default=True, help="Output format.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True,
              help="Colour the text format (auto: on a terminal, unless NO_COLOR is set).")
@markdown_limit_option("the last findings")
@loading_options
def verify(contract: str, base_url: str, headers: tuple[str, ...], include: tuple[str, ...],
           exclude: tuple[str, ...], checks: tuple[str, ...], skip_checks: tuple[str, ...],
           max_examples: int,
           seed: int | None, max_time: float | None, workers: int, request_timeout: float,
           no_tls_verify: bool, interactions: str | None, progress: str, output_format: str,
           color: str, markdown_limit: int, load_options: LoadOptions) -> None:
    """Check that the provider at --base-url honours CONTRACT (OpenAPI).

    Generated valid requests must get documented statuses, content types, headers and
    bodies; invalid ones a 4xx; nothing a 5xx; credentials must be checked. Every finding
    shows a curl line, and the seed draws the same requests again. Exit 0 without
    findings, 1 with findings, 2 when the contract or the provider cannot be used.
    """
    # tool errors (unreachable provider, bad options) are ContractkitErrors: the command
    # group turns them into exit 2 and their one-line message
    report = verify_provider(
        load(contract, **load_options), base_url=base_url,
        headers=dict(_header(value) for value in headers), include=include,
        exclude=exclude, max_examples=max_examples, seed=seed, max_time=max_time,
        workers=workers, request_timeout=request_timeout, checks=checks,
        skip_checks=skip_checks,
        tls_verify=not no_tls_verify, interactions=interactions,
        on_progress=_progress_line(sys.stderr) if progress == "always" or (
            progress == "auto" and sys.stderr.isatty()) else None)
    if progress != "never" and sys.stderr.isatty():
        sys.stderr.write("\r\x1b[K")  # the progress line goes before the report
        sys.stderr.flush()
    painted = color == "always" or (color == "auto" and sys.stdout.isatty()
                                    and not os.environ.get("NO_COLOR"))
    click.echo(render(report, output_format, color=painted, markdown_budget=markdown_limit),
               color=painted)
    sys.exit(0 if report.ok else 1)
