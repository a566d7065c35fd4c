"""The ``contractkit`` command line: turns options into library calls, renders, exits.

Exit codes: 0 success, 1 findings (problems, violations, breaking changes), 2 usage errors,
inputs that cannot be read, and failures of contractkit itself. A tool error
(:class:`~contractkit.errors.ContractkitError`) a command does not handle itself ends it
with its one-line message; any other exception is an internal error: one line asking for a
report, the traceback only with ``--debug`` (or ``CONTRACTKIT_DEBUG=1``).
"""

from __future__ import annotations

import codecs
import errno
import io
import sys
import traceback
from typing import Any, NoReturn

import click

from contractkit._version import __version__
from contractkit.cli.diff import diff
from contractkit.cli.mock import mock
from contractkit.cli.scenarios import scenarios
from contractkit.cli.validate import validate
from contractkit.cli.verify import verify
from contractkit.cli.webhooks import webhooks
from contractkit.errors import ContractkitError

_ISSUES_URL = "https://github.com/contractkit/contractkit/issues"


class _Commands(click.Group):
    """The top-level group: the one place where an exception no command handled becomes
    exit 2 and a line on stderr, so CI never mistakes a crash for findings (exit 1)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # usage errors and deliberate exits: click reports them
        except OSError as error:
            if error.errno == errno.EPIPE:
                raise  # the reader of our output went away; click handles it quietly
            _fail(ctx, error)
        except Exception as error:  # the last resort, by design
            _fail(ctx, error)


def _fail(ctx: click.Context, error: Exception) -> NoReturn:
    command = f"contractkit {ctx.invoked_subcommand or ''}".rstrip()
    if ctx.params.get("debug"):
        click.echo("".join(traceback.format_exception(error)), err=True, nl=False)
    if isinstance(error, ContractkitError):
        click.echo(f"{command}: {error}", err=True)
    else:
        message = " ".join(str(error).split())
        what = f"{type(error).__name__}: {message}" if message else type(error).__name__
        hint = "" if ctx.params.get("debug") else "; --debug prints the traceback"
        click.echo(f"{command}: internal error: {what}. This is a bug in contractkit: "
                   f"please report it at {_ISSUES_URL} with the command you ran{hint}",
                   err=True)
    ctx.exit(2)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="contractkit")
@click.option("--debug", is_flag=True, envvar="CONTRACTKIT_DEBUG",
              help="Print the traceback of an internal error (env CONTRACTKIT_DEBUG=1).")
def cli(debug: bool) -> None:  # debug is read where errors are caught: _Commands.invoke
    """Contract testing and a failure-injecting mock server for OpenAPI and GraphQL."""


cli.add_command(diff)
cli.add_command(mock)
cli.add_command(scenarios)
cli.add_command(validate)
cli.add_command(webhooks)
cli.add_command(verify)

#: What an output stream that cannot encode a character writes instead: the ASCII look of
#: the typographic characters contractkit's messages use, else a JSON-style \uXXXX escape.
#: Every stand-in is safe inside the JSON, XML and workflow-command formats too: no double
#: quote, no ``<`` or ``&``, and a backslash only as a valid JSON escape (``\u2264`` decodes
#: back to ``≤``), which is why ``←``, ``≤`` and curly double quotes are escaped instead.
_ASCII_LOOKS = {"→": "->", "—": "--", "–": "-", "…": "...", "×": "x", "≥": ">=", "·": ".",
                "‘": "'", "’": "'"}
_ERRORS = "contractkit-readable"


def _stand_in(char: str) -> str:
    if char in _ASCII_LOOKS:
        return _ASCII_LOOKS[char]
    code = ord(char)
    if code > 0xFFFF:  # as JSON writes it: a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _readable(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start:error.end]
    return "".join(map(_stand_in, text)), error.end


def _tolerant_streams() -> None:
    """Make stdout and stderr write what their encoding lacks (``→`` on a cp1252 console)
    as a readable stand-in instead of raising UnicodeEncodeError."""
    codecs.register_error(_ERRORS, _readable)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors=_ERRORS)


def main() -> None:
    _tolerant_streams()
    try:
        cli.main(prog_name="contractkit", standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
