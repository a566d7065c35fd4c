"""``--watch``: reload a mounted contract when any of its files changes.

Polls file modification times (portable, no extra dependency). A broken edit is logged
and the last good contract keeps being served.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from contractkit.contract.fixtures import Fixtures
from contractkit.contract.loader import load
from contractkit.errors import ContractkitError
from contractkit.server.app import MockApp, Mount
from contractkit.server.runner import contract_files

log = logging.getLogger("contractkit.server")


def _stamps(files: list[Path]) -> dict[Path, int]:
    stamps: dict[Path, int] = {}
    for file in files:
        try:
            stamps[file] = file.stat().st_mtime_ns
        except OSError:
            stamps[file] = -1
    return stamps


def reload_changed(app: MockApp, seen: dict[int, dict[Path, int]],
                   **load_options: Any) -> list[str]:
    """Reload every mount whose files changed since ``seen``; the messages logged.

    ``load_options``: ``load()``'s keywords, the same the contracts were first loaded with
    (a cap raised with ``--max-bytes`` must stay raised across reloads)."""
    messages = []
    for index, mount in enumerate(list(app.mounts_in_order)):
        files = contract_files(mount.contract)
        stamps = _stamps(files)
        if seen.get(index) == stamps:
            continue
        first_look = index not in seen
        seen[index] = stamps
        if first_look:
            continue
        try:
            contract = load(mount.contract.source, **load_options)
        except ContractkitError as error:
            messages.append(f"reload failed, still serving the last good contract: {error}")
            log.error(messages[-1])
            continue
        try:
            fixtures = (Fixtures(contract, mount.fixtures.by_target) if mount.fixtures
                        else None)
            replacement = Mount(mount.prefix, contract, seed=mount.seed, lenient=mount.lenient,
                                fixtures=fixtures, optionals=mount.optionals,
                                array_format=mount.array_format)
        except ContractkitError as error:
            messages.append(f"reload failed, still serving the last good contract: {error}")
            log.error(messages[-1])
            continue
        app.replace_mount(mount, replacement)
        seen[index] = _stamps(contract_files(contract))
        messages.append(f"reloaded {contract.source}: {len(contract.operations)} operations")
        log.info(messages[-1])
    return messages


async def watch_contracts(app: MockApp, interval: float = 0.5, **load_options: Any) -> None:
    seen: dict[int, dict[Path, int]] = {}
    while True:
        reload_changed(app, seen, **load_options)
        await asyncio.sleep(interval)
