"""The options every command that loads contracts takes, declared once.

``@loading_options`` adds ``--allow-remote-refs``, ``--max-bytes`` and ``--max-yaml-nodes``
and hands the command one ``load_options`` argument, the keywords of
:func:`contractkit.contract.loader.load` (``load(path, **load_options)``), so that
``mock``, ``validate`` and ``diff`` read contracts under the same rules and the flags that
the loader's messages name exist on each of them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypedDict

import click

from contractkit.contract._source import DEFAULT_MAX_BYTES, DEFAULT_MAX_YAML_NODES


class LoadOptions(TypedDict):
    """Keyword arguments of ``load()`` taken from the command line."""

    allow_remote_refs: bool
    max_bytes: int
    max_yaml_nodes: int


_OPTIONS = (
    click.option("--allow-remote-refs", is_flag=True,
                 help="Fetch http(s) $refs (off by default)."),
    click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES,
                 show_default=True,
                 help="Refuse contract files (and files they $ref) larger than this."),
    click.option("--max-yaml-nodes", type=click.IntRange(min=1),
                 default=DEFAULT_MAX_YAML_NODES, show_default=True,
                 help="Refuse YAML whose data, with its aliases expanded, has more nodes "
                      "than this (alias bombs)."),
)


def loading_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the loading options to a click command; it receives them as ``load_options``."""

    @functools.wraps(command)
    def with_load_options(*args: Any, allow_remote_refs: bool, max_bytes: int,
                          max_yaml_nodes: int, **kwargs: Any) -> Any:
        load_options = LoadOptions(allow_remote_refs=allow_remote_refs, max_bytes=max_bytes,
                                   max_yaml_nodes=max_yaml_nodes)
        return command(*args, load_options=load_options, **kwargs)

    decorated: Callable[..., Any] = with_load_options
    for option in reversed(_OPTIONS):
        decorated = option(decorated)
    return decorated
